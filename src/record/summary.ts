/**
 * What a recorded process tree did, `/usr/bin/time -v` style: wall time, CPU (every
 * short-lived process included), peak memory, processes started and the programs that
 * used most CPU. Fed each stored sample and, where the connector runs, each exit.
 *
 * @module
 */
import { displayCommand, UNNAMED } from "../model/process.ts";
import type { KernelUnits } from "../model/process.ts";
import { toNumber } from "../procfs/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import type { ProcessEventRow } from "../store/mod.ts";
import { ReapedCpuTracker } from "../model/cpu.ts";
import {
  AFTER_LAST,
  AFTER_LAST_LEGEND,
  CHILDREN_OF,
  childrenOfLegend,
  creditInterval,
  creditReaped,
  EXITED_BETWEEN,
  EXITED_BETWEEN_LEGEND,
  groupByReaper,
} from "../model/reaped_credit.ts";
import type { ReapedCarry, ReapedCredit, ReapedExit } from "../model/reaped_credit.ts";

export { AFTER_LAST, EXITED_BETWEEN };

/**
 * The least CPU a row of leftovers (`EXITED_BETWEEN`, `AFTER_LAST`, `children of …`) needs
 * to be listed, seconds. Those rows are what a reaper's counters hold beyond its
 * children's own, and each process's own counters are rounded down to ticks twice
 * (utime and stime apart) while its reaper's sum is rounded once: up to two ticks per
 * process reaped, with nothing telling rounding from use. A `sh` reaping three 8 ms
 * children showed 0.01–0.03 s of `children of sh` the kernel never counted. Such rows
 * are dropped from the list (the CPU line's total still holds them); 0.05 s is 5 ticks at
 * the usual 100 Hz, above the rounding of two processes, and a row that small tells
 * nothing the list's two decimals would.
 */
export const LEFTOVER_MIN_SECONDS = 0.05;

/** A program's share of the recording: every process that ran it. */
export interface ProgramUse {
  /** The executable's name (the command line's first word, else the process name). */
  program: string;
  /** The command line of its process that used most CPU. */
  command: string;
  /** CPU its processes used themselves (not their children's), seconds. */
  seconds: number;
  /** Processes that ran it (sampled, or named by an exit event). */
  processes: number;
  /** The largest resident memory a sample saw of one of them, bytes; `null` when none was sampled alive. */
  peakRssBytes: number | null;
}

/** The figures of a summary. */
export interface TreeSummary {
  wallSeconds: number;
  /** CPU seconds in user and kernel mode, reaped descendants included. */
  userSeconds: number;
  systemSeconds: number;
  /** Where the CPU figure comes from: the kernel's count of reaped children, or the samples. */
  cpuSource: "rusage" | "samples";
  /** The largest sum of the tree's resident memory at one sample, bytes, and when (unix s). */
  peakTreeRss: { bytes: number; at: number } | null;
  /**
   * The largest resident memory of one process, bytes, and its command: from the
   * samples, or the kernel's `ru_maxrss` of everything reaped when larger (the peak then
   * fell between samples, whether or not a sample saw the process, and its command is
   * `null`). `exact`: the kernel's count says no process had more; else a lower bound (a
   * brief peak between samples is not seen). `seen`: where the figure comes from — a
   * sample, an exit's own figure from the kernel, or the kernel's count of all reaped.
   */
  peakProcessRss:
    | { bytes: number; command: string | null; exact: boolean; seen: "sample" | "exit" | "kernel" }
    | null;
  /**
   * procpath's own peak, bytes, when the kernel's `ru_maxrss` of what it reaped was not
   * above it: every child procpath forks starts as a copy of it and counts that size as
   * its own until it execs, so the kernel's count tells no peak below this; else `null`.
   */
  kernelBlindBelowBytes: number | null;
  /**
   * Processes started: forks seen by the connector; else processes sampled, those
   * running before the recording left out where that is known (`startedBefore`).
   */
  started: number;
  startedSource: "events" | "samples";
  /** Sampled processes that had started before the recording (not in `started`); `null` when not known. */
  startedBefore: number | null;
  /** The five programs that used most CPU themselves. */
  topPrograms: ProgramUse[];
  /** CPU seconds of leftover rows not listed for being under `LEFTOVER_MIN_SECONDS`; 0 when none. */
  unlistedLeftoverSeconds?: number;
}

