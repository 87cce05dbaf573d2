/**
 * A recorded run as the CI reports see it: every process with its lifetime (fork to
 * exit from the events table, else the samples that saw it), its program, exit status,
 * CPU and peak RSS; the summary; per-program figures and series; the tree at the
 * moment of peak memory.
 *
 * CPU follows `model/cpu.ts` (`intervalCpu`): each sampled process's own ticks between
 * samples; an exited process's total from its zombie's counters where the exit event
 * read them; and the CPU a parent reaped in an interval (what its children used after
 * their last sample, or all of it for children no sample saw) credited to the
 * processes that vanished from the samples in that interval (an exit whose zombie a
 * sample still shows explains a later one) as the record summary credits it, by one
 * rule (`model/reaped_credit.ts`): their zombies' figures, then the rest to the one
 * process without a figure that can have used it (a child, or one of its exited
 * descendants), or to the program all of them ran; else it stays `EXITED_BETWEEN`
 * rather than guessed (a split by lifetime gave an idle `sleep` a quarter of a 400 MiB
 * `alloc2`'s CPU), and reaped CPU no event explains is `children of PROGRAM`. Where
 * the recorder noted the kernel's count of the command's tree (`store/run_log.ts`),
 * the run's CPU and largest process are the kernel's, and what it counted after the
 * last sample is credited the same way among the processes that exited since, else
 * `AFTER_LAST`.
 *
 * @module
 */
import { intervalCpu } from "../model/cpu.ts";
import type { BirthClock, CpuSample, ProcessCpu } from "../model/cpu.ts";
import { displayCommand, UNNAMED } from "../model/process.ts";
import {
  AFTER_LAST,
  creditInterval,
  creditReaped,
  EXITED_BETWEEN,
  groupByReaper,
} from "../model/reaped_credit.ts";
import type { ReapedCarry, ReapedCredit, ReapedExit } from "../model/reaped_credit.ts";
import { programOf } from "../record/summary.ts";
import type { EventRow, RunRows, SampledRow } from "../store/report_reads.ts";

/** One process of a run (a PID the kernel reused is another process). */
export interface RunProcess {
  /** Its index in `Run.processes`. */
  id: number;
  pid: number;
  /** Its parent's index in `Run.processes`; null for a root of the recording. */
  parent: number | null;
  /** Fork time, unix seconds (the recording's start for one that was already running). */
  start: number;
  /** Exit time, unix seconds (the recording's end for one still running). */
  end: number;
  /**
   * How `start` is known: a fork event, its start time in `stat` (a recording without
   * events), the first sample that saw it, or it predates the recording.
   */
  startFrom: "fork" | "stat" | "sample" | "before";
  /** Still running when the recording ended. */
  running: boolean;
  /** Its program: the command line's first word after its last exec, else its `comm`. */
  program: string;
  /** The command line, or `[comm]` where none was read. */
  command: string;
  exitCode: number | null;
  exitSignal: number | null;
  /** CPU used within the recording, seconds. */
  cpuSeconds: number;
  /**
   * The part of `cpuSeconds` estimated: CPU its reaper reaped in an interval where it
   * and other processes of its program exited with no figure of their own, split among
   * them by the time each ran with no child running (the program's sum is exact).
   */
  estimatedCpuSeconds: number;
  /** Largest resident memory a sample saw, bytes (0 for a process no sample saw). */
  peakRss: number;
  /** Whether a sample saw it alive (its `peakRss` is a lower bound all the same). */
  sampled: boolean;
}

export { AFTER_LAST, EXITED_BETWEEN };

/** What one program's processes did together. */
export interface ProgramStats {
  program: string;
  cpuSeconds: number;
  /**
   * Largest sum of the program's processes' RSS at one sample, bytes: a lower bound,
   * since a process's memory between samples is not seen.
   */
  peakRss: number;
  count: number;
  /** Its processes no sample saw (they lived between two): their memory is not in `peakRss`. */
  unsampled: number;
  /** Sum of the processes' lifetimes, seconds. */
  totalLifetime: number;
  longestLifetime: number;
  /** Processes that exited non-zero or by a signal. */
  failures: number;
  /**
   * For CPU not put on one program (`EXITED_BETWEEN`, `AFTER_LAST`): the programs whose
   * processes used it between them.
   */
  among?: string[];
}

