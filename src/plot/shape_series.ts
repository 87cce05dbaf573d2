/**
 * From a query's rows to the lines worth drawing: one per process, or summed per
 * group (`comm`, a command-line pattern, a subtree); series seen in fewer than K
 * samples dropped; the top N by a measure kept and the rest summed into "others".
 * A 273-process recording becomes ten lines and one "others" instead of a legend of
 * 273 entries. Pure: the recording's facts come in as maps.
 *
 * @module
 */
import type { ProcessFacts, SeriesRow } from "../store/mod.ts";
import type { Point } from "./types.ts";

/** How processes are summed into lines. */
export type Grouping =
  | { kind: "pid" }
  | { kind: "comm" }
  /** By the command line's match of the pattern (its first group when it has one). */
  | { kind: "cmdline"; pattern: RegExp }
  /** A process and all its descendants; the given roots, or each top-level process. */
  | { kind: "subtree"; roots?: readonly number[] | undefined };

/** How lines are ranked for the top N. */
export type RankBy = "mean" | "max" | "last";

/** The grouping and limits of `plot`. */
export interface ShapeOptions {
  grouping: Grouping;
  /** Lines kept; the rest are summed into "others". 0 keeps every line. */
  top: number;
  rankBy: RankBy;
  /** A process with fewer non-null samples than this is left out entirely. */
  minSamples: number;
  /**
   * The lines to keep, by key, instead of the top N: a second query shows the lines
   * the first one chose, so each has its pair on the other axis.
   */
  keep?: ReadonlySet<string> | undefined;
}

/** One line of a query, before drawing. */
export interface Line {
  /** Identifies the line across queries (its colour): `pid:42`, `comm:nginx`, `others`. */
  key: string;
  /** What the line is, after the query's name: `42`, `nginx`, `subtree 2610`, `others`. */
  label: string;
  /** The process (a per-process line), else `null`. */
  pid: number | null;
  /** What runs in it: the command of a process, `12 processes` for a group. */
  detail: string;
  /** How many processes it stands for. */
  processes: number;
  /** The rank measure's value. */
  measure: number;
  points: Point[];
}

/** The rank measure of a line over the query's sample times. */
function measureOf(points: readonly Point[], rankBy: RankBy, times: number, lastTs: number) {
  if (points.length === 0) return 0;
  if (rankBy === "max") return points.reduce((max, [, v]) => v > max ? v : max, -Infinity);
  if (rankBy === "last") {
    return points[points.length - 1]![0] === lastTs ? points[points.length - 1]![1] : 0;
  }
  // the mean over every sample time of the query, absent counting as 0, so a
  // process seen briefly ranks by what it contributed, not by its moment
  let sum = 0;
  for (const [, v] of points) sum += v;
  return sum / Math.max(1, times);
}

const plural = (n: number) => `${n} process${n === 1 ? "" : "es"}`;

