import type { Command } from "commander";
import { FORMATTERS, renderSvg, STYLES, toSeries } from "../plot/mod.ts";
import type { Series } from "../plot/mod.ts";
import { BUILTIN_QUERIES, createQuery, openRecording } from "../store/mod.ts";
import type { SeriesQuery } from "../store/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { CommandError } from "./errors.ts";
import { readUserFile, requireRegularFile, writeFileAtomically } from "./read_user_file.ts";
import {
  collect,
  parseChoice,
  parseInteger,
  parseNumber,
  parsePidList,
  parseUtcTime,
} from "./options.ts";

/** Options of `procpath plot`, as commander hands them over. */
export interface PlotOptions {
  databaseFile: string;
  plotFile: string;
  queryName: string[];
  customQueryFile: string[];
  customValueExpr: string[];
  after?: number;
  before?: number;
  pidList?: number[];
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

/** Adds `procpath plot` to the program. */
export function registerPlot(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("plot")
    .description("Plot a recording's processes over time into an SVG file.")
    .requiredOption(
      "-d, --database-file <database-file>",
      "SQLite database made by procpath record",
    )
    .option("-f, --plot-file <plot-file>", "SVG file to write", "plot.svg")
    .option(
      "-q, --query-name <query-name>",
      `built-in query, repeatable: ${Object.keys(BUILTIN_QUERIES).join(", ")}`,
      collect,
      [],
    )
    .option(
      "--custom-query-file <custom-query-file>",
      "file of SQL returning ts, pid, value; repeatable",
      collect,
      [],
    )
    .option(
      "--custom-value-expr <custom-value-expr>",
      "SQL expression over record columns; repeatable",
      collect,
      [],
    )
    .option(
      "-a, --after <after>",
      "only samples at or after this UTC time, YYYY-MM-DDTHH:MM:SS",
      parseUtcTime,
    )
    .option("-b, --before <before>", "only samples at or before this UTC time", parseUtcTime)
    .option("-p, --pid-list <pid-list>", "only these PIDs (comma-separated)", parsePidList)
    .option("-s, --share-y-axis", "one Y axis for all queries (needed for more than two)")
    .option("-l, --logarithmic", "logarithmic Y axis")
    .option(
      "--style <style>",
      `colour theme: ${Object.keys(STYLES).join(", ")}`,
      parseChoice(Object.keys(STYLES)),
    )
    .option(
      "--formatter <formatter>",
      `Y value format: ${Object.keys(FORMATTERS).join(", ")}`,
      parseChoice(Object.keys(FORMATTERS)),
    )
    .option("--title <title>", "chart title instead of the queries' titles")
    .option("--no-dots", "no hover dots")
    .option("--relative-time", "X labels as time since the first label")
    .option(
      "-e, --epsilon <epsilon>",
      "Ramer–Douglas–Peucker decimation ε, in value units",
      parseNumber,
    )
    .option(
      "-w, --moving-average-window <moving-average-window>",
      "centred moving average window, points",
      parseInteger,
    )
    .action((options: PlotOptions) => {
      if (hooks.capture) return hooks.capture("plot", [], options);
      hooks.done(runPlotCommand(options, deps));
    });
}

/** Collects the queries in the reference's order and validates them with its messages. */
export function collectQueries(options: PlotOptions): SeriesQuery[] {
  const queries: SeriesQuery[] = [];
  for (const name of options.queryName) {
    const query = BUILTIN_QUERIES[name];
    if (!query) throw new CommandError(`Unknown query ${name}`);
    queries.push(query);
  }
  for (const expr of options.customValueExpr) queries.push(createQuery(expr, "Custom expression"));
  for (const file of options.customQueryFile) {
    queries.push({
      name: null,
      title: "Custom query",
      sql: readUserFile(file),
      minVersion: null,
      procfilesRequired: [],
    });
  }
  if (queries.length === 0) throw new CommandError("No query to plot");
  if (!options.shareYAxis && queries.length > 2) {
    throw new CommandError("More than 2 queries to plot on 2 Y axes");
  }
  if (options.movingAverageWindow !== undefined && options.movingAverageWindow <= 0) {
    throw new CommandError("Moving average window must be a positive number");
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
 * Runs `procpath plot`: the queries over the recording, moving average then RDP per
 * process, and the SVG written to the plot file. Returns the exit code.
 */
export function runPlotCommand(options: PlotOptions, deps: CliDeps): number {
  const queries = collectQueries(options);
  try {
    requireRegularFile(options.databaseFile);
  } catch (error) {
    throw new Error(`Cannot open "${options.databaseFile}": ${(error as Error).message}`);
  }
  const recording = openRecording(options.databaseFile);
  const series: Series[] = [];
  try {
    const commands = recording.commands();
    queries.forEach((query, i) => {
      const rows = recording.series(query, {
        after: options.after,
        before: options.before,
        pids: options.pidList,
      });
      series.push(...toSeries(rows, {
        name: query.name ?? `№${i + 1}`,
        axis: options.shareYAxis || i === 0 ? 0 : 1,
        commands,
        epsilon: options.epsilon,
        movingAverageWindow: options.movingAverageWindow,
      }));
    });
  } finally {
    recording.close();
  }
  const twoAxes = !options.shareYAxis && queries.length === 2;
  const svg = renderSvg(series, {
    title: options.title ?? chartTitle(queries, Boolean(options.shareYAxis)),
    axisTitles: twoAxes
      ? [queries[0].title, queries[1].title]
      : [queries.length === 1 ? queries[0].title : ""],
    logarithmic: options.logarithmic,
    formatter: options.formatter,
    style: options.style,
    dots: options.dots,
    relativeTime: options.relativeTime,
  });
  writeFileAtomically(options.plotFile, svg);
  deps.log.debug(`Plotted ${series.length} series into ${options.plotFile}`);
  return 0;
}
