import { formatIsoTime, FORMATTERS } from "../plot/format.ts";
import { STYLES } from "../plot/styles.ts";
import { BUILTIN_QUERIES } from "../store/queries.ts";
import { PyFloat } from "../text/python_format.ts";
import { readUserFile, requireRegularFile, writeFileAtomically } from "./read_user_file.ts";
import {
  collect,
  parseChoice,
  parseInteger,
  parseNumber,
  parsePidList,
  parseUtcTime,
} from "./options.ts";
import { defineCommand, flag, negatedFlag, option } from "./spec.ts";

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

/** `procpath plot`: a recording's series as an SVG chart. */
export const plotCommand = defineCommand({
  name: "plot",
  summary: "Plot a recording's processes over time into an SVG file.",
  playable: true,
  args: [],
  options: {
    databaseFile: option({
      flags: "-d, --database-file <database-file>",
      help: "SQLite database made by procpath record",
      parse: (text: string) => text,
      required: true,
    }),
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
  },
  examples: [
    "procpath plot -d out.sqlite -q rss -q cpu -f chart.svg",
    "procpath plot -d out.sqlite -q cpu -p 2610 -a 2026-11-21T09:00:00 -e 0.5",
  ],
  /** Runs the queries over the recording and writes the SVG through a temporary file. */
  async run(_args, options, { deps }) {
    const { collectQueries, plotRecording } = await import("../plot/plot_recording.ts");
    const queries = collectQueries(options, readUserFile);
    try {
      requireRegularFile(options.databaseFile);
    } catch (error) {
      throw new Error(`Cannot open "${options.databaseFile}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    const { svg, series } = plotRecording(options, queries);
    writeFileAtomically(options.plotFile, svg);
    deps.log.debug(`Plotted ${series} series into ${options.plotFile}`);
    return 0;
  },
});
