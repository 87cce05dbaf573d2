/**
 * A run's report as data: the summary, the programs table and the failed processes,
 * keyed with their units (`cpu_s`, `peak_rss_bytes`) for `report --format json` and
 * scripts that gate on it.
 *
 * @module
 */
import { failed } from "./run_model.ts";
import type { Run } from "./run_model.ts";

/** One program's row. */
export interface ProgramRow {
  program: string;
  cpu_s: number;
  /**
   * Largest sum of its processes' RSS at one sample: a lower bound (memory between
   * samples is not seen), null when no sample saw any of its processes.
   */
  peak_rss_bytes: number | null;
  processes: number;
  /** Its processes that lived between two samples: none of their memory is in the peak. */
  unsampled_processes: number;
  /** For CPU not put on one program: the programs that used it between them. */
  among?: string[];
  total_lifetime_s: number;
  longest_lifetime_s: number;
  failures: number;
}

/** A process that exited non-zero or by a signal. */
export interface FailedProcess {
  pid: number;
  program: string;
  command: string;
  exit_status: number | null;
  exit_signal: number | null;
  /** Seconds from the recording's start. */
  at_s: number;
}

/** The report of one run. */
export interface ReportData {
  recording: string;
  /** The command `record -- COMMAND` ran, null when the recording does not say. */
  command: string | null;
  exit_status: number | null;
  exit_signal: number | null;
  /** ISO 8601 UTC. */
  start: string;
  wall_s: number;
  cpu_s: number;
  /** "rusage": the kernel's count the recorder noted (getrusage); "samples": summed from them. */
  cpu_source: "rusage" | "samples";
  /** CPU seconds per wall second. */
  cores_average: number;
  /**
   * The most the samples saw of the whole tree at once (a sum of RSS at one sample): a
   * lower bound, since memory between samples is not seen; null without a sample.
   */
  peak_rss_bytes: number | null;
  /** ISO 8601 UTC. */
  peak_rss_at: string | null;
  /**
   * The largest process. `source` "samples": the most a sample saw of one process;
   * "kernel": the kernel's count (getrusage ru_maxrss) the recorder noted, larger than
   * any sample saw, so its peak fell between samples. `command` is null where the
   * kernel's figure cannot be put on one process (the run had several).
   */
  largest_process:
    | { rss_bytes: number; command: string | null; source: "kernel" | "samples" }
    | null;
  /** The most a sample saw of one process, and its command (null without a sample). */
  largest_sampled_process: { rss_bytes: number; command: string } | null;
  processes: number;
  failures: number;
  samples: number;
  interval_s: number;
  /** Whether short-lived processes and exits were recorded (the events table). */
  process_events: boolean;
  /** Which run of the recording this is (1-based, `--run`) and how many it holds. */
  run: number;
  runs: number;
  programs: ProgramRow[];
  failed_processes: FailedProcess[];
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const iso = (unix: number) => new Date(unix * 1000).toISOString();

/** Returns the report of `run` (pure). */
export function toReportData(run: Run): ReportData {
  const s = run.summary;
  return {
    recording: run.path,
    command: s.command?.command ?? null,
    exit_status: s.command?.exitCode ?? null,
    exit_signal: s.command?.exitSignal ?? null,
    start: iso(s.start),
    wall_s: round(s.wallSeconds),
    cpu_s: round(s.cpuSeconds),
    cpu_source: s.cpuSource,
    cores_average: s.wallSeconds > 0 ? round(s.cpuSeconds / s.wallSeconds, 2) : 0,
    peak_rss_bytes: s.peakTreeRss?.bytes ?? null,
    peak_rss_at: s.peakTreeRss ? iso(s.peakTreeRss.at) : null,
    largest_process: s.peakProcessRss && {
      rss_bytes: s.peakProcessRss.bytes,
      command: s.peakProcessRss.command,
      source: s.peakProcessRss.source,
    },
    largest_sampled_process: s.peakSampledProcessRss &&
      { rss_bytes: s.peakSampledProcessRss.bytes, command: s.peakSampledProcessRss.command },
    processes: s.processes,
    failures: s.failures,
    samples: s.samples,
    interval_s: round(s.interval),
    process_events: s.hasEvents,
    run: s.run,
    runs: s.runs,
    programs: run.programs.map((p) => ({
      program: p.program,
      cpu_s: round(p.cpuSeconds),
      peak_rss_bytes: p.unsampled === p.count ? null : p.peakRss,
      processes: p.count,
      unsampled_processes: p.unsampled,
      ...(p.among && p.among.length > 0 ? { among: p.among } : {}),
      total_lifetime_s: round(p.totalLifetime),
      longest_lifetime_s: round(p.longestLifetime),
      failures: p.failures,
    })),
    failed_processes: run.processes.filter(failed).map((p) => ({
      pid: p.pid,
      program: p.program,
      command: p.command,
      exit_status: p.exitCode,
      exit_signal: p.exitSignal,
      at_s: round(p.end - s.start),
    })),
  };
}