const num = (value: unknown) => toNumber(value) ?? 0;

/** The program a command runs: its first word's base name, or the bracketed name's inside. */
export function programOf(command: string): string {
  if (command === "[?]") return UNNAMED;
  if (command.startsWith("[") && command.endsWith("]")) return command.slice(1, -1);
  const first = command.split(" ", 1)[0] ?? "";
  return first.slice(first.lastIndexOf("/") + 1) || command;
}

/** A program's running figures; ticks. */
interface Program {
  ticks: number;
  processes: number;
  peakRss: number | null;
  /** The command line that used most, and its ticks. */
  top: { command: string; ticks: number };
  /** CPU per command line, ticks (to find `top`). */
  byCommand: Map<string, number>;
}

/** A process that exited since the previous sample, as its exit event told it. */
interface Exit {
  pid: number;
  ppid: number;
  command: string;
  /** Its own CPU at exit (read from the zombie), ticks; `null` when not read. */
  ownTicks: number | null;
  /** When it exited, unix seconds. */
  at: number;
  /** The start time of the parent as the latest sample before the exit showed it, ticks. */
  parentStart: number | undefined;
}

/** An interval's reaped CPU waiting for the exits that explain it. */
interface Interval {
  /** The sample that ends it: its number and stamp (unix seconds). */
  sample: number;
  at: number;
  /**
   * When that sample's reading had ended, unix seconds, if known: an exit after it was
   * reaped after its reaper's read, so in a later interval.
   */
  readEnd: number | null;
  /** What each reaper reaped in it beyond what its vanished children had shown, ticks. */
  reapedBy: Map<number, number>;
  /** Those reapers' start times (ticks after boot): which process a PID was then. */
  starts: Map<number, number>;
}

/** What a sampled process had, to take from its exit's figures. */
interface Last {
  starttime: number;
  /** utime + stime, ticks. */
  own: number;
  program: string;
  programRef: Program;
  cmdline: unknown;
  comm: unknown;
  /** The sample count at which it was last sampled (to forget it some samples after). */
  sample: number;
}

/** Samples after which a process that left them is forgotten (its exit event is late). */
const REMEMBERED_SAMPLES = 8;

/**
 * Accumulates a summary over a recording. CPU is summed per interval with
 * `model/cpu.ts`. Each process's own CPU goes to its program: between samples from
 * its counters; after its last sample from its exit event (the zombie's CPU less what
 * the last sample saw). What a reaper reaped that no exit's figures explain goes to
 * the one exit without figures that it reaped in the interval, or to the program all
 * such exits ran; when they ran different programs the split is not known (the zombie
 * was reaped before it could be read: measured, 1 exit of 5 read even with exits woken
 * at once) and it stays `(exited, not split)`, naming them, rather than guessed.
 * What no exit explains is `children of PROGRAM` (`children of PID N, unrecorded` for
 * a reaper no recent sample saw).
 */
