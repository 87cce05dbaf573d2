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

/** One process at one sample, in one mode (user or system): counters in clock ticks. */
export interface CpuCounters {
  pid: number;
  ppid: number;
  /** `stat.starttime`: with the PID, the process's identity across PID reuse. */
  starttime: number;
  /** `utime` or `stime`. */
  own: number;
  /** `cutime` or `cstime`: the CPU of reaped children and their reaped descendants. */
  reaped: number;
}

/** One process at one sample, both modes: `stat`'s four CPU counters, clock ticks. */
export interface ProcessCpu {
  pid: number;
  ppid: number;
  starttime: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** A process's CPU in one interval, by mode: its own and what it reaped, clock ticks. */
export interface IntervalCpu {
  userOwn: number;
  systemOwn: number;
  userReaped: number;
  systemReaped: number;
}

const num = (value: unknown) => toNumber(value) ?? 0;

/** The CPU counters of processes (each once), by PID. */
export function processCpuOf(nodes: readonly ProcessNode[]): Map<number, ProcessCpu> {
  const counters = new Map<number, ProcessCpu>();
  for (const { stat } of nodes) {
    const pid = num(stat.pid);
    counters.set(pid, {
      pid,
      ppid: num(stat.ppid),
      starttime: num(stat.starttime),
      utime: num(stat.utime),
      stime: num(stat.stime),
      cutime: num(stat.cutime),
      cstime: num(stat.cstime),
    });
  }
  return counters;
}

/**
 * Returns each current process's CPU in the interval since `previous`, by PID (a PID
 * names one process within a sample; one whose start time differs from the previous
 * sample's is a new process). With no previous sample the map is empty: nothing is
 * known of the interval.
 */
export function intervalCpu(
  previous: ReadonlyMap<number, ProcessCpu> | null,
  current: ReadonlyMap<number, ProcessCpu>,
): Map<number, IntervalCpu> {
  const used = new Map<number, IntervalCpu>();
  if (previous === null) return used;
  // what each reaper's vanished children had, by the reaper's PID: a child whose parent
  // vanished too was an orphan, reaped by the nearest ancestor still there (procpath,
  // as subreaper, keeps orphans in the tree this way)
  const goneUser = new Map<number, number>();
  const goneSystem = new Map<number, number>();
  for (const [pid, p] of previous) {
    if (current.get(pid)?.starttime === p.starttime) continue;
    let reaper = p.ppid;
    for (let hops = 0; !current.has(reaper) && previous.has(reaper) && hops < 64; hops++) {
      reaper = previous.get(reaper)!.ppid;
    }
    goneUser.set(reaper, (goneUser.get(reaper) ?? 0) + p.utime + p.cutime);
    goneSystem.set(reaper, (goneSystem.get(reaper) ?? 0) + p.stime + p.cstime);
  }
  for (const [pid, p] of current) {
    const then = previous.get(pid);
    used.set(
      pid,
      then === undefined || then.starttime !== p.starttime
        ? { userOwn: p.utime, systemOwn: p.stime, userReaped: p.cutime, systemReaped: p.cstime }
        : {
          userOwn: Math.max(0, p.utime - then.utime),
          systemOwn: Math.max(0, p.stime - then.stime),
          userReaped: Math.max(0, p.cutime - then.cutime - (goneUser.get(pid) ?? 0)),
          systemReaped: Math.max(0, p.cstime - then.cstime - (goneSystem.get(pid) ?? 0)),
        },
    );
  }
  return used;
}

/** One mode's counters as both modes' (the other mode zero), by PID. */
const asProcessCpu = (counters: readonly CpuCounters[]) =>
  new Map(
    counters.map((c) => [c.pid, { ...c, utime: c.own, stime: 0, cutime: c.reaped, cstime: 0 }]),
  );

/**
 * Returns each current process's CPU in the interval since `previous`, reaped
 * children included, in clock ticks, by PID. With no previous sample (the first of a
 * recording) the map is empty: nothing is known of the interval.
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
 * assert.equal(cpuWithReaped(before, after).get(10), 21);
 * ```
 */
export function cpuWithReaped(
  previous: readonly CpuCounters[] | null,
  current: readonly CpuCounters[],
): Map<number, number> {
  const used = new Map<number, number>();
  for (const [pid, parts] of cpuWithReapedParts(previous, current)) {
    used.set(pid, parts.own + parts.reaped);
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
): Map<number, { own: number; reaped: number }> {
  const parts = new Map<number, { own: number; reaped: number }>();
  const used = intervalCpu(previous && asProcessCpu(previous), asProcessCpu(current));
  for (const [pid, cpu] of used) parts.set(pid, { own: cpu.userOwn, reaped: cpu.userReaped });
  return parts;
}

/**
 * Follows processes from one sample to the next and returns, per interval, each
 * process's CPU by mode with its reaped children's (`intervalCpu`): what `top`, the
 * metrics groups and the record summary each need.
 */
export class ReapedCpuTracker {
  #previous: Map<number, ProcessCpu> | null = null;

  /** Returns the interval since the previous call, by PID; empty at the first. */
  next(nodes: readonly ProcessNode[]): Map<number, IntervalCpu> {
    const current = processCpuOf(nodes);
    const used = intervalCpu(this.#previous, current);
    this.#previous = current;
    return used;
  }
}
