/**
 * What changed between two samples of a recording: processes that appeared and
 * disappeared, and the biggest changes in memory and the CPU time used, per process
 * and per subtree (a process and everything below it) — "what grew between 03:00 and
 * 03:10". A subtree's CPU includes what its processes reaped from children that
 * exited in between (`cutime`/`cstime`), so short-lived processes count; a subtree
 * that adds little to one of its children's is left out, so the ancestors of the
 * busy subtree do not fill the list. Pure: takes the two selections, returns figures.
 *
 * @module
 */
import { displayCommand, identityOf } from "../model/process.ts";
import type { KernelUnits } from "../model/process.ts";
import { toNumber } from "../procfs/int.ts";
import type { ProcessNode } from "../tree/types.ts";

/** A process as the diff lists it. */
export interface DiffProcess {
  pid: number;
  ppid: number;
  command: string;
}

/** A change of a process or a subtree (rooted at `pid`). */
export interface DiffChange extends DiffProcess {
  /** Processes counted: 1 for a process, its members for a subtree (at the later sample). */
  processes: number;
  /** Resident memory at each sample and the change, MiB (`null` where absent). */
  rssBefore: number | null;
  rssAfter: number | null;
  rssChange: number;
  /** CPU time used between the samples, seconds; and as % of one core over the window. */
  cpuSeconds: number;
  cpuPercent: number;
}

/** The whole diff. */
export interface SampleDiff {
  /** Seconds between the samples. */
  seconds: number;
  appeared: DiffProcess[];
  disappeared: DiffProcess[];
  /** Biggest |RSS change| first. */
  rssByProcess: DiffChange[];
  rssBySubtree: DiffChange[];
  /** Most CPU time first. */
  cpuByProcess: DiffChange[];
  cpuBySubtree: DiffChange[];
}

/** Facts of the recorded machine. */
export interface DiffContext extends KernelUnits {
  /**
   * Start time (clock ticks after boot) after which a process absent from the earlier
   * sample was born between the two (`bornAfter` of `model/cpu.ts`); one that started
   * before merely entered the selection, and what it used before is not counted.
   * Without it every newcomer is taken as born.
   */
  bornAfter?: number | undefined;
}

interface Seen {
  node: ProcessNode;
  pid: number;
  ppid: number;
  /** Identity across samples: a reused PID is another process. */
  id: string;
  rss: number;
  ticks: number;
  /** CPU of reaped children, clock ticks (`cutime + cstime`). */
  reaped: number;
  starttime: number;
}

/** A subtree is listed only when its children's largest explains less than this share of it. */
const EXPLAINED = 0.9;

const num = (value: unknown) => toNumber(value) ?? 0;
const describe = (node: ProcessNode) => displayCommand(node.cmdline, node.stat.comm);

function index(nodes: readonly ProcessNode[], context: DiffContext): Map<string, Seen> {
  const seen = new Map<string, Seen>();
  for (const node of nodes) {
    const pid = num(node.stat.pid);
    const id = identityOf({ pid, starttime: num(node.stat.starttime) });
    if (seen.has(id)) continue;
    seen.set(id, {
      node,
      pid,
      ppid: num(node.stat.ppid),
      id,
      rss: num(node.stat.rss) * context.pageSize / 1048576,
      ticks: num(node.stat.utime) + num(node.stat.stime),
      reaped: num(node.stat.cutime) + num(node.stat.cstime),
      starttime: num(node.stat.starttime),
    });
  }
  return seen;
}

/** The members of each process's subtree among `seen`, itself included. */
function subtrees(seen: Map<string, Seen>): Map<string, Seen[]> {
  const byPid = new Map([...seen.values()].map((s) => [s.pid, s]));
  const members = new Map<string, Seen[]>();
  for (const s of seen.values()) members.set(s.id, []);
  for (const s of seen.values()) {
    // walk up: the process belongs to its own subtree and every ancestor's
    const visited = new Set<number>();
    for (let at: Seen | undefined = s; at && !visited.has(at.pid); at = byPid.get(at.ppid)) {
      visited.add(at.pid);
      members.get(at.id)!.push(s);
    }
  }
  return members;
}

/**
 * Compares two samples' selections (each process once, e.g. flattened forests).
 * Lists are cut to `limit` entries.
 */
