/**
 * The charts of `explore`: one per built-in plot query the recording can answer, and
 * the reference's extra ones (total RSS, total CPU, total disk I/O with I/O wait, the
 * process timeline). Series come back decimated to the chart's pixel width by SQLite
 * itself (the largest value of each pixel column, so peaks stay visible) and shaped
 * as `plot` shapes them: the top N lines and "others".
 *
 * @module
 */
import type { ProcFileName } from "../procfs/mod.ts";
import { shapeSeries } from "../plot/shape_series.ts";
import {
  bucketedByProcess,
  bucketedTotals,
  lastValues,
  processLifetimes,
} from "../store/explore_reads.ts";
import type { Buckets, ReadOnlyRecording } from "../store/explore_reads.ts";
import { BUILTIN_QUERIES } from "../store/queries.ts";
import type { SeriesQuery } from "../store/queries.ts";

/** A chart the UI can draw. */
export interface ChartInfo {
  id: string;
  title: string;
  /** Lines over time, or the process timeline's bars. */
  kind: "lines" | "timeline";
  /** Titles of the Y axes (a second one for I/O wait). */
  axes: string[];
}

/** A chart's data: one shared x (unix seconds) and a y array per line. */
export interface ChartData {
  x: number[];
  series: {
    key: string;
    label: string;
    pid: number | null;
    command: string;
    axis: 0 | 1;
    y: (number | null)[];
  }[];
}

/** A process's life in the recording, for the timeline. */
export interface Lifetime {
  pid: number;
  comm: string;
  first: number;
  last: number;
  /** Mean CPU over its life, % of one core. */
  cpu: number;
}

/** What to draw: the time window, the pixel width, the lines, the processes. */
export interface ChartRequest {
  after?: number | undefined;
  before?: number | undefined;
  width: number;
  top: number;
  pids?: readonly number[] | undefined;
}

const EXTRA: {
  id: string;
  title: string;
  kind: ChartInfo["kind"];
  files: ProcFileName[];
  axes: string[];
}[] = [
  {
    id: "timeline",
    title: "Process timeline (colour: CPU)",
    kind: "timeline",
    files: ["stat"],
    axes: [],
  },
  {
    id: "total_rss",
    title: "Total Resident Set Size, MiB",
    kind: "lines",
    files: ["stat"],
    axes: ["MiB"],
  },
  {
    id: "total_cpu",
    title: "Total CPU Usage incl. exited children, %",
    kind: "lines",
    files: ["stat"],
    axes: ["%"],
  },
  {
    id: "total_io",
    title: "Total Disk IO, B/s and I/O wait, %",
    kind: "lines",
    files: ["stat", "io"],
    axes: ["B/s", "I/O wait, %"],
  },
];

/** The charts a recording of `files` can draw: memory first (its query is the cheapest), then the rest. */
export function chartCatalogue(files: readonly ProcFileName[]): ChartInfo[] {
  const has = (needed: readonly ProcFileName[]) => needed.every((f) => files.includes(f));
  return [
    ...Object.values(BUILTIN_QUERIES)
      .sort((a, b) => Number(b.name === "rss") - Number(a.name === "rss"))
      .filter((q) => has(q.procfilesRequired))
      .map((q) => ({ id: q.name!, title: q.title, kind: "lines" as const, axes: [q.title] })),
    ...EXTRA.filter((c) => has(c.files)).map(({ id, title, kind, axes }) => ({
      id,
      title,
      kind,
      axes,
    })),
  ];
}

/** Computes a chart. `span` is the recording's first and last sample time. */
export function chartData(
  db: ReadOnlyRecording,
  id: string,
  request: ChartRequest,
  span: [number, number],
  meta: { clockTicks: number },
): ChartData | Lifetime[] {
  const t0 = request.after ?? span[0], t1 = request.before ?? span[1];
  const step = Math.max((t1 - t0) / Math.max(1, request.width), 1e-6);
  const window: Buckets = {
    ...(request.after !== undefined ? { after: request.after } : {}),
    ...(request.before !== undefined ? { before: request.before } : {}),
    ...(request.pids ? { pids: request.pids } : {}),
    t0,
    step,
  };
  const at = (b: number) => t0 + b * step;

  if (id === "timeline") {
    return processLifetimes(db, window).map(({ ticks, ...life }) => ({
      ...life,
      cpu: life.last > life.first ? 100 * ticks / meta.clockTicks / (life.last - life.first) : 0,
    }));
  }

  // a total per sample, then the largest per pixel column
  const totals = (query: SeriesQuery, key: string, label: string, axis: 0 | 1) => ({
    key,
    label,
    rows: bucketedTotals(db, query, window),
    axis,
  });
  let lines: {
    key: string;
    label: string;
    rows: (readonly [number, number | null])[];
    axis: 0 | 1;
  }[];
  if (id === "total_rss") {
    lines = [totals(BUILTIN_QUERIES.rss!, "total_rss", "total RSS", 0)];
  } else if (id === "total_cpu") {
    // the processes' CPU with their reaped children's: short-lived ones included
    lines = [totals(BUILTIN_QUERIES.cpu_total!, "total_cpu", "total CPU", 0)];
  } else if (id === "total_io") {
    lines = [
      totals(BUILTIN_QUERIES.rbs!, "read", "read", 0),
      totals(BUILTIN_QUERIES.wbs!, "write", "write", 0),
      totals(BUILTIN_QUERIES.wait!, "wait", "I/O wait", 1),
    ];
  } else {
    const query = BUILTIN_QUERIES[id];
    if (!query) throw new Error(`unknown chart ${id}`);
    // per process: the largest value of each pixel column, then the top N and others
    const rows = bucketedByProcess(db, query, window);
    const comm = lastValues(db, "stat_comm");
    const shaped = shapeSeries(rows, { comm, cmdline: new Map() }, {
      grouping: { kind: "pid" },
      top: request.top,
      rankBy: "mean",
      minSamples: 1,
    });
    return aligned(
      shaped.map((line) => ({
        key: line.key,
        label: line.pid === null ? line.label : `${line.pid} ${line.detail}`,
        pid: line.pid,
        command: line.detail,
        axis: 0 as const,
        rows: line.points,
      })),
      at,
    );
  }
  return aligned(lines.map((line) => ({ ...line, pid: null, command: "" })), at);
}

/** Lines of (pixel column, value) pairs on one shared x: a y per column, `null` where a line has none. */
function aligned(
  lines: (Omit<ChartData["series"][number], "y"> & {
    rows: readonly (readonly [number, number | null])[];
  })[],
  at: (bucket: number) => number,
): ChartData {
  const buckets = [...new Set(lines.flatMap((l) => l.rows.map(([b]) => b)))].sort((a, b) => a - b);
  const index = new Map(buckets.map((b, i) => [b, i]));
  return {
    x: buckets.map(at),
    series: lines.map(({ rows, ...line }) => {
      const y: (number | null)[] = new Array(buckets.length).fill(null);
      for (const [b, v] of rows) y[index.get(b)!] = v;
      return { ...line, y };
    }),
  };
}