/** The largest process of a run and where its figure comes from. */
export interface LargestProcess {
  bytes: number;
  /** Its command; null where the kernel counted it and the run had several processes. */
  command: string | null;
  /** "kernel": getrusage's ru_maxrss, which the recorder noted; "samples": the most a sample saw. */
  source: "kernel" | "samples";
}

/** The run as a whole. */
export interface RunSummary {
  /** Unix seconds. */
  start: number;
  end: number;
  /**
   * The command's fork to its exit where the events show them, else the run's span as its
   * recorder noted it, else the samples' span; s.
   */
  wallSeconds: number;
  cpuSeconds: number;
  /** Where `cpuSeconds` comes from: the kernel's count the recorder noted, or the samples. */
  cpuSource: "rusage" | "samples";
  /** The largest sum of RSS at one sample, bytes, and when (unix s). */
  peakTreeRss: { bytes: number; at: number } | null;
  /**
   * The largest RSS of one process, bytes: from the samples, or the kernel's count the
   * recorder noted when larger (its peak fell between samples), with the command where
   * it is known (the kernel names no process: only a run of one process tells).
   */
  peakProcessRss: LargestProcess | null;
  /** The largest RSS a sample saw of one process, and its command. */
  peakSampledProcessRss: { bytes: number; command: string } | null;
  processes: number;
  failures: number;
  /**
   * The recorded command (`record -- COMMAND`) and how it ended: from its fork and exit
   * events, else as its recorder noted it (the status a shell gives, 128 + N for signal
   * N); null when unknown.
   */
  command: { command: string; exitCode: number | null; exitSignal: number | null } | null;
  samples: number;
  /** Median time between samples, seconds (0 for one sample). */
  interval: number;
  /** Whether the recording has the process events (short-lived processes, exits). */
  hasEvents: boolean;
  /** Which run of the recording this is (1-based) and how many it holds. */
  run: number;
  runs: number;
}

/** Per-program series at the samples: CPU in cores over the interval ending there, RSS in bytes. */
export interface ProgramSeries {
  /** Sample times, unix seconds. */
  times: number[];
  /** The programs, largest CPU first; the series' rows follow this order. */
  programs: string[];
  cpu: number[][];
  rss: number[][];
}

/** One process of the tree at peak memory, in depth-first order. */
export interface PeakTreeRow {
  depth: number;
  pid: number;
  program: string;
  command: string;
  rss: number;
}

/** Everything the reports show of a run. */
export interface Run {
  path: string;
  summary: RunSummary;
  processes: RunProcess[];
  /** Largest CPU first. */
  programs: ProgramStats[];
  series: ProgramSeries;
  peakTree: PeakTreeRow[];
}

/** A process while the run is being read. */
interface Building {
  id: number;
  pid: number;
  parent: number | null;
  forkTs: number | null;
  firstSeen: number | null;
  lastSeen: number | null;
  exitTs: number | null;
  starttime: number | null;
  execSeen: boolean;
  execName: string | null;
  execCommand: string | null;
  sampleComm: string | null;
  sampleCommand: string | null;
  /** The name the exit event read from the zombie (or last heard of). */
  exitComm: string | null;
  inherited: string;
  /** Its program's name, as `rename` last made it. */
  name: string;
  inheritedCommand: string;
  exitCode: number | null;
  exitSignal: number | null;
  /** The zombie's own CPU, ticks; null when the exit event could not read it. */
  exitCpu: number | null;
  cpuTicks: number;
  /** The part of `cpuTicks` shared to it by estimate, ticks. */
  estimatedTicks: number;
  /** What its reaper reaped beyond its exit figure (its teardown), ticks; of it, by estimate. */
  beyondFigure: { ticks: number; estimated: number };
  /** What it had at its latest sample, ticks (own). */
  sampledTicks: number;
  peakRss: number;
  /** Indices of its children. */
  children: number[];
}

