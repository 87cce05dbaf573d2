/**
 * CPU that includes what exited. The kernel adds a reaped child's CPU — its own and
 * that of the children it reaped — to its parent's `cutime`/`cstime` (proc(5)), so
 * per process and interval
 *
 *   used = Δ(utime + stime) + max(0, Δ(cutime + cstime) − gone)
 *
 * where `gone` is what the process's children that vanished in the interval had at the
 * previous sample (the part of their CPU already counted under their own name). A
 * process absent from the previous sample counts all it has only if it was born in
 * the interval (its start time after the previous sample's moment); one that merely
 * entered the selection (a filter it starts to match) counts nothing until its next
 * interval, since what it used before is not the selection's. Summed over a subtree
 * this is the subtree's CPU with every short-lived process in it, exactly while the
 * subtree reaps its own children. What escapes: a child whose parent ignores SIGCHLD
 * (auto-reaped, added nowhere), and the last interval of a process whose parent lies
 * outside the group summed. An orphan whose parent vanished in the same interval is
 * taken as reaped by its nearest ancestor still there (true under a subreaper, as
 * `record -- COMMAND` runs). `BUILTIN_QUERIES.cpu_total` in `store/queries.ts` is
 * the same model in SQL; a test holds the two equal. A share of a core divides by
 * `intervalSeconds`: never less than the machine's CPUs need for the interval's CPU.
 *
 * @module
 */
import { toNumber } from "../procfs/int.ts";
import type { ProcessNode } from "../tree/types.ts";
/** One process at one sample, both modes: `stat`'s four CPU counters, clock ticks. */
export interface ProcessCpu {
  pid: number;
  ppid: number;
  /** `stat.starttime`: clock ticks after boot; with the PID, the process's identity. */
  starttime: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** For a thread other than its process's main one (the thread target): the process's PID. */
  process?: number;
}

/** A sample's processes by PID and its moment, seconds on the clock the caller keeps. */
export interface CpuSample {
  at: number;
  processes: ReadonlyMap<number, ProcessCpu>;
}

/**
 * How a process's interval was counted: from its previous sample (`seen`), whole
 * because it was born in the interval (`born`), or not at all because it was there
 * before without being sampled (`entered`).
 */
export type IntervalKind = "seen" | "born" | "entered";

/** A process's CPU in one interval, by mode: its own and what it reaped, clock ticks. */
export interface IntervalCpu {
  userOwn: number;
  systemOwn: number;
  userReaped: number;
  systemReaped: number;
  kind: IntervalKind;
}

/**
 * Slack on the previous sample's moment, seconds: a sample's time is taken before its
 * processes are read, so the boot moment inferred from them may be late by the read's
 * duration. A process that entered a selection within this much after its birth is
 * taken as born (its whole life, at most this plus one interval, is counted).
 */
export const BIRTH_SLACK_SECONDS = 0.25;

const num = (value: unknown) => toNumber(value) ?? 0;

/** The counters made of a `stat` record (read-only, shared by the samples that hold it). */
const countersOf = new WeakMap<object, ProcessCpu>();

/** The CPU counters of processes (each once), by PID. */
export function processCpuOf(nodes: readonly ProcessNode[]): Map<number, ProcessCpu> {
  const counters = new Map<number, ProcessCpu>();
  for (let i = 0; i < nodes.length; i++) {
    const { stat, status } = nodes[i]!;
    // a stat record the reader served again (its bytes unchanged) has the same counters:
    // shared, not made again each sample; with `status` they depend on its tgid too
    const known = status === undefined ? countersOf.get(stat) : undefined;
    if (known !== undefined) {
      counters.set(known.pid, known);
      continue;
    }
    const pid = num(stat.pid);
    // the thread target: each task's stat carries its whole process's cutime and cstime
    // (they belong to the thread group), counted once, on the main thread
    const tgid = status?.tgid;
    const other = typeof tgid === "number" && tgid !== pid;
    const counts: ProcessCpu = {
      pid,
      ppid: num(stat.ppid),
      starttime: num(stat.starttime),
      utime: num(stat.utime),
      stime: num(stat.stime),
      cutime: other ? 0 : num(stat.cutime),
      cstime: other ? 0 : num(stat.cstime),
    };
    // set only for a thread (no spread of an empty object for every process)
    if (other) counts.process = tgid;
    if (status === undefined) countersOf.set(stat, counts);
    counters.set(pid, counts);
  }
  return counters;
}

