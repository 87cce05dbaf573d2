import { BRANCHES, cutLine, innerPrefix } from "../view/render.ts";
import type { ProcessRates } from "./sample.ts";

/** What the live view sorts by. */
export type TopSort = "cpu" | "rss" | "pid";

/** The sorts, by the key that selects them in the live view. */
export const SORT_KEYS: Record<string, TopSort> = { c: "cpu", m: "rss", p: "pid" };

/** How to lay out one frame. */
export interface FrameOptions {
  tree: boolean;
  sort: TopSort;
  /** Cut lines to this many characters. */
  width?: number;
  ascii?: boolean;
}

const order: Record<TopSort, (a: ProcessRates, b: ProcessRates) => number> = {
  cpu: (a, b) =>
    (b.userPercent + b.systemPercent) - (a.userPercent + a.systemPercent) || a.pid - b.pid,
  rss: (a, b) => b.rssMib - a.rssMib || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
};

/** Bytes per second as a person reads them: `0`, `512`, `12.3K`, `4.0M`. */
export function formatRate(bytes: number | null): string {
  if (bytes === null) return "-";
  if (bytes < 1024) return String(Math.round(bytes));
  const units = ["K", "M", "G", "T"];
  let value = bytes / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) value /= 1024, unit++;
  return `${value.toFixed(1)}${units[unit]}`;
}

/**
 * The selection's CPU for a status line: its processes' own and what they reaped from
 * children that exited in the interval (`CPU 99.6% incl. exited`), so a subtree of
 * short-lived processes shows the load it really has.
 */
export function totalCpu(rates: readonly ProcessRates[]): string {
  let own = 0, reaped = 0;
  for (const r of rates) {
    own += r.userPercent + r.systemPercent;
    reaped += r.reapedPercent;
  }
  return `CPU ${(own + reaped).toFixed(1)}% incl. exited`;
}

/** The column header line of a frame. */
export const HEADER = "    PID   USR%   SYS%   CPU%   RSS_MIB  THR   READ/s  WRITE/s  COMMAND";

function row(rates: ProcessRates, command: string): string {
  const cpu = rates.userPercent + rates.systemPercent;
  return [
    String(rates.pid).padStart(7),
    rates.userPercent.toFixed(1).padStart(6),
    rates.systemPercent.toFixed(1).padStart(6),
    cpu.toFixed(1).padStart(6),
    rates.rssMib.toFixed(1).padStart(9),
    String(rates.threads).padStart(4),
    formatRate(rates.readRate).padStart(8),
    formatRate(rates.writeRate).padStart(8),
    command,
  ].join(" ");
}

const cut = cutLine;

/**
 * The rows of a frame: a flat table sorted as asked, or the tree (children under
 * their parents, siblings sorted as asked) with branches before each command.
 */
export function frameRows(rates: readonly ProcessRates[], options: FrameOptions): string[] {
  const compare = order[options.sort];
  if (!options.tree) {
    return [...rates].sort(compare).map((r) => cut(row(r, r.command), options.width));
  }
  const byPid = new Map(rates.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRates[]>();
  const roots: ProcessRates[] = [];
  for (const r of rates) {
    if (byPid.has(r.ppid) && r.ppid !== r.pid) {
      const list = children.get(r.ppid);
      if (list) list.push(r);
      else children.set(r.ppid, [r]);
    } else roots.push(r);
  }
  const glyph = options.ascii ? BRANCHES.ascii : BRANCHES.box;
  const lines: string[] = [];
  const pending = roots.sort(compare).reverse().map((r) => ({ r, prefix: "", branch: "" }));
  while (pending.length > 0) {
    const { r, prefix, branch } = pending.pop()!;
    lines.push(cut(row(r, prefix + branch + r.command), options.width));
    const below = (children.get(r.pid) ?? []).sort(compare);
    const inner = innerPrefix(prefix, branch, glyph);
    for (let i = below.length - 1; i >= 0; i--) {
      pending.push({
        r: below[i],
        prefix: inner,
        branch: i === below.length - 1 ? glyph.last : glyph.tee,
      });
    }
  }
  return lines;
}

/**
 * One block of batch output, as `pidstat` prints them: a heading line (time, counts),
 * the header, the rows and a blank line, each line ended.
 */
export function batchBlock(
  heading: string,
  rates: readonly ProcessRates[],
  options: { tree?: boolean; sort: TopSort; ascii?: boolean },
): string {
  const rows = frameRows(rates, {
    tree: Boolean(options.tree),
    sort: options.sort,
    ascii: options.ascii,
  });
  return [heading, HEADER, ...rows, ""].join("\n") + "\n";
}