/** An exit of the current interval: the process and the parent that reaped it. */
interface ExitSeen {
  pid: number;
  /** The reaper's PID: the exit's parent, else the fork's. */
  ppid: number;
  p: Building;
}

/** A sampled row and the process it belongs to. */
interface SampleSeen {
  p: Building;
  row: SampledRow;
}

/** The sample of the largest sum of RSS. */
interface PeakSample {
  bytes: number;
  at: number;
  rows: SampleSeen[];
}

/** An event and a sample this close (s) with the same PID are one process's: the clocks differ. */
const SAME_PROCESS_SLACK = 1;

/** How long after its moment a sample's processes may have been read, seconds. */
const READ_SLACK = 0.05;

function nameOf(p: Building): string {
  return p.name;
}

/**
 * Names a process's program as the record summary does (the command line's first word),
 * from what is known of it: its exec, else the samples, else its exit; a process that
 * never exec'd runs its parent's program.
 */
function rename(p: Building): void {
  const sampled = p.sampleCommand === null ? p.sampleComm : programOf(p.sampleCommand);
  p.name = p.execSeen
    ? (p.execCommand === null ? p.execName : programOf(p.execCommand)) ?? sampled ?? p.exitComm ??
      UNNAMED
    : sampled ?? p.exitComm ?? p.inherited;
}

function commandOf(p: Building): string {
  if (p.execSeen) return p.execCommand ?? p.sampleCommand ?? displayCommand(null, nameOf(p));
  return p.sampleCommand ?? p.inheritedCommand;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
};