/**
 * Returns the latest moment the machine can have booted at, seconds on the sample's
 * clock: no process of a sample was born after the sample was read. Exact to the
 * read's duration for a sample that holds a process born just before it; the minimum
 * over a recording's samples is its best estimate (`Infinity` for an empty sample).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootBound } from "./cpu.ts";
 * // a process 250 ticks (2.5 s at 100 Hz) after boot, sampled at 1000 s
 * const p = { pid: 7, ppid: 1, starttime: 250, utime: 0, stime: 0, cutime: 0, cstime: 0 };
 * assert.equal(bootBound({ at: 1000, processes: new Map([[7, p]]) }, 100), 997.5);
 * ```
 */
export function bootBound(sample: CpuSample, clockTicks: number): number {
  let bound = Infinity;
  // forEach: no iterator result a process
  sample.processes.forEach((p) => {
    bound = Math.min(bound, sample.at - p.starttime / clockTicks);
  });
  return bound;
}

/** How `intervalCpu` tells a process born in the interval from one that entered it. */
export interface BirthClock {
  clockTicks: number;
  /** The boot moment on the samples' clock, seconds (`bootBound` of the recording). */
  bootAt: number;
}

/**
 * Returns the start time (clock ticks after boot) after which a process absent from
 * the sample taken at `previousAt` (seconds, the clock of `bootAt`) was born since it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bornAfter } from "./cpu.ts";
 * // booted at 1000 s, previous sample at 1100.25 s: born after 100 s of uptime
 * assert.equal(bornAfter(1100.25, { clockTicks: 100, bootAt: 1000 }), 10000);
 * ```
 */
export function bornAfter(previousAt: number, clock: BirthClock): number {
  return (previousAt - clock.bootAt - BIRTH_SLACK_SECONDS) * clock.clockTicks;
}

/** A seen process's interval without CPU; frozen, since every such process shares it. */
const IDLE: IntervalCpu = Object.freeze({
  userOwn: 0,
  systemOwn: 0,
  userReaped: 0,
  systemReaped: 0,
  kind: "seen",
});
/** The interval of a process that entered the selection; shared, frozen. */
const ENTERED: IntervalCpu = Object.freeze({
  userOwn: 0,
  systemOwn: 0,
  userReaped: 0,
  systemReaped: 0,
  kind: "entered",
});

/**
 * Returns each current process's CPU in the interval since `previous`, by PID (a PID
 * names one process within a sample; one whose start time differs from the previous
 * sample's is a new process). With no previous sample the map is empty: nothing is
 * known of the interval.
 */
export function intervalCpu(
  previous: CpuSample | null,
  current: CpuSample,
  clock: BirthClock,
): Map<number, IntervalCpu> {
  const used = new Map<number, IntervalCpu>();
  if (previous === null) return used;
  const before = previous.processes, now = current.processes;
  const goneFrom = (pid: number) => {
    const p = before.get(pid);
    return p !== undefined && now.get(pid)?.starttime !== p.starttime;
  };
  // what each reaper's vanished children had, by the reaper's PID: a child whose parent
  // vanished too was an orphan, reaped by the nearest ancestor still there (procpath,
  // as subreaper, keeps orphans in the tree this way)
  const goneUser = new Map<number, number>();
  const goneSystem = new Map<number, number>();
  // forEach, not for-of: no entry array a process and sample
  before.forEach((p, pid) => {
    if (!goneFrom(pid)) return;
    // a thread that ended while its process lives was reaped by no one: its CPU joined
    // its process's total, which no task's stat shows
    if (p.process !== undefined && now.has(p.process)) return;
    let reaper = p.ppid;
    for (let hops = 0; goneFrom(reaper) && hops < 64; hops++) reaper = before.get(reaper)!.ppid;
    goneUser.set(reaper, (goneUser.get(reaper) ?? 0) + p.utime + p.cutime);
    goneSystem.set(reaper, (goneSystem.get(reaper) ?? 0) + p.stime + p.cstime);
  });
  // born after the previous sample's moment, in ticks after boot
  const after = bornAfter(previous.at, clock);
  now.forEach((p, pid) => {
    const then = before.get(pid);
    if (then !== undefined && then.starttime === p.starttime) {
      const userReaped = p.cutime - then.cutime - (goneUser.get(pid) ?? 0);
      const systemReaped = p.cstime - then.cstime - (goneSystem.get(pid) ?? 0);
      if (
        p.utime === then.utime && p.stime === then.stime && userReaped <= 0 &&
        systemReaped <= 0
      ) {
        // most of a host sleeps through an interval: one shared record of nothing used
        used.set(pid, IDLE);
        return;
      }
      used.set(pid, {
        userOwn: Math.max(0, p.utime - then.utime),
        systemOwn: Math.max(0, p.stime - then.stime),
        userReaped: Math.max(0, userReaped),
        systemReaped: Math.max(0, systemReaped),
        kind: "seen",
      });
    } else if (p.starttime > after) {
      used.set(pid, {
        userOwn: p.utime,
        systemOwn: p.stime,
        userReaped: p.cutime,
        systemReaped: p.cstime,
        kind: "born",
      });
    } else {
      used.set(pid, ENTERED);
    }
  });
  return used;
}