/** Sums values by time into points in time order. */
function sumPoints(byTime: Map<number, number>): Point[] {
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Groups, filters and ranks a query's rows (ordered by PID then sample). Returns the
 * lines best first by the measure, "others" last.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shapeSeries } from "./shape_series.ts";
 * const rows = [1, 2, 3].flatMap((pid) => [{ ts: 1, pid, value: pid }, { ts: 2, pid, value: pid }]);
 * const facts = { comm: new Map([[1, "a"], [2, "b"], [3, "b"]]), cmdline: new Map() };
 * const lines = shapeSeries(rows, facts, { grouping: { kind: "comm" }, top: 0, rankBy: "mean", minSamples: 1 });
 * assert(lines.map((l) => `${l.label}=${l.measure}`).join() === "b=5,a=1");
 * ```
 */
export function shapeSeries(
  rows: readonly SeriesRow[],
  facts: ProcessFacts,
  options: ShapeOptions,
): Line[] {
  // per process: its non-null samples
  const samples = new Map<number, Point[]>();
  const times = new Set<number>();
  for (const row of rows) {
    times.add(row.ts);
    if (row.value === null) continue;
    let points = samples.get(row.pid);
    if (!points) samples.set(row.pid, points = []);
    points.push([row.ts, Number(row.value)]);
  }
  for (const [pid, points] of samples) {
    if (points.length < options.minSamples) samples.delete(pid);
  }
  let lastTs = -Infinity;
  for (const t of times) if (t > lastTs) lastTs = t;
  const groups = groupLines(samples, facts, options.grouping);
  for (const line of groups) {
    line.measure = measureOf(line.points, options.rankBy, times.size, lastTs);
  }
  groups.sort((a, b) => b.measure - a.measure || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const keeps = options.keep
    ? (line: Line, _: number) => options.keep!.has(line.key)
    : (_: Line, rank: number) => options.top <= 0 || rank < options.top;
  const kept = groups.filter(keeps);
  const rest = groups.filter((line, rank) => !keeps(line, rank));
  if (rest.length === 0) return kept;
  const byTime = new Map<number, number>();
  for (const line of rest) {
    for (const [t, v] of line.points) byTime.set(t, (byTime.get(t) ?? 0) + v);
  }
  const points = sumPoints(byTime);
  const processes = rest.reduce((n, line) => n + line.processes, 0);
  kept.push({
    key: "others",
    label: "others",
    pid: null,
    detail: rest.every((line) => line.pid !== null)
      ? plural(rest.length)
      : `${rest.length} more lines, ${plural(processes)}`,
    processes,
    measure: measureOf(points, options.rankBy, times.size, lastTs),
    points,
  });
  return kept;
}

function groupLines(
  samples: ReadonlyMap<number, Point[]>,
  facts: ProcessFacts,
  grouping: Grouping,
): Line[] {
  const command = (pid: number) => facts.comm.get(pid) || facts.cmdline.get(pid) || "";
  const single = (pid: number, points: Point[]): Line => ({
    key: `pid:${pid}`,
    label: String(pid),
    pid,
    detail: command(pid),
    processes: 1,
    measure: 0,
    points,
  });
  if (grouping.kind === "pid") return [...samples].map(([pid, points]) => single(pid, points));

  // sums per group key, by time; which PIDs each group holds
  // (a subtree's detail names its root's command)
  const sums = new Map<
    string,
    { label: string; root: number | null; byTime: Map<number, number>; pids: Set<number> }
  >();
  const add = (
    key: string,
    label: string,
    pid: number,
    t: number,
    v: number,
    root = null as number | null,
  ) => {
    let group = sums.get(key);
    if (!group) sums.set(key, group = { label, root, byTime: new Map(), pids: new Set() });
    group.pids.add(pid);
    group.byTime.set(t, (group.byTime.get(t) ?? 0) + v);
  };
  const lines: Line[] = [];
  if (grouping.kind === "subtree") {
    const rootAt = subtreeRoots(facts.parents ?? new Map(), grouping.roots);
    for (const [pid, points] of samples) {
      for (const [t, v] of points) {
        const root = rootAt(t, pid);
        if (root !== null) add(`subtree:${root}`, `subtree ${root}`, pid, t, v, root);
      }
    }
  } else {
    for (const [pid, points] of samples) {
      let name: string | null;
      if (grouping.kind === "comm") name = facts.comm.get(pid) ?? null;
      else {
        const match = grouping.pattern.exec(facts.cmdline.get(pid) ?? "");
        name = match ? match[1] ?? match[0] : null;
      }
      // a process the pattern does not match stays a line of its own
      if (name === null) lines.push(single(pid, points));
      else for (const [t, v] of points) add(`${grouping.kind}:${name}`, name, pid, t, v);
    }
  }
  for (const [key, group] of sums) {
    lines.push({
      key,
      label: group.label,
      pid: null,
      detail: group.root !== null
        ? `${command(group.root)}, ${plural(group.pids.size)}`
        : plural(group.pids.size),
      processes: group.pids.size,
      measure: 0,
      points: sumPoints(group.byTime),
    });
  }
  return lines;
}

/**
 * The subtree root of a PID at a sample time: the nearest of `roots` up its parent
 * chain (or `null` outside them), or without roots the top-level process the chain
 * ends at. Memoised per time.
 */
function subtreeRoots(
  parents: ReadonlyMap<number, ReadonlyMap<number, number>>,
  roots?: readonly number[],
): (t: number, pid: number) => number | null {
  const wanted = roots ? new Set(roots) : null;
  const memo = new Map<number, Map<number, number | null>>();
  return (t, pid) => {
    const parentOf = parents.get(t) ?? new Map<number, number>();
    let known = memo.get(t);
    if (!known) memo.set(t, known = new Map());
    const chain: number[] = [];
    let current: number | undefined = pid;
    let root: number | null = null;
    const seen = new Set<number>();
    while (current !== undefined) {
      const cached = known.get(current);
      if (cached !== undefined) {
        root = cached;
        break;
      }
      if (seen.has(current)) break; // a cycle of reused PIDs: no root
      seen.add(current);
      chain.push(current);
      if (wanted?.has(current)) {
        root = current;
        break;
      }
      const parent = parentOf.get(current);
      if (parent === undefined || !parentOf.has(parent)) {
        root = wanted ? null : current;
        break;
      }
      current = parent;
    }
    for (const member of chain) known.set(member, root);
    return root;
  };
}
