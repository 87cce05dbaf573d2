import { BUILTIN_QUERIES, createQuery, openRecording } from "../store/mod.ts";
import type { SeriesQuery } from "../store/mod.ts";
import { renderSvg } from "./render_svg.ts";
import { toSeries } from "./to_series.ts";
import type { Series } from "./types.ts";

/** What to plot, as the command line gave it. */
export interface PlotPlan {
  databaseFile: string;
  queryName: readonly string[];
  customQueryFile: readonly string[];
  customValueExpr: readonly string[];
  /** Unix seconds, inclusive. */
  after?: number;
  before?: number;
  pidList?: readonly number[];
  shareYAxis?: boolean;
  logarithmic?: boolean;
  style?: string;
  formatter?: string;
  title?: string;
  dots: boolean;
  relativeTime?: boolean;
  epsilon?: number;
  movingAverageWindow?: number;
}

/** A plot the reference refuses, with its message. */
export class PlotError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = "PlotError";
  }
}

/**
 * Collects the queries in the reference's order — built-in names, custom expressions,
 * custom query files (read with `readFile`) — and validates them with its messages.
 */
export function collectQueries(
  plan: PlotPlan,
  readFile: (path: string) => string,
): SeriesQuery[] {
  const queries: SeriesQuery[] = [];
  for (const name of plan.queryName) {
    const query = BUILTIN_QUERIES[name];
    if (!query) throw new PlotError(`Unknown query ${name}`);
    queries.push(query);
  }
  for (const expr of plan.customValueExpr) queries.push(createQuery(expr, "Custom expression"));
  for (const file of plan.customQueryFile) {
    queries.push({
      name: null,
      title: "Custom query",
      sql: readFile(file),
      minVersion: null,
      procfilesRequired: [],
    });
  }
  if (queries.length === 0) throw new PlotError("No query to plot");
  if (!plan.shareYAxis && queries.length > 2) {
    throw new PlotError("More than 2 queries to plot on 2 Y axes");
  }
  if (plan.movingAverageWindow !== undefined && plan.movingAverageWindow <= 0) {
    throw new PlotError("Moving average window must be a positive number");
  }
  return queries;
}

/** The chart title for the queries, as the reference builds it. */
export function chartTitle(queries: readonly SeriesQuery[], shareYAxis: boolean): string {
  if (queries.length === 1) return queries[0].title;
  if (!shareYAxis) return `${queries[0].title} vs ${queries[1].title}`;
  return queries.map((q, i) => `${i + 1}. ${q.title}`).join("; ");
}

/**
 * Runs the queries over the recording — moving average then RDP per process — and
 * returns the SVG and how many series it draws.
 */
export function plotRecording(
  plan: PlotPlan,
  queries: readonly SeriesQuery[],
): { svg: string; series: number } {
  const recording = openRecording(plan.databaseFile);
  const series: Series[] = [];
  try {
    const commands = recording.commands();
    queries.forEach((query, i) => {
      const rows = recording.series(query, {
        after: plan.after,
        before: plan.before,
        pids: plan.pidList,
      });
      series.push(...toSeries(rows, {
        name: query.name ?? `№${i + 1}`,
        axis: plan.shareYAxis || i === 0 ? 0 : 1,
        commands,
        epsilon: plan.epsilon,
        movingAverageWindow: plan.movingAverageWindow,
      }));
    });
  } finally {
    recording.close();
  }
  const twoAxes = !plan.shareYAxis && queries.length === 2;
  const svg = renderSvg(series, {
    title: plan.title ?? chartTitle(queries, Boolean(plan.shareYAxis)),
    axisTitles: twoAxes
      ? [queries[0].title, queries[1].title]
      : [queries.length === 1 ? queries[0].title : ""],
    logarithmic: plan.logarithmic,
    formatter: plan.formatter,
    style: plan.style,
    dots: plan.dots,
    relativeTime: plan.relativeTime,
  });
  return { svg, series: series.length };
}