/**
 * Returns the length to divide an interval's CPU by, seconds: the difference of its
 * samples' stamps, or — when longer — the least time the machine's `cpus` CPUs need
 * to do the `ticks` its processes used in it. A sample is stamped when its reading
 * starts, and reading ~4,000 processes takes ~0.5 s under load, so two stamps can be
 * closer than the reads of the same process were; no machine does more than `cpus`
 * CPU-seconds per second, so the true interval is at least `ticks / (cpus × HZ)`.
 * Without `cpus` (a recording that does not say) the stamps' difference.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intervalSeconds } from "./cpu.ts";
 * // 277 ticks at 100 Hz stamped 0.5 s apart on 2 CPUs: at least 1.385 s passed
 * assert.equal(intervalSeconds(0.5, 277, { clockTicks: 100, cpus: 2 }), 1.385);
 * assert.equal(intervalSeconds(0.5, 60, { clockTicks: 100, cpus: 2 }), 0.5);
 * ```
 */
export function intervalSeconds(
  stampSeconds: number,
  ticks: number,
  clock: { clockTicks: number; cpus?: number | undefined },
): number {
  const cpus = clock.cpus;
  if (cpus === undefined || !(cpus > 0) || !(stampSeconds > 0)) return stampSeconds;
  return Math.max(stampSeconds, ticks / clock.clockTicks / cpus);
}

/** Returns the CPU of an interval's processes together, clock ticks (what `intervalSeconds` bounds by). */
export function intervalTicks(used: ReadonlyMap<number, IntervalCpu>): number {
  let ticks = 0;
  for (const cpu of used.values()) {
    ticks += cpu.userOwn + cpu.systemOwn + cpu.userReaped + cpu.systemReaped;
  }
  return ticks;
}

/**
 * Follows processes from one sample to the next and returns, per interval, each
 * process's CPU by mode with its reaped children's (`intervalCpu`): what `top`, the
 * metrics groups, the record summary and a recording's replay each need. The boot
 * moment is the tightest of the one given (a recording's `bootAt`, so every view of it
 * agrees; or `btime` + 1 s, an upper bound from the kernel's whole seconds) and the
 * `bootBound`s of the samples seen so far.
 */
export class ReapedCpuTracker {
  #previous: CpuSample | null = null;
  #bootAt: number;

  /** `bootAt`: the latest the machine can have booted, seconds on the samples' clock. */
  constructor(readonly clockTicks: number, bootAt?: number) {
    this.#bootAt = bootAt ?? Infinity;
  }

  /** Returns the interval since the previous call, by PID; empty at the first. `at`: seconds. */
  next(nodes: readonly ProcessNode[], at: number): Map<number, IntervalCpu> {
    const current = { at, processes: processCpuOf(nodes) };
    this.#bootAt = Math.min(this.#bootAt, bootBound(current, this.clockTicks));
    const used = intervalCpu(this.#previous, current, {
      clockTicks: this.clockTicks,
      bootAt: this.#bootAt,
    });
    this.#previous = current;
    return used;
  }
}
