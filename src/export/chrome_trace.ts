/**
 * A run in the Trace Event Format that chrome://tracing and Perfetto's UI open: each
 * tree the recording holds is a trace process (named after its root's command), each
 * row of nested lifetimes a thread track, each process one complete (`X`) slice, and
 * CPU and RSS by program `C` counters. A viewer holds a counter's value from its time
 * forward, so each interval's CPU is stamped at the interval's start (and the series
 * ends with a 0 at the last sample); RSS, a reading, at its sample. Times are
 * microseconds from the recording's start (its unix time is in `otherData`).
 *
 * @module
 */
import { assignLanes } from "../report/lanes.ts";
import type { Run, RunProcess } from "../report/run_model.ts";

/** One trace event (only the fields procpath writes). */
export interface TraceEvent {
  name: string;
  ph: "M" | "X" | "C";
  pid: number;
  tid?: number;
  /** Microseconds from the recording's start. */
  ts?: number;
  /** Microseconds. */
  dur?: number;
  cat?: string;
  args: Record<string, unknown>;
}

/** The JSON object form of a trace. */
export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms";
  /** Figures as numbers (seconds, MiB), each explained in a `*_source` or `*_note` key. */
  otherData: Record<string, string | number | null>;
}

/** Programs a counter names one by one; the rest are summed as `other`. */
const COUNTER_PROGRAMS = 8;

const MIB = 1024 * 1024;

/** Returns `run` as a trace (pure). */
export function toChromeTrace(run: Run): ChromeTrace {
  const origin = run.summary.start;
  const us = (seconds: number) => Math.round((seconds - origin) * 1e6);
  const events: TraceEvent[] = [];
  const rootOf = new Array<number>(run.processes.length);
  for (const p of run.processes) rootOf[p.id] = p.parent === null ? p.id : rootOf[p.parent]!;
  const groups = new Map<number, RunProcess[]>();
  for (const p of run.processes) {
    const list = groups.get(rootOf[p.id]!);
    if (list) list.push(p);
    else groups.set(rootOf[p.id]!, [p]);
  }
  const usedPids = new Set<number>();
  /** A number not used yet for this kind of id: the PID itself unless the kernel reused it. */
  const unique = (used: Set<number>, wanted: number) => {
    let id = wanted;
    while (used.has(id)) id += 1 << 22; // past the kernel's largest PID
    used.add(id);
    return id;
  };
  let counterPid: number | null = null;
  let sortIndex = 0;
  for (const [rootId, members] of groups) {
    const root = run.processes[rootId]!;
    const pid = unique(usedPids, root.pid);
    counterPid ??= pid;
    events.push(
      meta("process_name", pid, undefined, { name: `${root.program} ${root.pid}` }),
      meta("process_sort_index", pid, undefined, { sort_index: sortIndex++ }),
    );
    const index = new Map(members.map((p, i) => [p.id, i]));
    const spans = members.map((p) => {
      const start = us(p.start);
      return {
        start,
        end: Math.max(start, us(p.end)),
        parent: p.parent === null ? null : index.get(p.parent) ?? null,
      };
    });
    const layout = assignLanes(spans);
    const usedTids = new Set<number>();
    const tids = layout.heads.map((head, lane) => {
      const p = members[head]!;
      const tid = unique(usedTids, p.pid);
      events.push(
        meta("thread_name", pid, tid, { name: `${p.program} ${p.pid}` }),
        meta("thread_sort_index", pid, tid, { sort_index: lane }),
      );
      return tid;
    });
    members.forEach((p, i) => {
      const span = spans[i]!;
      events.push({
        name: p.program,
        cat: "process",
        ph: "X",
        ts: span.start,
        dur: span.end - span.start,
        pid,
        tid: tids[layout.lane[i]!]!,
        args: sliceArgs(p, run),
      });
    });
  }
  if (counterPid !== null) events.push(...counters(run, counterPid, us));
  const s = run.summary;
  // the whole run's figures, which no slice or counter holds: CPU after the last sample,
  // and a largest process that lived between samples
  // numbers a script can read, each with its explanation in a key of its own
  const otherData: Record<string, string | number | null> = {
    recording: run.path,
    start: new Date(origin * 1000).toISOString(),
    source: "procpath export --format chrome-trace",
    cpu_s: round(s.cpuSeconds, 3),
    cpu_source: s.cpuSource === "rusage"
      ? "the kernel's count (getrusage), exited processes included"
      : "summed from the samples",
  };
  // CPU of processes not told apart (their zombies unread) is no slice's: the slices and
  // this add up to cpu_s
  const unattributed = run.programs.filter((p) => p.count === 0)
    .reduce((sum, p) => sum + p.cpuSeconds, 0);
  if (unattributed > 0) {
    otherData.cpu_unattributed_s = round(unattributed, 3);
    otherData.cpu_unattributed_note = "CPU of exited processes no slice holds (not split by guess)";
  }
  if (s.peakProcessRss !== null) {
    otherData.largest_process_rss_mib = round(s.peakProcessRss.bytes / MIB, 1);
    otherData.largest_process_command = s.peakProcessRss.command;
    otherData.largest_process_source = s.peakProcessRss.source === "kernel"
      ? "the kernel's count (getrusage ru_maxrss): its peak fell between samples"
      : "the most a sample saw of one process";
  }
  if (s.runs > 1) {
    otherData.run = s.run;
    otherData.runs = s.runs;
  }
  return { traceEvents: events, displayTimeUnit: "ms", otherData };
}

