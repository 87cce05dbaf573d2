import { RunFailure } from "../exit_codes.ts";
import { BUILTIN_QUERIES, createQuery, openRecording } from "../store/mod.ts";
import type { SeriesQuery } from "../store/mod.ts";
import { formatIsoTime } from "./format.ts";
import { renderSvg } from "./render_svg.ts";
import { shapeSeries } from "./shape_series.ts";
import type { Grouping, RankBy } from "./shape_series.ts";
import { toSeries } from "./to_series.ts";
import type { Series } from "./types.ts";

/** What to plot, as the command line gave it. */
export interface PlotPlan {
  databaseFile: string;
  queryName: readonly string[];
  customQueryFile: readonly string[];
  customValueExpr: readonly string[];
  /** Unix seconds, inclusive. */
  after?: number | undefined;
  before?: number | undefined;
  pidList?: readonly number[] | undefined;
  shareYAxis?: boolean | undefined;
  logarithmic?: boolean | undefined;
  style?: string | undefined;
  formatter?: string | undefined;
  title?: string | undefined;
  dots: boolean;
  relativeTime?: boolean | undefined;
  epsilon?: number | undefined;
  movingAverageWindow?: number | undefined;
  /** Lines per query; the rest are summed into "others"; 0 keeps all. */
  top: number;
  rankBy: RankBy;
  /** Processes with fewer samples are left out. */
  minSamples: number;
  groupBy: Grouping;
}

/** A plot the reference refuses, with its message. */
export class PlotError extends RunFailure {}

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
      unit: null,
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
  if (queries.length === 1) return queries[0]!.title;
  if (!shareYAxis) return `${queries[0]!.title} vs ${queries[1]!.title}`;
  return queries.map((q, i) => `${i + 1}. ${q.title}`).join("; ");
}

/**
 * A Y axis's title: a built-in query's title (it names the unit); for a custom
 * expression or file, `--title` when it is the only query, else what the user wrote.
 */
export function axisTitle(
  query: SeriesQuery,
  source: string,
  plan: Pick<PlotPlan, "title">,
  only: boolean,
): string {
  if (query.name !== null) return query.title;
  if (only && plan.title) return plan.title;
  const text = source.replace(/\s+/g, " ").trim();
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** The `-a`/`-b`/`-p` filters in words, for the message of an empty plot. */
function describeFilters(plan: PlotPlan): string {
  const parts = [
    plan.pidList ? `-p ${plan.pidList.join(",")}` : "",
    plan.after !== undefined ? `-a ${formatIsoTime(plan.after)}` : "",
    plan.before !== undefined ? `-b ${formatIsoTime(plan.before)}` : "",
    plan.minSamples > 1 ? `--min-samples ${plan.minSamples}` : "",
  ].filter(Boolean);
  return parts.length > 0 ? ` with ${parts.join(" ")}` : "";
}

/**
 * Runs the queries over the recording — grouping, the top N and "others", then the
 * moving average and RDP per line — and returns the SVG and how many series it
 * draws. Throws `PlotError` when nothing is left to draw; `warn` hears of axes that
 * mix units.
 */
export function plotRecording(
  plan: PlotPlan,
  queries: readonly SeriesQuery[],
  warn: (message: string) => void = () => {},
): { svg: string; series: number } {
  const recording = openRecording(plan.databaseFile);
  const series: Series[] = [];
  const subtree = plan.groupBy.kind === "subtree";
  let values = 0;
  try {
    // by subtree, -p names the roots: their descendants' rows are needed too
    const filter = {
      after: plan.after,
      before: plan.before,
      pids: subtree ? undefined : plan.pidList,
    };
    const facts = recording.processFacts(filter, subtree);
    const grouping: Grouping = subtree ? { kind: "subtree", roots: plan.pidList } : plan.groupBy;
    let keep: Set<string> | undefined;
    queries.forEach((query, i) => {
      const lines = shapeSeries(recording.series(query, filter), facts, {
        grouping,
        top: plan.top,
        rankBy: plan.rankBy,
        minSamples: plan.minSamples,
        keep,
      });
      for (const line of lines) values += line.points.length;
      // the next queries draw the lines this one chose, each with its pair on the other axis
      if (plan.top > 0 && lines.length > 0) {
        keep ??= new Set(lines.map((l) => l.key).filter((k) => k !== "others"));
      }
      series.push(...toSeries(lines, {
        name: query.name ?? `№${i + 1}`,
        axis: plan.shareYAxis || i === 0 ? 0 : 1,
        epsilon: plan.epsilon,
        movingAverageWindow: plan.movingAverageWindow,
      }));
    });
  } finally {
    recording.close();
  }
  // checked before the moving average and RDP: they shape data, they do not filter it
  if (values === 0) {
    throw new PlotError(`No data to plot: the queries return no values${describeFilters(plan)}`);
  }
  const twoAxes = !plan.shareYAxis && queries.length === 2;
  const sources = [
    ...plan.queryName,
    ...plan.customValueExpr,
    ...plan.customQueryFile.map((f) => f.replace(/^.*\//, "")),
  ];
  const titles = queries.map((q, i) => axisTitle(q, sources[i]!, plan, queries.length === 1));
  const units = queries.map((q) => q.unit);
  if (queries.length > 1 && !twoAxes) {
    const known = [...new Set(units.filter((u) => u !== null))];
    if (known.length > 1) {
      warn(
        `-s puts values of different units on one axis (${known.join(", ")}): ` +
          "the smaller ones flatten; plot them with their own axes (two queries without -s)",
      );
    }
  }
  const integers = (axis: number) =>
    plan.formatter === "integer" ||
    queries.every((q, i) => (twoAxes ? i === axis : true) ? q.unit === "count" : true);
  const svg = renderSvg(series, {
    title: plan.title ?? chartTitle(queries, Boolean(plan.shareYAxis)),
    axisTitles: twoAxes ? titles : [queries.length === 1 ? titles[0]! : sharedTitle(queries)],
    logarithmic: plan.logarithmic,
    formatter: plan.formatter,
    style: plan.style,
    dots: plan.dots,
    relativeTime: plan.relativeTime,
    integerTicks: [integers(0), integers(1)],
  });
  return { svg, series: series.length };
}

/** The title of one axis that several queries share: their unit when they agree. */
function sharedTitle(queries: readonly SeriesQuery[]): string {
  const units = [...new Set(queries.map((q) => q.unit))];
  return units.length === 1 && units[0] !== null && units[0] !== "count" ? units[0]! : "";
}