/** Returns the run a recording holds (pure but for iterating `rows.samples()`, which `openRunRows` reads). */
export function buildRun(rows: RunRows): Run {
  const hz = Number(rows.meta.clock_ticks) || 100;
  const pageSize = Number(rows.meta.page_size) || 4096;
  const events = rows.events ?? [];
  const all: Building[] = [];
  /** The latest process each PID named. */
  const byPid = new Map<number, Building>();
  const live = (pid: number | null) => {
    const p = pid === null ? undefined : byPid.get(pid);
    return p && p.exitTs === null ? p : undefined;
  };
  /** A new process's parent: the live one with its PID, else the last one (an exit stamped early). */
  const parentOf = (pid: number | null) => live(pid) ?? (pid === null ? undefined : byPid.get(pid));
  const create = (pid: number, parent: Building | undefined): Building => {
    const p: Building = {
      id: all.length,
      pid,
      parent: parent?.id ?? null,
      forkTs: null,
      firstSeen: null,
      lastSeen: null,
      exitTs: null,
      starttime: null,
      execSeen: false,
      execName: null,
      execCommand: null,
      sampleComm: null,
      sampleCommand: null,
      exitComm: null,
      inherited: parent ? nameOf(parent) : UNNAMED,
      name: parent ? nameOf(parent) : UNNAMED,
      inheritedCommand: parent ? commandOf(parent) : "[?]",
      exitCode: null,
      exitSignal: null,
      exitCpu: null,
      cpuTicks: 0,
      estimatedTicks: 0,
      beyondFigure: { ticks: 0, estimated: 0 },
      sampledTicks: 0,
      peakRss: 0,
      children: [],
    };
    if (parent) parent.children.push(p.id);
    all.push(p);
    byPid.set(pid, p);
    return p;
  };
  /**
   * The processes that exited since the previous sample, with the parent that reaped
   * them, and those exited before that a sample still showed (zombies not reaped yet).
   */
  let exitedSince: ExitSeen[] = [];
  /** Exits' figures credited that their reapers had not reaped yet, by reaper. */
  let carry: ReapedCarry<Building> = new Map();
  const applyEvent = (e: EventRow) => {
    const current = live(e.pid);
    if (e.kind === "fork") {
      const seen = current && current.forkTs === null && current.firstSeen !== null &&
        Math.abs(current.firstSeen - e.ts) < SAME_PROCESS_SLACK;
      if (seen) current.forkTs = e.ts;
      else create(e.pid, parentOf(e.ppid)).forkTs = e.ts;
      return;
    }
    const p = current ?? create(e.pid, parentOf(e.ppid));
    if (e.kind === "exec") {
      p.execSeen = true;
      p.execCommand = e.cmdline || null;
      p.execName = e.comm;
      rename(p);
      return;
    }
    p.exitTs = e.ts;
    p.exitComm = e.comm;
    rename(p);
    p.exitCode = e.exitCode;
    p.exitSignal = e.exitSignal;
    if (e.utime !== null && e.stime !== null) p.exitCpu = e.utime + e.stime;
    const reaper = e.ppid ?? (p.parent === null ? null : all[p.parent]!.pid);
    if (reaper !== null) exitedSince.push({ pid: e.pid, ppid: reaper, p });
  };

  // samples read in one pass, grouped by time, with the events up to each applied first
  let firstTs: number | null = null;
  let windowStart = events[0]?.ts ?? Infinity;
  let nextEvent = 0;
  let previous: CpuSample | null = null;
  const clock: BirthClock = { clockTicks: hz, bootAt: rows.bootAt };
  let previousTs = windowStart;
  const times: number[] = [];
  const unattributed = new Map<string, number>();
  /** The programs each label's CPU was used by, one or another of them. */
  const among = new Map<string, Set<string>>();
  const seriesCpu = new Map<string, number[]>();
  const seriesRss = new Map<string, number[]>();
  const seriesAdd = (table: Map<string, number[]>, program: string, at: number, value: number) => {
    if (value === 0) return;
    let row = table.get(program);
    if (!row) table.set(program, row = []);
    row[at] = (row[at] ?? 0) + value;
  };
  let peakTree: PeakSample | null = null;
  let peakProcess: { bytes: number; command: string } | null = null;
  /** The current sample's rows with their processes. */
  let seen: SampleSeen[] = [];
  let current = new Map<number, ProcessCpu>();
  let treeRss = 0;
  let ts = NaN;
  /** Ends the sample at `ts`: the interval's CPU, the peak, the series' index `g`. */
  const endSample = () => {
    const g = times.length;
    times.push(ts);
    for (const { p, row } of seen) {
      // born in the recording and first seen at its first sample: all its CPU is the run's
      if (previous === null && p.forkTs !== null) {
        p.cpuTicks += row[4] + row[5];
        seriesAdd(seriesCpu, nameOf(p), g, row[4] + row[5]);
      }
      seriesAdd(seriesRss, nameOf(p), g, row[8] * pageSize);
    }
    if (treeRss > (peakTree?.bytes ?? -1)) peakTree = { bytes: treeRss, at: ts, rows: seen };
    const sample: CpuSample = { at: ts, processes: current };
    /** What each reaper reaped in the interval, by its PID, ticks. */
    const reapedBy = new Map<number, number>();
    for (const [pid, used] of intervalCpu(previous, sample, clock)) {
      const p = byPid.get(pid)!;
      const own = used.userOwn + used.systemOwn;
      p.cpuTicks += own;
      seriesAdd(seriesCpu, nameOf(p), g, own);
      const reaped = used.userReaped + used.systemReaped;
      if (reaped > 0) reapedBy.set(pid, reaped);
    }
    // an exit this sample still shows (its zombie, or read just before it exited) has
    // its CPU up to here counted as its own above, and is reaped later: it explains the
    // interval it leaves the samples in
    const shown = (e: ExitSeen) => current.get(e.pid)?.starttime === e.p.starttime;
    // before the first sample there is no interval: nothing was reaped in one
    if (previous !== null) shareReaped(reapedBy, exitedSince.filter((e) => !shown(e)), g);
    for (const { p, row } of seen) p.sampledTicks = row[4] + row[5];
    exitedSince = exitedSince.filter(shown);
    previous = sample;
    previousTs = ts;
    seen = [];
    current = new Map();
    treeRss = 0;
  };
  for (const row of rows.samples()) {
    if (row[0] !== ts) {
      if (seen.length > 0) endSample();
      ts = row[0];
      if (firstTs === null) {
        firstTs = ts;
        windowStart = Math.min(windowStart, ts);
        previousTs = windowStart;
      }
      // a sample's time is taken before its processes are read, on another clock than the
      // events': what happened in the read's first moments belongs before it
      while (nextEvent < events.length && events[nextEvent]!.ts <= ts + READ_SLACK) {
        applyEvent(events[nextEvent++]!);
      }
    }
    const [, pid, ppid, starttime, utime, stime, cutime, cstime, rssPages, comm, cmdline] = row;
    if (current.has(pid)) continue; // a PID twice in a sample: the first row, as record keeps
    let p = byPid.get(pid);
    const same = p !== undefined && (p.starttime === starttime ||
      (p.starttime === null &&
        (p.exitTs === null || ts - p.exitTs < SAME_PROCESS_SLACK)));
    if (!same) p = create(pid, parentOf(ppid));
    p = p!;
    p.starttime = starttime;
    p.firstSeen ??= ts;
    if (p.exitTs === null) p.lastSeen = ts;
    // a name changes rarely: the program is worked out again only when it does
    const command = cmdline === null ? p.sampleCommand : displayCommand(cmdline, comm);
    if ((comm !== null && comm !== p.sampleComm) || command !== p.sampleCommand) {
      if (comm !== null) p.sampleComm = comm;
      p.sampleCommand = command;
      rename(p);
    }
    const rss = rssPages * pageSize;
    if (rss > p.peakRss) p.peakRss = rss;
    if (rss > (peakProcess?.bytes ?? 0)) peakProcess = { bytes: rss, command: commandOf(p) };
    treeRss += rss;
    seen.push({ p, row });
    current.set(pid, { pid, ppid, starttime, utime, stime, cutime, cstime });
  }
  if (seen.length > 0) endSample();
  if (firstTs === null) throw new RangeError(`${rows.path} holds no sample`);
  const lastTs = ts;
  const windowEnd = Math.max(lastTs, events[events.length - 1]?.ts ?? -Infinity);
  while (nextEvent < events.length) applyEvent(events[nextEvent++]!);

  /**
   * Credits what each reaper reaped in an interval (`reapedBy`, ticks by PID) to the
   * processes that left the samples in it (`model/reaped_credit.ts`), and each exit's
   * figure to it even where its reaper reaped nothing here (what it reaps of it later is
   * carried, not credited again); adds them to the series at `g`.
   */
  function shareReaped(reapedBy: Map<number, number>, exits: ExitSeen[], g: number) {
    const exitsBy = new Map<number, ReapedExit<Building>[]>();
    for (const [reaper, list] of groupByReaper(exits)) {
      exitsBy.set(reaper, list.map((e) => reapedExit(e.p)));
    }
    // the reapers as the interval's sample shows them: one gone reaps nothing more
    const startOf = (pid: number) => current.get(pid)?.starttime;
    const credited = creditInterval(reapedBy, exitsBy, startOf, carry);
    carry = credited.carry;
    for (const [reaper, share] of credited.shares) {
      for (const one of share.credits) seriesAdd(seriesCpu, credit(one), g, one.ticks);
      if (share.unexplained > 0) {
        // no event names a child (a recording without events), or all had their figures
        const label = `children of ${nameOf(byPid.get(reaper)!)}`;
        unattribute(label, [], share.unexplained);
        seriesAdd(seriesCpu, label, g, share.unexplained);
      }
    }
  }

  /** A process as the shared rule takes it: its program and CPU figures, ticks. */
  function reapedExit(p: Building): ReapedExit<Building> {
    return { process: p, program: nameOf(p), zombieTicks: p.exitCpu, sampledTicks: p.sampledTicks };
  }

  /**
   * Adds one credit of the shared rule to its process or label: a process its figure
   * (one born in the recording gets its whole exit figure at the end; one older than the
   * recording only what it used since its last sample) or the rest; a program's
   * processes each a share by the time it ran with no child running (an estimate within
   * the program's exact figure). Returns the program (or label) credited.
   */
  function credit(one: ReapedCredit<Building>): string {
    switch (one.kind) {
      case "own": {
        const p = one.exit.process;
        if (p.forkTs === null) p.cpuTicks += one.ticks;
        return nameOf(p);
      }
      case "exit":
        one.exit.process.cpuTicks += one.ticks;
        one.exit.process.beyondFigure.ticks += one.ticks;
        return nameOf(one.exit.process);
      case "program": {
        const members = one.exits.map((e) => e.process);
        const weights = members.map((m) => Math.max(1e-6, exclusiveTime(m)));
        const total = weights.reduce((a, b) => a + b, 0);
        members.forEach((m, i) => {
          const share = one.ticks * weights[i]! / total;
          m.cpuTicks += share;
          m.estimatedTicks += share;
          m.beyondFigure.ticks += share;
          m.beyondFigure.estimated += share;
        });
        return one.program;
      }
      case "label":
        unattribute(one.label, one.programs, one.ticks);
        return one.label;
    }
  }

  /** Adds `ticks` to `label`, used by one or another of `programs`. */
  function unattribute(label: string, programs: string[], ticks: number) {
    unattributed.set(label, (unattributed.get(label) ?? 0) + ticks);
    if (!among.has(label)) among.set(label, new Set());
    for (const name of programs) among.get(label)!.add(name);
  }

  /** How long `p` lived with none of its children alive, seconds. */
  function exclusiveTime(p: Building): number {
    const from = startOf(p), to = p.exitTs ?? previousTs;
    const spans = p.children.map((id) => all[id]!)
      .map((c) => [Math.max(from, startOf(c)), Math.min(to, c.exitTs ?? to)] as const)
      .filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    let covered = 0, reach = from;
    for (const [a, b] of spans) {
      if (b <= reach) continue;
      covered += b - Math.max(a, reach);
      reach = b;
    }
    return Math.max(0, to - from - covered);
  }

  function startOf(p: Building): number {
    if (p.forkTs !== null) return p.forkTs;
    if (p.firstSeen === firstTs && rows.events !== null) return windowStart;
    return p.firstSeen ?? p.exitTs ?? windowStart;
  }

  // an exited process whose zombie showed its CPU: that is its whole CPU, if born here
  for (const p of all) {
    if (p.exitCpu !== null && p.forkTs !== null) {
      // with what its reaper reaped beyond the figure (the teardown taskstats misses)
      p.cpuTicks = p.exitCpu + p.beyondFigure.ticks;
      p.estimatedTicks = p.beyondFigure.estimated;
    }
  }

  // the recorder's count of the command's tree: what samples and events leave over was
  // used after the last sample by the processes that exited since, credited as above
  const noted = rows.run;
  const kernelTicks = noted?.userSeconds != null && noted.systemSeconds != null
    ? (noted.userSeconds + noted.systemSeconds) * hz
    : null;
  if (kernelTicks !== null) {
    const counted = all.reduce((sum, p) => sum + p.cpuTicks, 0) +
      [...unattributed.values()].reduce((a, b) => a + b, 0);
    const rest = kernelTicks - counted;
    // (an exit the last sample still showed may be a zombie that used nothing since)
    const late = all.filter((p) => p.exitTs !== null && p.exitTs > lastTs);
    // under a tick is the counters' rounding
    if (rest >= 1) {
      // a figure is counted already: only what was reaped beyond it (its teardown) is left
      const exits = late.map((p) => ({
        ...reapedExit(p),
        ...(p.exitCpu !== null ? { zombieTicks: 0, sampledTicks: 0 } : {}),
      }));
      const share = creditReaped(rest, exits, AFTER_LAST);
      for (const one of share.credits) credit(one);
      if (share.unexplained > 0) unattribute(AFTER_LAST, [], share.unexplained);
    }
  }

  // without events, a sampled process's start time in its stat says when it was born: on
  // the samples' clock no earlier than it was (`bootAt` is the latest boot they allow) and
  // no later than its first sample; one born before the recorder started predates the run
  const births = new Map<Building, number>();
  if (rows.events === null) {
    const recorderStart = rows.run?.start ?? firstTs;
    for (const p of all) {
      if (p.starttime === null || p.firstSeen === null) continue;
      const born = Math.min(p.firstSeen, rows.bootAt + p.starttime / hz);
      if (born >= recorderStart) births.set(p, born);
    }
  }
  const origin = Math.min(windowStart, ...births.values());
  const processes: RunProcess[] = all.map((p) => {
    const running = p.exitTs === null && p.lastSeen === lastTs;
    const born = births.get(p);
    const before = born === undefined && p.forkTs === null && p.firstSeen === firstTs;
    return {
      id: p.id,
      pid: p.pid,
      parent: p.parent,
      start: born ?? (before ? windowStart : startOf(p)),
      end: p.exitTs ?? (running ? windowEnd : p.lastSeen ?? windowEnd),
      startFrom: p.forkTs !== null
        ? "fork"
        : born !== undefined
        ? "stat"
        : before
        ? "before"
        : "sample",
      running,
      program: nameOf(p),
      command: commandOf(p),
      exitCode: p.exitCode,
      exitSignal: p.exitSignal,
      cpuSeconds: p.cpuTicks / hz,
      estimatedCpuSeconds: p.estimatedTicks / hz,
      peakRss: p.peakRss,
      sampled: p.firstSeen !== null,
    };
  });
  const programs = programStats(processes, seriesRss, unattributed, hz);
  for (const p of programs) {
    const names = among.get(p.program);
    if (names) p.among = [...names].sort();
  }
  const order = new Map(programs.map((p, i) => [p.program, i]));
  const names = [...new Set([...seriesCpu.keys(), ...seriesRss.keys()])]
    .sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || (a < b ? -1 : 1));
  // a series is sparse where the program had nothing: every sample gets a value
  const full = (row: number[] | undefined) => Array.from(times, (_, i) => row?.[i] ?? 0);
  const cpu = names.map((name) =>
    full(seriesCpu.get(name)).map((t, i) =>
      i === 0 ? 0 : t / hz / Math.max(1e-9, times[i]! - times[i - 1]!)
    )
  );
  const rss = names.map((name) => full(seriesRss.get(name)));

  // set in endSample, which the compiler does not follow
  const peak = peakTree as PeakSample | null;
  const root = commandRoot(rows, all);
  const failures = processes.filter(failed).length;
  const cpuSeconds = kernelTicks !== null
    ? kernelTicks / hz
    : processes.reduce((sum, p) => sum + p.cpuSeconds, 0) +
      [...unattributed.values()].reduce((a, b) => a + b, 0) / hz;
  const kernelPeak = (noted?.maxRssKib ?? 0) * 1024;
  const sampledPeak = peakProcess as { bytes: number; command: string } | null;
  const summary: RunSummary = {
    start: origin,
    end: windowEnd,
    // the events' spawn-to-exit is /usr/bin/time's; without them the samples' span misses
    // the command's start and end (4.02 s for /usr/bin/time's 4.46), while the span its
    // recorder noted holds all of it and at most 0.25 s more (4.52)
    wallSeconds: root && root.forkTs !== null && root.exitTs !== null
      ? root.exitTs - root.forkTs
      : noted
      ? noted.end - noted.start
      : windowEnd - origin,
    cpuSeconds,
    cpuSource: kernelTicks !== null ? "rusage" : "samples",
    peakTreeRss: peak && { bytes: peak.bytes, at: peak.at },
    peakProcessRss: kernelPeak > (sampledPeak?.bytes ?? 0)
      ? {
        bytes: kernelPeak,
        command: processes.length === 1 ? processes[0]!.command : null,
        source: "kernel",
      }
      : sampledPeak && { ...sampledPeak, source: "samples" },
    peakSampledProcessRss: sampledPeak,
    processes: processes.length,
    failures,
    command: root
      ? { command: commandOf(root), exitCode: root.exitCode, exitSignal: root.exitSignal }
      : noted?.command != null
      ? { command: noted.command, exitCode: noted.exitCode, exitSignal: null }
      : null,
    samples: times.length,
    interval: median(times.slice(1).map((t, i) => t - times[i]!)),
    hasEvents: rows.events !== null,
    run: rows.runNumber,
    runs: rows.runCount,
  };
  return {
    path: rows.path,
    summary,
    processes,
    programs,
    series: { times, programs: names, cpu, rss },
    peakTree: peak === null ? [] : treeRows(peak.rows, pageSize),
  };
}

