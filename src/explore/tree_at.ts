/**
 * The process tree of one sample for `explore`: each process in tree order with its
 * depth, its own figures (RSS, CPU % and I/O rates since the sample before, PSS and
 * open files where recorded) and its subtree's totals.
 *
 * @module
 */
import { toNumber } from "../procfs/int.ts";
import type { Timeline } from "../store/timeline.ts";
import { resolveMoment } from "../time/moment.ts";
import { RateTracker } from "../model/rates.ts";
import { flattenTree } from "../tree/flatten_tree.ts";
import type { ProcessNode } from "../tree/types.ts";

/** A process of the tree at a sample. */
export interface TreeRow {
  pid: number;
  ppid: number;
  depth: number;
  comm: string;
  cmdline: string;
  /** MiB. */
  rss: number;
  /** % of one core since the previous sample (0 at the first). */
  cpu: number;
  /** B/s, `null` where not recorded. */
  read: number | null;
  write: number | null;
  /** MiB, `null` where not recorded. */
  pss: number | null;
  fds: number | null;
  /** % of one core its children that exited in the interval used (`model/cpu.ts`). */
  reaped: number;
  /**
   * The totals of the process and everything below it; `cpu` with what the subtree's
   * processes reaped, so short-lived processes count.
   */
  subtree: { processes: number; rss: number; cpu: number; pss: number | null };
}

/**
 * The tree of the sample at or before `at` (unix seconds) among `times`, the
 * recording's sample times, with `bootAt` its boot moment (`Timeline.bootAt`; the
 * server keeps both: reading them scans every row).
 */
export function treeAt(
  timeline: Timeline,
  times: readonly number[],
  at: number,
  bootAt: number = timeline.bootAt(),
): { ts: number; sample: number; rows: TreeRow[] } {
  const { ts, index } = resolveMoment({ kind: "absolute", seconds: at }, times);
  const context = {
    pageSize: Number(timeline.meta.page_size ?? 4096),
    clockTicks: Number(timeline.meta.clock_ticks ?? 100),
    // an interval is at least what the recorded CPUs need for its CPU (model/cpu.ts)
    cpus: Number(timeline.meta.cpu_count) || undefined,
  };
  const roots = timeline.forestAt(ts);
  const tracker = new RateTracker(context, { includeNew: true, bootAt });
  if (index > 0) {
    tracker.next(flattenTree(timeline.forestAt(times[index - 1]!)), times[index - 1]! * 1000);
  }
  const rates = new Map(tracker.next(flattenTree(roots), ts * 1000).map((r) => [r.pid, r]));

  const rows: TreeRow[] = [];
  const num = (v: unknown) => toNumber(v);
  const visit = (node: ProcessNode, depth: number): TreeRow => {
    const pid = num(node.stat.pid) ?? 0;
    const rate = rates.get(pid);
    const fd = node.fd
      ? Object.values(node.fd).reduce((sum: number, v) => sum + (num(v) ?? 0), 0)
      : null;
    const pss = node.smaps_rollup ? (num(node.smaps_rollup.pss) ?? 0) / 1024 : null;
    const row: TreeRow = {
      pid,
      ppid: num(node.stat.ppid) ?? 0,
      depth,
      comm: String(node.stat.comm ?? ""),
      cmdline: node.cmdline ?? "",
      rss: (num(node.stat.rss) ?? 0) * context.pageSize / 1048576,
      cpu: rate ? rate.userPercent + rate.systemPercent : 0,
      reaped: rate?.reapedPercent ?? 0,
      read: rate?.readRate ?? null,
      write: rate?.writeRate ?? null,
      pss,
      fds: fd,
      subtree: { processes: 1, rss: 0, cpu: 0, pss: null },
    };
    return row;
  };
  // an explicit stack: depth-first in tree order, each row's subtree summed after its children
  const childRows = new WeakMap<ProcessNode, TreeRow>();
  const stack: { node: ProcessNode; depth: number; row?: TreeRow }[] = roots
    .slice().reverse().map((node) => ({ node, depth: 0 }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (!top!.row) {
      top!.row = visit(top!.node, top!.depth);
      rows.push(top!.row);
      for (const child of (top!.node.children ?? []).slice().reverse()) {
        stack.push({ node: child, depth: top!.depth + 1 });
      }
      continue;
    }
    stack.pop();
    // children are done: the subtree is the row and its children's subtrees
    const row = top!.row;
    let processes = 1, rss = row.rss, cpu = row.cpu + row.reaped, pss = row.pss;
    for (const child of top!.node.children ?? []) {
      const c = childRows.get(child)!;
      processes += c.subtree.processes;
      rss += c.subtree.rss;
      cpu += c.subtree.cpu;
      pss = pss === null && c.subtree.pss === null ? null : (pss ?? 0) + (c.subtree.pss ?? 0);
    }
    row.subtree = { processes, rss, cpu, pss };
    childRows.set(top!.node, row);
  }
  return { ts, sample: index + 1, rows };
}