export class SummaryTracker {
  readonly #clockTicks: number;
  readonly #pageSize: number;
  readonly #cpu: ReapedCpuTracker;
  #userTicks = 0;
  #systemTicks = 0;
  #peakTree: { bytes: number; at: number } | null = null;
  #peakProcess: { bytes: number; command: string } | null = null;
  /** Whether exits carried their own peak (taskstats): then every exit's peak is known. */
  #exitPeaks = false;
  /** The largest a sample saw, the same object as `#peakProcess` while nothing else raised it. */
  #sampledPeak: { bytes: number; command: string } | null = null;
  /** The start time of the process each PID last named: a new one counts as started. */
  readonly #starts = new Map<number, number>();
  #started = 0;
  /** Processes sampled whose start time is not after `#since`: running before the recording. */
  #startedBefore = 0;
  /** procpath's own start time, ticks after boot: a process started later started in the recording. */
  readonly #since: number | undefined;
  /** The programs that are leftovers of reapers' counters, not programs (`LEFTOVER_MIN_SECONDS`). */
  readonly #leftovers = new Set<string>();
  readonly #programs = new Map<string, Program>();
  /** The processes of the recent samples, by PID (their exits may arrive late). */
  #last = new Map<number, Last>();
  #samples = 0;
  /** What reapers reaped that no exit explained yet, ticks, and their programs, by PID. */
  #unexplained = new Map<number, { ticks: number; program: string }>();
  /** Exits' figures credited that their reapers have not reaped yet (the reverse). */
  #carry: ReapedCarry<Exit> = new Map();
  /** Exits not yet attributed (their process may still be in the next sample). */
  #exits: Exit[] = [];
  /**
   * The latest intervals, settled two samples late: an exit event comes up to 100 ms
   * (a batch) after the exit, later under load, so the exits of an interval are all
   * known only once the next interval has passed (settled at once, a sampled idle
   * `sleep` took the CPU of an `alloc2` whose exit came 52 ms after the sample).
   */
  #intervals: Interval[] = [];