/** What a recording without the events table lacks, in one line for a warning. */
export function lacksEvents(path: string): string {
  return `${path} has no process events (recorded with --no-events, by an older procpath, or ` +
    "where the kernel refused them): processes that lived between samples are missing " +
    "and lifetimes are known to a sampling interval";
}

/** Whether a process failed: a non-zero exit or a signal. */
export const failed = (p: Pick<RunProcess, "exitCode" | "exitSignal">): boolean =>
  (p.exitCode !== null && p.exitCode !== 0) || p.exitSignal !== null;

/**
 * The process `record -- COMMAND` started: the first fork whose parent (procpath) the
 * recording does not hold.
 */
function commandRoot(rows: RunRows, all: Building[]): Building | null {
  const first = rows.events?.find((e) => e.kind === "fork");
  if (!first || first.ppid === null) return null;
  const recorded = all.some((p) => p.pid === first.ppid && p.firstSeen !== null);
  if (recorded) return null;
  return all.find((p) => p.pid === first.pid && p.forkTs === first.ts) ?? null;
}

function programStats(
  processes: RunProcess[],
  seriesRss: Map<string, number[]>,
  unattributed: Map<string, number>,
  hz: number,
): ProgramStats[] {
  const stats = new Map<string, ProgramStats>();
  const of = (program: string) => {
    let s = stats.get(program);
    if (!s) {
      stats.set(
        program,
        s = {
          program,
          cpuSeconds: 0,
          // a sparse row: reduce skips its holes (a spread made them NaN)
          peakRss: (seriesRss.get(program) ?? []).reduce((a, b) => Math.max(a, b), 0),
          count: 0,
          unsampled: 0,
          totalLifetime: 0,
          longestLifetime: 0,
          failures: 0,
        },
      );
    }
    return s;
  };
  for (const p of processes) {
    const s = of(p.program);
    const life = Math.max(0, p.end - p.start);
    s.cpuSeconds += p.cpuSeconds;
    s.count++;
    if (!p.sampled) s.unsampled++;
    s.totalLifetime += life;
    s.longestLifetime = Math.max(s.longestLifetime, life);
    if (failed(p)) s.failures++;
  }
  for (const [name, ticks] of unattributed) of(name).cpuSeconds += ticks / hz;
  return [...stats.values()].sort((a, b) =>
    b.cpuSeconds - a.cpuSeconds || b.peakRss - a.peakRss || b.count - a.count ||
    (a.program < b.program ? -1 : 1)
  );
}

/** The processes of one sample as a tree, depth first, children by PID. */
function treeRows(seen: SampleSeen[], pageSize: number): PeakTreeRow[] {
  const at = new Map<number, SampleSeen>();
  for (const one of seen) at.set(one.row[1], one);
  const children = new Map<number | null, number[]>();
  for (const [pid, { row }] of at) {
    const parent = at.has(row[2]) && row[2] !== pid ? row[2] : null;
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  const out: PeakTreeRow[] = [];
  const visit = (parent: number | null, depth: number) => {
    for (const pid of (children.get(parent) ?? []).sort((a, b) => a - b)) {
      const { row, p } = at.get(pid)!;
      out.push({ depth, pid, program: nameOf(p), command: commandOf(p), rss: row[8] * pageSize });
      visit(pid, depth + 1);
    }
  };
  visit(null, 0);
  return out;
}
