import { EXIT } from "../exit_codes.ts";
import { formatIsoTime, FORMATTERS } from "../plot/format.ts";
import type { Grouping, RankBy } from "../plot/shape_series.ts";
import { hasBackreference } from "../query/safe_regexp.ts";
import { STYLES } from "../plot/styles.ts";
import { BUILTIN_QUERIES } from "../store/queries.ts";
import { PyFloat } from "../text/python_format.ts";
import { writeOutputFile } from "../files/output_file.ts";
import { reasonOf } from "../files/output_path.ts";
import { readUserFile, requireRegularFile } from "./read_user_file.ts";
import {
  collect,
  parseChoice,
  parseInteger,
  parseNonNegativeInt,
  parseNumber,
  parsePidList,
  parsePositiveInt,
  parseUtcTime,
} from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, flag, negatedFlag, option, OptionValueError } from "./spec.ts";

const list = (flags: string, help: string, name: string) =>
  option({
    flags,
    help,
    parse: collect,
    default: [] as string[],
    repeatable: true,
    dryRun: { name, value: (values: string[]) => (values.length > 0 ? values : null) },
  });
const time = (seconds: number | undefined) => seconds === undefined ? null : formatIsoTime(seconds);

const GROUPINGS = ["pid", "comm", "subtree", "cmdline:REGEX"];

/** Parses `--group-by`: `pid`, `comm`, `subtree` or `cmdline:REGEX`. */
export function parseGrouping(text: string): Grouping {
  if (text === "pid" || text === "comm") return { kind: text };
  if (text === "subtree") return { kind: "subtree" };
  if (text.startsWith("cmdline:")) {
    const source = text.slice("cmdline:".length);
    if (!source) {
      throw new OptionValueError("cmdline: needs a pattern, e.g. cmdline:'gunicorn|celery'");
    }
    if (hasBackreference(source)) {
      throw new OptionValueError(
        "backreferences are not supported (they can take exponential time)",
      );
    }
    try {
      return { kind: "cmdline", pattern: new RegExp(source) };
    } catch (error) {
      throw new OptionValueError((error as Error).message);
    }
  }
  throw new OptionValueError(`expected one of ${GROUPINGS.join(", ")}`);
}
const showGrouping = (g: Grouping) => g.kind === "cmdline" ? `cmdline:${g.pattern.source}` : g.kind;

