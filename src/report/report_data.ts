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
  /** Largest sum of its processes' RSS at one sample. */
  peak_rss_bytes: number;
  processes: number;
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
  /** CPU seconds per wall second. */
  cores_average: number;
  peak_rss_bytes: number | null;
  /** ISO 8601 UTC. */
  peak_rss_at: string | null;
  largest_process: { rss_bytes: number; command: string } | null;
  processes: number;
  failures: number;
  samples: number;
  interval_s: number;
  /** Whether short-lived processes and exits were recorded (the events table). */
  process_events: boolean;
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
    cores_average: s.wallSeconds > 0 ? round(s.cpuSeconds / s.wallSeconds, 2) : 0,
    peak_rss_bytes: s.peakTreeRss?.bytes ?? null,
    peak_rss_at: s.peakTreeRss ? iso(s.peakTreeRss.at) : null,
    largest_process: s.peakProcessRss &&
      { rss_bytes: s.peakProcessRss.bytes, command: s.peakProcessRss.command },
    processes: s.processes,
    failures: s.failures,
    samples: s.samples,
    interval_s: round(s.interval),
    process_events: s.hasEvents,
    programs: run.programs.map((p) => ({
      program: p.program,
      cpu_s: round(p.cpuSeconds),
      peak_rss_bytes: p.peakRss,
      processes: p.count,
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
