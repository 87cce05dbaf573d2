/**
 * Joins the taskstats reports of a process's threads into the process's figures, for
 * the connector's exit event of its leader to take. Pure: tasks in, figures out.
 *
 * Matching: by thread group ID and order. A PID names one process until its parent
 * reaps it, which is after both the taskstats report and the exit event (the kernel
 * sends the report first), so the reports of one process all come before its exit
 * event, and a report for the same PID after the process's last thread (`AGROUP`, or
 * a second leader) begins a new process. `ac_btime` (whole seconds) is not used: two
 * processes of one PID within a second would share it.
 *
 * @module
 */
import type { TaskExit } from "./parse_taskstats.ts";

/** A process's exact figures at exit. */
export interface ExitFigure {
  /**
   * User and system CPU of its threads, µs, as `stat` and the parent's `cutime` count
   * them: their exact time on a CPU (`runNs`) split in the ratio of the raw counts, as
   * the kernel splits it; the raw counts where the kernel gave no exact time.
   */
  utimeUs: number;
  stimeUs: number;
  /** The peak RSS of its memory, KiB. */
  hiwaterRssKib: number;
  /**
   * Whether the figure is the whole process's: its last thread was reported (version 12
   * on). Else only its leader's own (an older kernel) or the threads seen so far.
   */
  whole: boolean;
}

interface Pending extends ExitFigure {
  /** Exact CPU time so far, ns; the raw µs above until the split. */
  runNs: number;
  leaderSeen: boolean;
  /** When it was last added to, ms (any clock): a figure never taken is dropped after a while. */
  at: number;
}

/**
 * How long a figure no exit event took is kept, ms. Its process's exit event comes a
 * batch or two after it (the kernel sends the report first), so a figure older than this
 * is one whose event was lost (the connector's queue overran): kept longer, a new
 * process given the same PID after the PIDs wrapped would take it as its own (a machine
 * forking hundreds a second wraps 32,768 PIDs in a minute).
 */
const KEEP_MS = 2_000;

/**
 * The exact CPU split into user and system time in the ratio of the raw counts (all
 * user when they are both 0), as the kernel's `cputime_adjust` does; the raw counts
 * without an exact time.
 */
function split(p: Pending): { utimeUs: number; stimeUs: number } {
  if (p.runNs <= 0) return { utimeUs: p.utimeUs, stimeUs: p.stimeUs };
  const total = p.runNs / 1000;
  const raw = p.utimeUs + p.stimeUs;
  const stimeUs = raw > 0 ? total * p.stimeUs / raw : 0;
  return { utimeUs: total - stimeUs, stimeUs };
}

/** Figures of exiting processes, by thread group ID, oldest process first. */
export class ExitFigures {
  readonly #byGroup = new Map<number, Pending[]>();

  /** Adds one task's report; `now` in ms. */
  add(task: TaskExit, now: number): void {
    const group = task.tgid ?? task.pid;
    // before version 12 a thread's report does not say its process: the leader's alone
    if (task.tgid === null && task.pid !== group) return;
    const leader = task.pid === group;
    let list = this.#byGroup.get(group);
    if (!list) this.#byGroup.set(group, list = []);
    let last = list.at(-1);
    if (!last || last.whole || (leader && last.leaderSeen)) {
      last = {
        utimeUs: 0,
        stimeUs: 0,
        runNs: 0,
        hiwaterRssKib: 0,
        whole: false,
        leaderSeen: false,
        at: now,
      };
      list.push(last);
    }
    last.utimeUs += task.utimeUs;
    last.stimeUs += task.stimeUs;
    last.runNs += task.runNs;
    last.hiwaterRssKib = Math.max(last.hiwaterRssKib, task.hiwaterRssKib);
    last.leaderSeen ||= leader;
    last.whole = task.lastOfGroup;
    last.at = now;
  }

  /**
   * Returns the figure of the process `pid` whose leader's exit event came now, and
   * forgets it; `undefined` when its leader was not reported. Figures untaken for
   * {@link KEEP_MS} ms are dropped.
   */
  take(pid: number, now: number): ExitFigure | undefined {
    const list = this.#byGroup.get(pid);
    // a finished figure no event took in time was another process's of this PID
    while (list && list.length > 0 && list[0]!.leaderSeen && now - list[0]!.at > KEEP_MS) {
      list.shift();
    }
    const first = list?.[0];
    let figure: ExitFigure | undefined;
    if (first?.leaderSeen) {
      list!.shift();
      if (list!.length === 0) this.#byGroup.delete(pid);
      figure = { ...split(first), hiwaterRssKib: first.hiwaterRssKib, whole: first.whole };
    }
    this.#forget(now);
    return figure;
  }

  #sweptAt = 0;

  #forget(now: number): void {
    if (now - this.#sweptAt < KEEP_MS) return;
    this.#sweptAt = now;
    for (const [group, list] of this.#byGroup) {
      // a live process's exited threads stay (its exit comes later); an ended one's go
      const kept = list.filter((p) => !(p.leaderSeen || p.whole) || now - p.at < KEEP_MS);
      if (kept.length === 0) this.#byGroup.delete(group);
      else this.#byGroup.set(group, kept);
    }
  }

  /** Processes with figures held. */
  get size(): number {
    return this.#byGroup.size;
  }
}
