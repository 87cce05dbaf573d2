/**
 * Turns the kernel's process events into `process_event` rows for the recorded
 * subtrees: a fork whose parent is tracked tracks the child; an exec reads the new
 * command line at once (a process that lives microseconds may be gone: its name is
 * then the last `comm` the kernel reported); an exit takes its CPU from the zombie's
 * `stat` when the listener read it before the parent reaped it, else from the kernel's
 * taskstats report of the exit where there is one (exact, and whole: see
 * `kernel/exit_figures.ts`), with its peak RSS. Threads are left out (a fork whose PID is not
 * its thread group's, an exit of a thread that does not lead one).
 *
 * @module
 */
import { parseCmdline, parseStat, parseStatBytes, toNumber } from "../procfs/mod.ts";
import type { ProcReader } from "../procfs/mod.ts";
import type { ReadEvent } from "../kernel/proc_events.ts";
import type { ProcessEventRow } from "../store/mod.ts";

const decoder = new TextDecoder();

/** What a tracker tells its owner besides the rows. */
export interface EventTrackerHooks {
  /** Whether the fork of a tracked process is followed (default: yes). */
  follows?(pid: number, parentPid: number): boolean;
  /** A tracked process forked a process (command mode learns its orphans-to-be). */
  onFork?(pid: number, parentPid: number): void;
  /** A tracked process exited (command mode reaps the orphans it adopted). */
  onExit?(pid: number, parentPid: number): void;
}

/** Collects rows of the tracked processes until they are drained. */
export class EventTracker {
  readonly #reader: ProcReader;
  readonly #clock: (ns: bigint) => number;
  readonly #all: boolean;
  readonly #hooks: EventTrackerHooks;
  /** Tracked processes (thread group IDs) and their last known name. */
  readonly #tracked = new Map<number, string | null>();
  #rows: ProcessEventRow[] = [];
  /** Forks seen of tracked parents: processes started in the subtrees. */
  started = 0;

  readonly #clockTicks: number;

  /**
   * `clock` turns an event's monotonic ns into unix seconds; `all` tracks every process
   * (a recording of the whole machine); `clockTicks` (a second) turns taskstats' µs
   * into the ticks of `stat`.
   */
  constructor(
    reader: ProcReader,
    clock: (ns: bigint) => number,
    all: boolean,
    hooks: EventTrackerHooks = {},
    clockTicks = 100,
  ) {
    this.#reader = reader;
    this.#clock = clock;
    this.#all = all;
    this.#hooks = hooks;
    this.#clockTicks = clockTicks;
  }

  /** Adds the processes of a sample's selection to the tracked ones. */
  track(pids: Iterable<number>): void {
    if (Array.isArray(pids)) {
      // a sample's thousands of PIDs: indexed, no iterator result each
      for (let i = 0; i < pids.length; i++) {
        if (!this.#tracked.has(pids[i])) this.#tracked.set(pids[i], null);
      }
      return;
    }
    for (const pid of pids) if (!this.#tracked.has(pid)) this.#tracked.set(pid, null);
  }

  /** Whether `pid` is tracked now. */
  tracks(pid: number): boolean {
    return this.#all || this.#tracked.has(pid);
  }

  /** Takes one event; rows wait in memory until `drain`. */
  take(event: ReadEvent): void {
    switch (event.kind) {
      case "fork":
        if (event.pid !== event.tgid || !this.tracks(event.parentTgid)) return;
        if (this.#hooks.follows?.(event.tgid, event.parentTgid) === false) return;
        this.#tracked.set(event.tgid, this.#tracked.get(event.parentTgid) ?? null);
        this.started++;
        this.#push(event.ns, "fork", event.tgid, event.parentTgid);
        this.#hooks.onFork?.(event.tgid, event.parentTgid);
        return;
      case "exec": {
        if (event.pid !== event.tgid || !this.tracks(event.tgid)) return;
        const row = this.#push(event.ns, "exec", event.tgid, null);
        // what the listener read the moment the event came, else a read now
        row.cmdline = event.cmdline
          ? parseCmdline(event.cmdline)
          : this.#read(event.tgid, "cmdline", (bytes) => parseCmdline(bytes));
        row.comm = event.comm ?? (event.cmdline ? null : this.#read(
          event.tgid,
          "comm",
          (bytes) => decoder.decode(bytes).trimEnd(),
        ));
        if (row.comm !== null) this.#tracked.set(event.tgid, row.comm);
        return;
      }
      case "comm":
        if (event.pid === event.tgid && this.tracks(event.tgid)) {
          this.#tracked.set(event.tgid, event.comm);
        }
        return;
      case "exit": {
        if (event.pid !== event.tgid || !this.tracks(event.tgid)) return;
        const row = this.#push(event.ns, "exit", event.tgid, event.parentTgid);
        const signal = event.status & 0x7f;
        row.exitSignal = signal === 0 ? null : signal;
        row.exitCode = signal === 0 ? (event.status >> 8) & 0xff : null;
        // a read now, long after the exit, only where the kernel gave no figure
        const stat = event.stat
          ? parseStat(event.stat)
          : event.figure
          ? null
          : this.#read(event.tgid, "stat", parseStatBytes);
        if (stat !== null) {
          row.comm = String(stat.comm ?? row.comm);
          row.utime = toNumber(stat.utime);
          row.stime = toNumber(stat.stime);
          row.cutime = toNumber(stat.cutime);
          row.cstime = toNumber(stat.cstime);
        } else if (event.figure) {
          // the kernel's own count at the exit, µs: no children's CPU in it. Kept to the
          // µs (fractions of a tick): each of 600 short processes rounded to whole ticks
          // lost 1.3 s of 2.9 to rounding
          const ticks = (us: number) => Math.round(us) * this.#clockTicks / 1e6;
          row.utime = ticks(event.figure.utimeUs);
          row.stime = ticks(event.figure.stimeUs);
        }
        if (event.figure) row.peakRssKib = event.figure.hiwaterRssKib;
        this.#tracked.delete(event.tgid);
        this.#hooks.onExit?.(event.tgid, event.parentTgid);
        return;
      }
    }
  }

  /** Returns the rows collected since the last call. */
  drain(): ProcessEventRow[] {
    const rows = this.#rows;
    this.#rows = [];
    return rows;
  }

  #push(ns: bigint, kind: ProcessEventRow["kind"], pid: number, ppid: number | null) {
    const row: ProcessEventRow = {
      ts: this.#clock(ns),
      kind,
      pid,
      ppid,
      comm: this.#tracked.get(pid) ?? null,
      cmdline: null,
      exitCode: null,
      exitSignal: null,
      utime: null,
      stime: null,
      cutime: null,
      cstime: null,
    };
    this.#rows.push(row);
    return row;
  }

  #read<T>(pid: number, name: string, parse: (bytes: Uint8Array) => T): T | null {
    try {
      return parse(this.#reader.readFile(pid, name));
    } catch {
      return null; // gone already, or not this user's to read
    }
  }
}
