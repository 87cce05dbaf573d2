/**
 * CPU that includes what exited. The kernel adds a reaped child's CPU — its own and
 * that of the children it reaped — to its parent's `cutime`/`cstime` (proc(5)), so
 * per process and interval
 *
 *   used = Δ(utime + stime) + max(0, Δ(cutime + cstime) − gone)
 *
 * where `gone` is what the process's children that vanished in the interval had at the
 * previous sample (the part of their CPU already counted under their own name). A
 * process born in the interval counts all it has. Summed over a subtree this is the
 * subtree's CPU with every short-lived process in it, exactly while the subtree reaps
 * its own children; summed over the whole machine it is the machine's process CPU.
 * What escapes: a child whose parent ignores SIGCHLD (auto-reaped, added nowhere),
 * and the last interval of a process whose parent lies outside the group summed. An
 * orphan whose parent vanished in the same interval is taken as reaped by its nearest
 * ancestor still there (true under a subreaper, as `record -- COMMAND` runs).
 *
 * @module
 */
import { toNumber } from "../procfs/int.ts";
import type { ProcessNode } from "../tree/types.ts";
import { identityOf } from "./process.ts";

export { identityOf };

/** One process at one sample: counters in clock ticks. */
export interface CpuCounters {
  pid: number;
  ppid: number;
  /** `stat.starttime`: with the PID, the process's identity across PID reuse. */
  starttime: number;
  /** `utime + stime`. */
  own: number;
  /** `cutime + cstime`: the CPU of reaped children and their reaped descendants. */
  reaped: number;
}

/** The CPU counters of processes, user and system mode apart, clock ticks. */
export function cpuCountersOf(
  nodes: readonly ProcessNode[],
): { user: CpuCounters[]; system: CpuCounters[] } {
  const user: CpuCounters[] = [];
  const system: CpuCounters[] = [];
  const num = (value: unknown) => toNumber(value) ?? 0;
  for (const { stat } of nodes) {
    const base = { pid: num(stat.pid), ppid: num(stat.ppid), starttime: num(stat.starttime) };
    user.push({ ...base, own: num(stat.utime), reaped: num(stat.cutime) });
    system.push({ ...base, own: num(stat.stime), reaped: num(stat.cstime) });
  }
  return { user, system };
}

/**
 * Returns each current process's CPU in the interval since `previous`, reaped
 * children included, in clock ticks, keyed by `identityOf`. With no previous sample
 * (the first of a recording) the map is empty: nothing is known of the interval.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuWithReaped } from "./cpu.ts";
 * // a shell (pid 10) ran a child (pid 11) that used 30 ticks and was reaped
 * const before = [
 *   { pid: 10, ppid: 1, starttime: 5, own: 2, reaped: 0 },
 *   { pid: 11, ppid: 10, starttime: 6, own: 10, reaped: 0 },
 * ];
 * const after = [{ pid: 10, ppid: 1, starttime: 5, own: 3, reaped: 30 }];
 * // 1 tick of its own and the child's last 20: the first 10 were counted under pid 11
 * assert.equal(cpuWithReaped(before, after).get("10@5"), 21);
 * ```
 */
export function cpuWithReaped(
  previous: readonly CpuCounters[] | null,
  current: readonly CpuCounters[],
): Map<string, number> {
  const used = new Map<string, number>();
  for (const [identity, parts] of cpuWithReapedParts(previous, current)) {
    used.set(identity, parts.own + parts.reaped);
  }
  return used;
}

/**
 * As `cpuWithReaped`, with each process's ticks split into its own and those of the
 * children it reaped in the interval (less what they were seen to have before).
 */
export function cpuWithReapedParts(
  previous: readonly CpuCounters[] | null,
  current: readonly CpuCounters[],
): Map<string, { own: number; reaped: number }> {
  const used = new Map<string, { own: number; reaped: number }>();
  if (previous === null) return used;
  const before = new Map(previous.map((p) => [identityOf(p), p]));
  const now = new Set(current.map(identityOf));
  const nowPids = new Set(current.map((p) => p.pid));
  const parentBefore = new Map(previous.map((p) => [p.pid, p.ppid]));
  // what each reaper's vanished children had, by the reaper's PID: a child whose parent
  // vanished too was an orphan, reaped by the nearest ancestor still there (procpath,
  // as subreaper, keeps orphans in the tree this way)
  const gone = new Map<number, number>();
  for (const [identity, p] of before) {
    if (now.has(identity)) continue;
    let reaper = p.ppid;
    for (let hops = 0; !nowPids.has(reaper) && parentBefore.has(reaper) && hops < 64; hops++) {
      reaper = parentBefore.get(reaper)!;
    }
    gone.set(reaper, (gone.get(reaper) ?? 0) + p.own + p.reaped);
  }
  for (const p of current) {
    const identity = identityOf(p);
    const then = before.get(identity);
    used.set(
      identity,
      then === undefined ? { own: p.own, reaped: p.reaped } : {
        own: Math.max(0, p.own - then.own),
        reaped: Math.max(0, p.reaped - then.reaped - (gone.get(p.pid) ?? 0)),
      },
    );
  }
  return used;
}

/** A process's CPU in one interval, by mode: its own and what it reaped, clock ticks. */
export interface IntervalCpu {
  user: { own: number; reaped: number };
  system: { own: number; reaped: number };
}

/**
 * Follows processes from one sample to the next and returns, per interval, each
 * process's CPU by mode with its reaped children's (`cpuWithReapedParts` on user and
 * system time): what `top`, the metrics groups and the record summary each need.
 */
export class ReapedCpuTracker {
  #previous: { user: CpuCounters[]; system: CpuCounters[] } | null = null;

  /** Returns the interval since the previous call, by `identityOf`; empty at the first. */
  next(nodes: readonly ProcessNode[]): Map<string, IntervalCpu> {
    const current = cpuCountersOf(nodes);
    const user = cpuWithReapedParts(this.#previous?.user ?? null, current.user);
    const system = cpuWithReapedParts(this.#previous?.system ?? null, current.system);
    this.#previous = current;
    const intervals = new Map<string, IntervalCpu>();
    for (const [identity, parts] of user) {
      intervals.set(identity, { user: parts, system: system.get(identity)! });
    }
    return intervals;
  }
}