function meta(
  name: string,
  pid: number,
  tid: number | undefined,
  args: Record<string, unknown>,
): TraceEvent {
  // metadata as Chrome writes it: category __metadata, at time 0
  const event: TraceEvent = { name, cat: "__metadata", ph: "M", ts: 0, pid, args };
  if (tid !== undefined) event.tid = tid;
  return event;
}

/** What a slice says of its process when selected. */
function sliceArgs(p: RunProcess, run: Run): Record<string, unknown> {
  const args: Record<string, unknown> = {
    pid: p.pid,
    ppid: p.parent === null ? null : run.processes[p.parent]!.pid,
    command: p.command,
    cpu_s: round(p.cpuSeconds, 3),
  };
  // a share of CPU several processes' reaper reaped is an estimate; say how much
  if (p.estimatedCpuSeconds >= 0.0005) args.cpu_estimated_s = round(p.estimatedCpuSeconds, 3);
  // what samples saw is a lower bound; a process none saw has no figure at all
  if (p.sampled) args.peak_rss_mib_sampled = round(p.peakRss / MIB, 1);
  else args.peak_rss = "not sampled: it lived between two samples";
  if (p.exitSignal !== null) args.exit_signal = p.exitSignal;
  else if (p.exitCode !== null) args.exit_status = p.exitCode;
  if (p.running) args.running_at_end = true;
  if (p.startFrom === "before") args.started_before_recording = true;
  return args;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

/**
 * CPU (cores) and RSS (MiB) by program, the largest programs by name. The series' CPU at
 * sample t is the interval ending there: it is stamped at sample t − 1, where the
 * interval starts, since a viewer draws a counter's value from its time forward; the
 * last sample ends the series with 0.
 */
function counters(run: Run, pid: number, us: (s: number) => number): TraceEvent[] {
  const { times, programs, cpu, rss } = run.series;
  const named = programs.slice(0, COUNTER_PROGRAMS);
  /** The programs' values in `table` at index `t` (absent: 0), the rest as `other`. */
  const argsAt = (table: number[][], t: number, scale: number, digits: number) => {
    const args: Record<string, number> = {};
    let other = 0;
    programs.forEach((name, k) => {
      const value = table[k]![t] ?? 0;
      if (k < named.length) args[name] = round(value / scale, digits);
      else other += value;
    });
    if (programs.length > named.length) args.other = round(other / scale, digits);
    return args;
  };
  const out: TraceEvent[] = [];
  for (let t = 0; t < times.length; t++) {
    const ts = us(times[t]!);
    // the interval from this sample to the next; past the last, nothing
    out.push({
      name: "CPU cores",
      ph: "C",
      pid,
      ts,
      cat: "counter",
      args: argsAt(cpu, t + 1, 1, 3),
    });
    out.push({ name: "RSS MiB", ph: "C", pid, ts, cat: "counter", args: argsAt(rss, t, MIB, 1) });
  }
  return out;
}