  /**
   * `bootTime`: the kernel's `btime` (unix seconds, whole), which bounds the boot
   * moment that tells a process born between samples from one that entered the
   * selection; without it the samples alone bound it. `since`: when the recording began
   * as a start time (ticks after boot; procpath's own, on the same clock as every
   * process's, exact to a tick with no boot moment to infer): processes started no
   * later are not counted as started; without it every process sampled is.
   */
  constructor(
    context: KernelUnits & { bootTime?: number | undefined; since?: number | undefined },
  ) {
    this.#since = context.since;
    this.#clockTicks = context.clockTicks;
    this.#pageSize = context.pageSize;
    const btime = context.bootTime;
    // btime is whole seconds, rounded down: the boot is before the next one
    this.#cpu = new ReapedCpuTracker(
      context.clockTicks,
      btime !== undefined && btime > 0 ? btime + 1 : undefined,
    );
  }

  #program(name: string): Program {
    let program = this.#programs.get(name);
    if (!program) {
      program = {
        ticks: 0,
        processes: 0,
        peakRss: null,
        top: { command: "", ticks: -1 },
        byCommand: new Map(),
      };
      this.#programs.set(name, program);
    }
    return program;
  }

  /** Credits `ticks` to a command and its program (`name`, its own unless given). */
  #add(command: string, ticks: number, name = programOf(command)): void {
    if (!(ticks > 0)) return;
    const program = this.#program(name);
    program.ticks += ticks;
    const mine = (program.byCommand.get(command) ?? 0) + ticks;
    program.byCommand.set(command, mine);
    if (mine > program.top.ticks) program.top = { command, ticks: mine };
  }

  /**
   * Takes one stored sample's processes (each once) stamped `wallMs` (unix ms, as its
   * reading started); `readEndMs`, a moment after its reading ended (unix ms), narrows
   * which exits can explain the interval's reaping.
   */
  sample(nodes: readonly ProcessNode[], wallMs: number, readEndMs?: number): void {
    const now = this.#last;
    const sampleNo = ++this.#samples;
    let treeRss = 0;
    let largest: ProcessNode | null = null;
    let largestRss = this.#peakProcess?.bytes ?? 0;
    // the command of a process is made only where it is needed: 3,000 a sample add up
    const commandOf = (node: ProcessNode) => displayCommand(node.cmdline, node.stat.comm);
    const at = wallMs / 1000;
    const intervals = this.#cpu.next(nodes, wallMs / 1000);
    // what each reaper reaped in the interval, by its PID
    const reapedBy = new Map<number, number>();
    const starts = new Map<number, number>();
    // forEach and an indexed loop: a for…of makes an iterator result per process in code
    // V8 leaves unoptimized at one run a second (~135 B a process and sample)
    intervals.forEach((cpu, pid) => {
      this.#userTicks += cpu.userOwn + cpu.userReaped;
      this.#systemTicks += cpu.systemOwn + cpu.systemReaped;
      const reaped = cpu.userReaped + cpu.systemReaped;
      if (reaped > 0) reapedBy.set(pid, reaped);
    });
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const s = node.stat;
      const pid = num(s.pid);
      const starttime = num(s.starttime);
      const known = now.get(pid);
      const fresh = this.#starts.get(pid) !== starttime;
      if (fresh) {
        this.#starts.set(pid, starttime);
        if (this.#since !== undefined && starttime <= this.#since) this.#startedBefore++;
        else this.#started++;
      }
      // the program is named again only when the command line or name changed
      const same = known?.starttime === starttime;
      let program: Program;
      let name: string;
      if (same && known!.cmdline === node.cmdline && known!.comm === s.comm) {
        program = known!.programRef;
        name = known!.program;
      } else {
        name = programOf(commandOf(node));
        program = this.#program(name);
        // a new process, or an exec: one more process ran the program
        if (fresh || (same && known!.program !== name)) program.processes++;
      }
      const cpu = intervals.get(pid);
      const used = cpu ? cpu.userOwn + cpu.systemOwn : 0;
      if (used > 0) this.#add(commandOf(node), used, name);
      const rss = num(s.rss) * this.#pageSize;
      treeRss += rss;
      if (rss > largestRss) {
        largest = node;
        largestRss = rss;
      }
      if (rss > (program.peakRss ?? 0)) program.peakRss = rss;
      if (reapedBy.has(pid)) starts.set(pid, starttime);
      const own = num(s.utime) + num(s.stime);
      if (same) {
        // updated in place: a new object per process and sample adds up over 3,000
        const last = known!;
        last.own = own;
        last.program = name;
        last.programRef = program;
        last.cmdline = node.cmdline;
        last.comm = s.comm;
        last.sample = sampleNo;
      } else {
        now.set(pid, {
          starttime,
          own,
          program: name,
          programRef: program,
          cmdline: node.cmdline,
          comm: s.comm,
          sample: sampleNo,
        });
      }
    }
    if (largest !== null) {
      this.#peakProcess = { bytes: largestRss, command: commandOf(largest) };
      this.#sampledPeak = this.#peakProcess;
    }
    // 10 ms for the event clock's own drift from the wall clock (a wider window only
    // names fewer programs)
    const readEnd = readEndMs === undefined ? null : readEndMs / 1000 + 0.01;
    this.#intervals.push({ sample: sampleNo, at, readEnd, reapedBy, starts });
    while (this.#intervals.length > 2) {
      const interval = this.#intervals.shift()!;
      this.#settle(interval, interval.readEnd ?? this.#intervals[0]!.at);
    }
    if (sampleNo % REMEMBERED_SAMPLES === 0) {
      now.forEach((last, pid) => {
        if (last.sample <= sampleNo - REMEMBERED_SAMPLES) now.delete(pid);
      });
    }
    if (treeRss > 0 && treeRss > (this.#peakTree?.bytes ?? -1)) {
      this.#peakTree = { bytes: treeRss, at: wallMs / 1000 };
    }
  }

  /**
   * Settles an interval: the exits before `until` (its sample's read end, else the next
   * sample's stamp) whose process its sample no longer showed explain what their
   * reapers reaped, as `model/reaped_credit.ts` credits it; what none explains is
   * carried to the next interval, and so are figures credited beyond what their reaper
   * reaped (it reaps them later, and that is not theirs a second time). Exits before the
   * interval's end are used up; later ones may still belong to the next interval.
   * Returns the exits it took that no reaper's CPU was credited to beyond their figures
   * (for the last settling, those after the last sample).
   */
  #settle(interval: Interval, until: number): Exit[] {
    const { reapedBy } = interval;
    const gone = (exit: Exit) => (this.#last.get(exit.pid)?.sample ?? 0) < interval.sample;
    // an exit whose figures were read explains the interval it ended in (one reaped just
    // after it, its reaper's rest is carried and meets it); one without may have been
    // reaped before its reaper's read in the next sample
    const candidates = this.#exits.filter((e) =>
      e.at < (e.ownTicks === null ? until : interval.at) && gone(e)
    );
    // a carried reaper keeps the name it had (it may be forgotten since)
    const carriedNames = new Map<number, string>();
    for (const [pid, carried] of this.#unexplained) {
      reapedBy.set(pid, (reapedBy.get(pid) ?? 0) + carried.ticks);
      carriedNames.set(pid, carried.program);
    }
    this.#unexplained = new Map();
    const exitsBy = new Map<number, ReapedExit<Exit>[]>();
    for (const [reaper, exits] of groupByReaper(candidates)) {
      exitsBy.set(reaper, exits.map((exit) => this.#reapedExit(exit)));
    }
    // a reaper with exits only is the parent they had (the latest sample, settled two
    // samples late, may show a new process with its PID)
    const parents = new Map<number, number>();
    for (const e of candidates) if (e.parentStart !== undefined) parents.set(e.ppid, e.parentStart);
    const startOf = (pid: number) =>
      interval.starts.get(pid) ?? parents.get(pid) ?? this.#last.get(pid)?.starttime;
    const credited = creditInterval(reapedBy, exitsBy, startOf, this.#carry);
    this.#carry = credited.carry;
    const shares = [...credited.shares].map(([reaper, share]) => ({ reaper, share }));
    // the exits' own figures first, in their order, then the rests by reaper: the order
    // of credits breaks ties between the commands of a program (its busiest)
    const own = new Map<Exit, ReapedCredit<Exit>>();
    for (const { share } of shares) {
      for (const credit of share.credits) {
        if (credit.kind === "own") own.set(credit.exit.process, credit);
      }
    }
    for (const exit of candidates) {
      const credit = own.get(exit);
      if (credit) this.#credit(credit);
    }
    const named = new Set<Exit>();
    for (const { reaper, share } of shares) {
      for (const credit of share.credits) {
        if (credit.kind === "own") continue;
        this.#credit(credit);
        for (const exit of credit.kind === "exit" ? [credit.exit] : credit.exits) {
          named.add(exit.process);
        }
      }
      // the exits that explain it may come with a later sample's events
      if (share.unexplained > 0) {
        // a reaper outside the recording (procpath itself, for the orphans it adopts)
        const program = this.#last.get(reaper)?.program ?? carriedNames.get(reaper) ??
          `PID ${reaper}, unrecorded`;
        this.#unexplained.set(reaper, { ticks: share.unexplained, program });
      }
    }
    // gone by the interval's end: reaped in it or before (a parent reaps at once)
    const used = candidates.filter((e) =>
      e.ownTicks !== null || named.has(e) || e.at < interval.at
    );
    for (const exit of used) {
      if (!this.#last.has(exit.pid)) this.#program(programOf(exit.command)).processes++;
      this.#last.delete(exit.pid);
    }
    const usedSet = new Set(used);
    this.#exits = this.#exits.filter((e) => !usedSet.has(e));
    return candidates.filter((e) => !named.has(e));
  }

  /** An exit as the shared rule takes it: its program and CPU figures, ticks. */
  #reapedExit(exit: Exit): ReapedExit<Exit> {
    return {
      process: exit,
      program: programOf(exit.command),
      zombieTicks: exit.ownTicks,
      sampledTicks: this.#last.get(exit.pid)?.own ?? 0,
    };
  }

  /** Settles every interval left (the last with every exit), then the exits after them. */
  #settleAll(): Exit[] {
    while (this.#intervals.length > 0) {
      const interval = this.#intervals.shift()!;
      this.#settle(interval, interval.readEnd ?? this.#intervals[0]?.at ?? Infinity);
    }
    // exits after the last sample: their own figures where read; all are returned, to
    // take what the kernel counted after the last sample (beyond the figures)
    const after = this.#settle(
      { sample: Infinity, at: Infinity, readEnd: null, reapedBy: new Map(), starts: new Map() },
      Infinity,
    );
    this.#exits = [];
    return after;
  }

  /**
   * Adds one credit of the shared rule: to the exit's command; to the program (with
   * the command all its exits ran, else its name); or to the label, with its programs
   * as the command (`(exited, not split): sleep, alloc2`).
   */
  #credit(credit: ReapedCredit<Exit>): void {
    switch (credit.kind) {
      case "own":
      case "exit":
        this.#add(credit.exit.process.command, credit.ticks, credit.exit.program);
        return;
      case "program": {
        const commands = new Set(credit.exits.map((e) => e.process.command));
        const command = commands.size === 1 ? credit.exits[0]!.process.command : credit.program;
        this.#add(command, credit.ticks, credit.program);
        return;
      }
      case "label":
        this.#leftovers.add(credit.label);
        this.#add(credit.programs.join(", "), credit.ticks, credit.label);
    }
  }

  /**
   * Takes an exit (its command from the exec before it): its own CPU, read from the
   * zombie, is its program's. The lifetime (seconds from its fork) is not used: it
   * does not tell how much CPU a process used.
   */
  exited(row: ProcessEventRow, command: string, _lifetime?: number | null): void {
    if (row.ppid === null) return;
    this.#exits.push({
      pid: row.pid,
      ppid: row.ppid,
      command,
      ownTicks: row.utime !== null && row.stime !== null ? row.utime + row.stime : null,
      at: row.ts,
      parentStart: this.#last.get(row.ppid)?.starttime,
    });
    this.#exitPeak(row, command);
  }

  /**
   * Raises the largest process's peak (and its program's) to an exit's own, the kernel's
   * taskstats `hiwater_rss` where the listener had it: exact, however briefly it lasted
   * between samples (the samples see only what is resident as they read).
   */
  #exitPeak(row: ProcessEventRow, command: string): void {
    const bytes = (row.peakRssKib ?? 0) * 1024;
    if (bytes <= 0) return;
    this.#exitPeaks = true;
    const program = this.#program(programOf(command));
    if (bytes > (program.peakRss ?? 0)) program.peakRss = bytes;
    if (bytes > (this.#peakProcess?.bytes ?? 0)) this.#peakProcess = { bytes, command };
  }

  /**
   * Returns the summary. `rusage` (the kernel's count of everything procpath reaped,
   * for `record -- COMMAND`) replaces the CPU summed from samples and raises the
   * largest process's peak to its `maxRssKib` where that is above `selfMaxRssKib`
   * (below, it may be procpath's own); `started` (forks the connector saw) the
   * count of processes sampled.
   */
  finish(
    wallSeconds: number,
    options: {
      rusage?:
        | { userSeconds: number; systemSeconds: number; maxRssKib?: number; selfMaxRssKib?: number }
        | null;
      started?: number | null;
    } = {},
  ): TreeSummary {
    const rusage = options.rusage ?? null;
    if (rusage) {
      // what ran after the last sample: the exits since explain it by their own CPU, the
      // exits without figures take the rest by the shared rule, else it is not attributed
      const after = this.#settleAll();
      const counted = [...this.#programs.values()].reduce((sum, p) => sum + p.ticks, 0);
      const rest = (rusage.userSeconds + rusage.systemSeconds) * this.#clockTicks - counted;
      const unexplained = [...this.#unexplained.values()].reduce((sum, u) => sum + u.ticks, 0);
      // under a tick is the counters' rounding
      if (rest - unexplained >= 1) {
        // a figure is counted already: only what was reaped beyond it (its teardown) is left
        const exits = after.map((exit) =>
          exit.ownTicks === null
            ? this.#reapedExit(exit)
            : { ...this.#reapedExit(exit), zombieTicks: 0, sampledTicks: 0 }
        );
        const share = creditReaped(rest - unexplained, exits, AFTER_LAST);
        for (const credit of share.credits) if (credit.kind !== "own") this.#credit(credit);
        if (share.unexplained > 0) {
          this.#leftovers.add(AFTER_LAST);
          this.#add(AFTER_LAST, share.unexplained, AFTER_LAST);
        }
      }
    } else this.#settleAll();
    for (const { ticks, program } of this.#unexplained.values()) {
      this.#leftovers.add(`children of ${program}`);
      this.#add(`children of ${program}`, ticks, `children of ${program}`);
    }
    this.#unexplained = new Map();
    // figures credited that no sample saw reaped were reaped after the last (the kernel's
    // count has them once) or never: the summary has them once already
    this.#carry = new Map();
    const leftoverMin = LEFTOVER_MIN_SECONDS * this.#clockTicks;
    let unlistedTicks = 0;
    for (const [name, p] of this.#programs) {
      if (this.#leftovers.has(name) && p.ticks > 0 && p.ticks < leftoverMin) {
        unlistedTicks += p.ticks;
      }
    }
    const topPrograms = [...this.#programs]
      .filter(([name, p]) => p.ticks > 0 && (!this.#leftovers.has(name) || p.ticks >= leftoverMin))
      .sort((a, b) => b[1].ticks - a[1].ticks).slice(0, 5)
      .map(([program, p]) => ({
        program,
        command: p.top.command,
        seconds: p.ticks / this.#clockTicks,
        processes: p.processes,
        peakRssBytes: p.peakRss,
      }));
    const sampled = this.#peakProcess;
    // an exit's peak is the kernel's for that process, and with exits' peaks known the
    // largest of them and of the samples is the largest process's
    const fromExit = sampled !== null && sampled !== this.#sampledPeak;
    let peakProcess: TreeSummary["peakProcessRss"] = sampled && {
      ...sampled,
      exact: fromExit,
      seen: fromExit ? "exit" : "sample",
    };
    let blindBelow: number | null = null;
    // a child's peak includes procpath's own when it was forked: only a larger one is theirs
    const maxRss = (rusage?.maxRssKib ?? 0) * 1024;
    const floor = rusage?.selfMaxRssKib === undefined ? null : rusage.selfMaxRssKib * 1024;
    if (rusage?.maxRssKib !== undefined && floor !== null) {
      // exits' own peaks see below procpath's size: the kernel's sum is then not needed
      if (maxRss <= floor) blindBelow = this.#exitPeaks ? null : floor;
      else if (maxRss > (sampled?.bytes ?? 0)) {
        peakProcess = { bytes: maxRss, command: null, exact: true, seen: "kernel" };
      } // the kernel's count is no larger: the sampled process had the largest peak
      else peakProcess = { ...peakProcess!, exact: true };
    }
    return {
      wallSeconds,
      userSeconds: rusage ? rusage.userSeconds : this.#userTicks / this.#clockTicks,
      systemSeconds: rusage ? rusage.systemSeconds : this.#systemTicks / this.#clockTicks,
      cpuSource: rusage ? "rusage" : "samples",
      peakTreeRss: this.#peakTree,
      peakProcessRss: peakProcess,
      kernelBlindBelowBytes: blindBelow,
      started: options.started ?? this.#started,
      startedSource: options.started == null ? "samples" : "events",
      startedBefore: options.started == null && this.#since !== undefined
        ? this.#startedBefore
        : null,
      topPrograms,
      unlistedLeftoverSeconds: unlistedTicks / this.#clockTicks,
    };
  }
}

const MIB = 1024 * 1024;

/** Returns the summary as lines a person reads (no trailing newline). */
export function formatSummary(summary: TreeSummary, title: string): string[] {
  const cpu = summary.userSeconds + summary.systemSeconds;
  const cores = summary.wallSeconds > 0 ? cpu / summary.wallSeconds : 0;
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
  const cut = (text: string, width = 60) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text;
  const lines = [
    title,
    `  wall time       ${summary.wallSeconds.toFixed(2)} s`,
    `  CPU             ${cpu.toFixed(2)} s (user ${summary.userSeconds.toFixed(2)} s, system ${
      summary.systemSeconds.toFixed(2)
    } s), ${cores.toFixed(2)} cores on average, exited processes included${
      summary.cpuSource === "samples" ? " (from the samples)" : ""
    }`,
  ];
  if (summary.peakTreeRss) {
    lines.push(
      `  peak RSS        ${mib(summary.peakTreeRss.bytes)} the whole tree at one sample, at ${
        new Date(summary.peakTreeRss.at * 1000).toISOString().slice(11, 19)
      } UTC`,
    );
  }
  const largest = summary.peakProcessRss;
  const under = (first: boolean) => first ? "  peak RSS        " : "                  ";
  if (largest) {
    // a figure the kernel does not confirm is what the samples saw: a brief peak between
    // them is missed, so it is a bound, and the process it names may not be the largest
    lines.push(
      `${under(!summary.peakTreeRss)}${
        largest.command === null
          ? `${
            mib(largest.bytes)
          } the largest process (the kernel's count of those reaped: its peak fell between samples)`
          : largest.exact
          ? `${mib(largest.bytes)} the largest process: ${cut(largest.command)}`
          : `≥ ${mib(largest.bytes)} the largest process; the largest ${
            largest.seen === "sample" ? "a sample saw" : "an exit reported"
          }: ${cut(largest.command)}`
      }`,
    );
  }
  if (!summary.peakTreeRss && !largest) {
    lines.push("  peak RSS        unknown: no sample caught a live process");
  }
  if (summary.kernelBlindBelowBytes !== null) {
    lines.push(
      `                  (the kernel's count cannot tell a peak below ${
        mib(summary.kernelBlindBelowBytes)
      }, procpath's own: each process it starts counts that size until it execs)`,
    );
  }
  const before = summary.startedBefore;
  lines.push(
    `  processes       ${summary.started} ${
      summary.startedSource === "events"
        ? "started"
        : before === null
        ? "seen in samples"
        : `started that a sample saw${
          before > 0 ? ` (and ${before} running before the recording)` : ""
        }`
    }`,
  );
  if (summary.topPrograms.length > 0) {
    lines.push(
      "  most CPU        (each program's own; processes, peak RSS seen, its busiest command)",
    );
    for (const p of summary.topPrograms) {
      const figures = [
        p.processes > 0 ? `${p.processes} process${p.processes === 1 ? "" : "es"}` : "",
        p.peakRssBytes === null ? "" : mib(p.peakRssBytes),
      ].filter(Boolean).join(", ");
      lines.push(
        `    ${p.seconds.toFixed(2).padStart(9)} s  ${cut(p.program, 24)}${
          figures ? ` (${figures})` : ""
        }${p.command && p.command !== p.program ? `: ${cut(p.command, 50)}` : ""}`,
      );
    }
    // the rows that are no program's say what they hold: the old "exited between samples" was
    // read as processes no sample saw, when most were sampled
    const shown = new Set(summary.topPrograms.map((p) => p.program));
    for (
      const [label, legend] of [[EXITED_BETWEEN, EXITED_BETWEEN_LEGEND], [
        AFTER_LAST,
        AFTER_LAST_LEGEND,
      ]]
    ) {
      if (shown.has(label!)) lines.push(`                  ${legend}`);
    }
    for (const p of summary.topPrograms) {
      if (p.program.startsWith(CHILDREN_OF)) {
        lines.push(`                  ${childrenOfLegend(p.program)}`);
      }
    }
  }
  // the CPU line's total holds them: without a word the rows listed fall short of it
  const unlisted = summary.unlistedLeftoverSeconds ?? 0;
  if (unlisted >= 0.005) {
    lines.push(
      `${summary.topPrograms.length > 0 ? " ".repeat(18) : "  most CPU        "}(${
        unlisted.toFixed(2)
      } s in rows under ${LEFTOVER_MIN_SECONDS} s not listed)`,
    );
  }
  return lines;
}
