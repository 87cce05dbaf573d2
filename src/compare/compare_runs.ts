/**
 * Two recorded runs side by side — the whole run's wall time, CPU, peak RSS and
 * processes, and each program's — with the largest changes first, checked against
 * limits on how much a measure may grow (`--max-increase cpu=10%`).
 *
 * A change is called noise when it is under 5 % or under the measure's resolution
 * (wall 0.1 s, CPU 0.05 s, RSS 1 MiB): reruns of one command differ that much. Given a
 * rerun of the base, noise is measured instead: a change within twice the difference
 * between the two base runs (or the resolution, if larger) is noise, and fails no limit.
 *
 * @module
 */
import type { Run } from "../report/run_model.ts";

/** The measures a limit can name. */
export const METRICS = ["cpu", "peak_rss", "wall", "processes"] as const;

/** One of `METRICS`. */
export type Metric = typeof METRICS[number];

/** How much a measure may grow, percent of the base. */
export interface Limit {
  metric: Metric;
  percent: number;
}

/** One measure of both runs. */
export interface MetricChange {
  metric: Metric;
  /** Seconds (wall, cpu), bytes (peak_rss) or a count. */
  base: number;
  new: number;
  /** Percent of the base; null when the base is 0. */
  change_pct: number | null;
  /** Within what reruns of one command show. */
  noise: boolean;
  /** With a rerun of the base: the change reruns show (twice theirs), in the measure's unit. */
  noise_band: number | null;
  /** The limit given for it, percent; null when none. */
  limit_pct: number | null;
  exceeded: boolean;
}

/** One program's figures in a run. */
export interface ProgramFigures {
  cpu_s: number;
  /** Largest sum at one sample (a lower bound); null when no sample saw its processes. */
  peak_rss_bytes: number | null;
  processes: number;
  /** Sum of its processes' lifetimes, seconds. */
  lifetime_s: number;
}

/** One program in both runs (zeros where it did not run). */
export interface ProgramChange {
  program: string;
  base: ProgramFigures;
  new: ProgramFigures;
  cpu_change_pct: number | null;
  peak_rss_change_pct: number | null;
}

/** The comparison. */
export interface Comparison {
  base: string;
  new: string;
  /** The base's rerun that measured the noise, if one was given. */
  rerun: string | null;
  metrics: MetricChange[];
  /** Largest change first (CPU seconds, then peak RSS, then processes). */
  programs: ProgramChange[];
  /** Whether any limit was exceeded. */
  exceeded: boolean;
}

/** The absolute resolution of each measure: a smaller change is noise. */
const RESOLUTION: Record<Metric, number> = {
  wall: 0.1,
  cpu: 0.05,
  peak_rss: 1024 * 1024,
  processes: 0,
};
const NOISE_PCT = 5;

const pct = (base: number, now: number) => base === 0 ? null : (now - base) / base * 100;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** Whether `base` → `now` of `metric` is within what reruns show. */
export function isNoise(metric: Metric, base: number, now: number): boolean {
  const change = pct(base, now);
  return Math.abs(now - base) <= RESOLUTION[metric] ||
    (change !== null && Math.abs(change) < NOISE_PCT);
}

/** The whole run's value of a measure. */
function totalOf(run: Run, metric: Metric): number {
  switch (metric) {
    case "cpu":
      return round(run.summary.cpuSeconds);
    case "peak_rss":
      // both lower bounds of the tree's peak: the largest sum a sample saw, and the
      // largest process (the kernel's count where the recorder noted it: a 400 MiB
      // process between two samples is in no sample's sum)
      return Math.max(run.summary.peakTreeRss?.bytes ?? 0, run.summary.peakProcessRss?.bytes ?? 0);
    case "wall":
      return round(run.summary.wallSeconds);
    case "processes":
      return run.summary.processes;
  }
}

/** How far a program's sampled peak moved, bytes (0 where a side is unknown). */
const rssChange = (p: ProgramChange) =>
  Math.abs((p.new.peak_rss_bytes ?? 0) - (p.base.peak_rss_bytes ?? 0));

const NONE: ProgramFigures = { cpu_s: 0, peak_rss_bytes: 0, processes: 0, lifetime_s: 0 };

/**
 * Returns the comparison of `base` and `now` with each limit checked: a measure
 * exceeds its limit when it grew by more than the limit's percent of the base (from a
 * base of 0, any growth does), unless `rerun` (the base command run again) shows a
 * change as large.
 */
export function compareRuns(
  base: Run,
  now: Run,
  limits: readonly Limit[],
  rerun: Run | null = null,
): Comparison {
  const limitOf = new Map(limits.map((l) => [l.metric, l.percent]));
  const metrics = METRICS.map((metric): MetricChange => {
    const b = totalOf(base, metric), n = totalOf(now, metric);
    const change = pct(b, n);
    const limit = limitOf.get(metric) ?? null;
    const band = rerun === null ? null : round(2 * Math.abs(totalOf(rerun, metric) - b));
    const noise = band === null
      ? isNoise(metric, b, n)
      : Math.abs(n - b) <= Math.max(band, RESOLUTION[metric]);
    const exceeded = limit !== null && n > b && (change === null || change > limit) &&
      !(band !== null && noise);
    return {
      metric,
      base: b,
      new: n,
      change_pct: change === null ? null : round(change, 1),
      noise,
      noise_band: band,
      limit_pct: limit,
      exceeded,
    };
  });
  const figures = (run: Run) =>
    new Map(run.programs.map((p) => [p.program, {
      cpu_s: round(p.cpuSeconds),
      peak_rss_bytes: p.unsampled === p.count ? null : p.peakRss,
      processes: p.count,
      lifetime_s: round(p.totalLifetime),
    }]));
  const before = figures(base), after = figures(now);
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const programs = names.map((program): ProgramChange => {
    const b = before.get(program) ?? NONE, n = after.get(program) ?? NONE;
    const cpu = pct(b.cpu_s, n.cpu_s);
    const rss = b.peak_rss_bytes === null || n.peak_rss_bytes === null
      ? null
      : pct(b.peak_rss_bytes, n.peak_rss_bytes);
    return {
      program,
      base: b,
      new: n,
      cpu_change_pct: cpu === null ? null : round(cpu, 1),
      peak_rss_change_pct: rss === null ? null : round(rss, 1),
    };
  }).sort((x, y) =>
    Math.abs(y.new.cpu_s - y.base.cpu_s) - Math.abs(x.new.cpu_s - x.base.cpu_s) ||
    rssChange(y) - rssChange(x) ||
    Math.abs(y.new.processes - y.base.processes) - Math.abs(x.new.processes - x.base.processes) ||
    (x.program < y.program ? -1 : 1)
  );
  return {
    base: base.path,
    new: now.path,
    rerun: rerun?.path ?? null,
    metrics,
    programs,
    exceeded: metrics.some((m) => m.exceeded),
  };
}