/** `procpath plot`: a recording's series as an SVG chart. */
export const plotCommand = defineCommand({
  name: "plot",
  summary: "Plot a recording's processes over time into an SVG file.",
  playable: true,
  args: [],
  options: {
    databaseFile: SHARED.recordingFile,
    plotFile: option({
      flags: "-f, --plot-file <plot-file>",
      help: "SVG file to write",
      parse: (text: string) => text,
      default: "plot.svg",
      defaultText: '"plot.svg"',
    }),
    queryName: list(
      "-q, --query-name <query-name>",
      `built-in query, repeatable: ${Object.keys(BUILTIN_QUERIES).join(", ")}`,
      "query_name_list",
    ),
    customQueryFile: list(
      "--custom-query-file <custom-query-file>",
      "file of SQL returning ts, pid, value; repeatable",
      "custom_query_file_list",
    ),
    customValueExpr: list(
      "--custom-value-expr <custom-value-expr>",
      "SQL expression over record columns; repeatable",
      "custom_value_expr_list",
    ),
    after: option({
      flags: "-a, --after <after>",
      help: "only samples at or after this UTC time, YYYY-MM-DDTHH:MM:SS",
      parse: parseUtcTime,
      dryRun: { value: time },
    }),
    before: option({
      flags: "-b, --before <before>",
      help: "only samples at or before this UTC time",
      parse: parseUtcTime,
      dryRun: { value: time },
    }),
    pidList: option({
      flags: "-p, --pid-list <pid-list>",
      help: "only these PIDs (comma-separated)",
      parse: parsePidList,
    }),
    shareYAxis: flag(
      "-s, --share-y-axis",
      "one Y axis for all queries (needed for more than two)",
      {
        value: Boolean,
      },
    ),
    logarithmic: flag("-l, --logarithmic", "logarithmic Y axis", { value: Boolean }),
    style: option({
      flags: "--style <style>",
      help: `colour theme: ${Object.keys(STYLES).join(", ")}`,
      parse: parseChoice(Object.keys(STYLES)),
    }),
    formatter: option({
      flags: "--formatter <formatter>",
      help: `Y value format: ${Object.keys(FORMATTERS).join(", ")}`,
      parse: parseChoice(Object.keys(FORMATTERS)),
    }),
    title: option({
      flags: "--title <title>",
      help: "chart title instead of the queries' titles",
      parse: (text: string) => text,
    }),
    dots: negatedFlag("--no-dots", "no hover dots", { value: (dots) => !dots }),
    relativeTime: flag("--relative-time", "X labels as time since the first label", {
      value: Boolean,
    }),
    epsilon: option({
      flags: "-e, --epsilon <epsilon>",
      help: "Ramer–Douglas–Peucker decimation ε, in value units",
      parse: parseNumber,
      dryRun: { value: (e) => e === undefined ? null : new PyFloat(e) },
    }),
    movingAverageWindow: option({
      flags: "-w, --moving-average-window <moving-average-window>",
      help: "centred moving average window, points",
      parse: parseInteger,
    }),
    top: option({
      flags: "--top <lines>",
      help: 'lines per query, best by --rank-by; the rest are summed into one "others" line; ' +
        "0 draws every line",
      parse: parseNonNegativeInt,
      default: 10,
      dryRun: { onlyWhenSet: true },
    }),
    rankBy: option({
      flags: "--rank-by <measure>",
      help: "rank lines by mean (over the whole time range), max or last value",
      parse: parseChoice(["mean", "max", "last"]) as (text: string) => RankBy,
      default: "mean" as RankBy,
      dryRun: { onlyWhenSet: true },
    }),
    minSamples: option({
      flags: "--min-samples <count>",
      help: "leave out processes seen in fewer samples (short-lived ones)",
      parse: parsePositiveInt,
      default: 1,
      dryRun: { onlyWhenSet: true },
    }),
    groupBy: option({
      flags: "--group-by <grouping>",
      help: "sum processes into one line per comm, per subtree (-p names the roots; without " +
        "it, each top-level process) or per cmdline:REGEX match (its first group); pid: none",
      parse: parseGrouping,
      default: { kind: "pid" } as Grouping,
      defaultText: "pid",
      dryRun: { onlyWhenSet: true, value: showGrouping },
    }),
  },
  examples: [
    "procpath plot -d out.sqlite -q rss -q cpu -f chart.svg",
    "procpath plot -d out.sqlite -q cpu -p 2610 -a 2026-11-21T09:00:00 -e 0.5",
    "procpath plot -d out.sqlite -q rss --group-by subtree -p 2610 --title 'nginx and its workers'",
    "procpath plot -d out.sqlite -q cpu --group-by comm --top 5 --rank-by max",
  ],
  /** Runs the queries over the recording and writes the SVG by the output-path rules. */
  async run(_args, options, { deps }) {
    const { collectQueries, plotRecording } = await import("../plot/plot_recording.ts");
    const queries = collectQueries(options, readUserFile);
    try {
      requireRegularFile(options.databaseFile);
    } catch (error) {
      throw new Error(`Cannot open "${options.databaseFile}": ${reasonOf(error)}`, {
        cause: error,
      });
    }
    const { svg, series } = plotRecording(options, queries, (m) => deps.log.warning(m));
    writeOutputFile(options.plotFile, svg);
    deps.log.debug(`Plotted ${series} series into ${options.plotFile}`);
    return EXIT.ok;
  },
});