export function diffSamples(
  before: readonly ProcessNode[],
  after: readonly ProcessNode[],
  seconds: number,
  context: DiffContext,
  limit: number,
): SampleDiff {
  const a = index(before, context), b = index(after, context);
  const listed = (s: Seen): DiffProcess => ({
    pid: s.pid,
    ppid: s.ppid,
    command: describe(s.node),
  });
  const byPid = (x: DiffProcess, y: DiffProcess) => x.pid - y.pid;
  const appeared = [...b.values()].filter((s) => !a.has(s.id)).map(listed).sort(byPid);
  const disappeared = [...a.values()].filter((s) => !b.has(s.id)).map(listed).sort(byPid);
  const cpuPercent = (ticks: number) =>
    seconds > 0 ? 100 * ticks / context.clockTicks / seconds : 0;

  // a newcomer started before the earlier sample entered the selection: what it used
  // before is not the selection's, so it counts from the later sample on (nothing here)
  const entered = (s: Seen) =>
    !a.has(s.id) && context.bornAfter !== undefined && s.starttime <= context.bornAfter;
  // CPU used in the window: the counters' growth, or all of it for a process that started in it
  const used = (s: Seen) => entered(s) ? 0 : Math.max(0, s.ticks - (a.get(s.id)?.ticks ?? 0));
  const rss = (members: readonly Seen[]) => members.reduce((sum, m) => sum + m.rss, 0);
  // members: at the later sample; earlier: the same root's at the earlier one, if it was there
  const change = (
    s: Seen,
    members: readonly Seen[],
    earlier: readonly Seen[] | null,
    subtree: boolean,
  ): DiffChange => {
    const rssAfter = rss(members);
    const rssBefore = earlier ? rss(earlier) : null;
    // one process: what it used itself; a subtree: the growth of all its members used
    // and reaped (the kernel's count, exited processes included)
    const withReaped = (list: readonly Seen[]) =>
      list.reduce((sum, m) => entered(m) ? sum : sum + m.ticks + m.reaped, 0);
    const ticks = subtree
      ? Math.max(0, withReaped(members) - (earlier ? withReaped(earlier) : 0))
      : used(s);
    return {
      ...listed(s),
      processes: members.length,
      rssBefore,
      rssAfter,
      rssChange: rssAfter - (rssBefore ?? 0),
      cpuSeconds: ticks / context.clockTicks,
      cpuPercent: cpuPercent(ticks),
    };
  };
  const processes = [...b.values()].map((s) =>
    change(s, [s], a.has(s.id) ? [a.get(s.id)!] : null, false)
  );
  const trees = subtrees(b), treesBefore = subtrees(a);
  // every process roots a subtree, a lone one too: a busy process with no children is
  // its own busiest subtree (left out, its CPU showed by process and "no change" here)
  const bySubtree = [...b.values()]
    .map((s) => change(s, trees.get(s.id)!, treesBefore.get(s.id) ?? null, true));
  // a subtree one of its child subtrees explains (its ancestors' rows repeat its figures)
  const subtreeOf = new Map(bySubtree.map((c) => [c.pid, c]));
  const explained = (c: DiffChange, measure: (x: DiffChange) => number) =>
    bySubtree.some((child) =>
      child.ppid === c.pid && child.pid !== c.pid && subtreeOf.has(child.pid) &&
      Math.abs(measure(child)) >= EXPLAINED * Math.abs(measure(c)) &&
      Math.sign(measure(child)) === Math.sign(measure(c))
    );
  const byRss = (x: DiffChange, y: DiffChange) =>
    Math.abs(y.rssChange) - Math.abs(x.rssChange) || x.pid - y.pid;
  const byCpu = (x: DiffChange, y: DiffChange) => y.cpuSeconds - x.cpuSeconds || x.pid - y.pid;
  return {
    seconds,
    appeared,
    disappeared,
    rssByProcess: processes.filter((c) => c.rssChange !== 0).sort(byRss).slice(0, limit),
    rssBySubtree: bySubtree.filter((c) => c.rssChange !== 0 && !explained(c, (x) => x.rssChange))
      .sort(byRss).slice(0, limit),
    cpuByProcess: processes.filter((c) => c.cpuSeconds > 0).sort(byCpu).slice(0, limit),
    cpuBySubtree: bySubtree.filter((c) => c.cpuSeconds > 0 && !explained(c, (x) => x.cpuSeconds))
      .sort(byCpu).slice(0, limit),
  };
}
