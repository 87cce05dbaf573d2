import { optionParser } from "./options.ts";
import { parseChoice, parseNonNegativeInt, parsePositiveInt } from "./options.ts";
import { COLUMN_NAMES, parseColumns, parseSort } from "../view/mod.ts";
import { FORMATS, runQueryPlan } from "../selection/query_engine.ts";
import type { QueryFormat } from "../selection/query_engine.ts";
import { SHARED } from "./shared_options.ts";
import {
  ANCESTORS_OPTION,
  SELECTION_OPTIONS,
  selectionOf,
  withSelectionFiles,
} from "./selection_options.ts";
import { terminalSize } from "./terminal.ts";
import { defineCommand, flag, option, OptionValueError } from "./spec.ts";

const parseColumnList = optionParser(parseColumns);
const parseSortOption = optionParser(parseSort);

/** `procpath query`: one snapshot, a JSONPath and optional SQL, printed as JSON or joined. */
export const queryCommand = defineCommand({
  name: "query",
  summary: "Execute a JSONPath query and/or SQL over the process tree.",
  playable: true,
  args: [
    { name: "query", help: "JSONPath expression, e.g. '$..children[?(@.stat.pid == 2610)]..pid'" },
    {
      name: "sql_query",
      help: "SQL over a temporary 'record' table of the nodes the JSONPath selected",
    },
  ],
  options: {
    procfileList: SHARED.procfileList,
    delimiter: option({
      flags: "-d, --delimiter <delimiter>",
      help: "join the results with this instead of printing JSON",
      parse: (text: string) => text,
    }),
    indent: option({
      flags: "-i, --indent <indent>",
      help: "indent JSON output by this many spaces",
      parse: parseNonNegativeInt,
    }),
    environment: SHARED.environment,
    ...SELECTION_OPTIONS,
    ancestors: ANCESTORS_OPTION,
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
    format: option({
      flags: "--format <format>",
      help: "json (default), tree, table, csv, tsv, or pids (each PID once, ascending, " +
        "comma-joined: for strace -p, perf -p) and pids-space (for kill)",
      parse: parseChoice(FORMATS) as (text: string) => QueryFormat,
      dryRun: { onlyWhenSet: true },
    }),
    columns: option({
      flags: "--columns <columns>",
      help: `columns of tree, table, csv: ${
        COLUMN_NAMES.join(",")
      } or <procfile>.<field>; their procfiles are read too`,
      parse: parseColumnList,
      dryRun: { onlyWhenSet: true, value: (columns) => columns?.map((c) => c.name).join(",") },
    }),
    sort: option({
      flags: "--sort <column>",
      help: "order table, csv rows by any column; -column for descending",
      parse: parseSortOption,
      dryRun: {
        onlyWhenSet: true,
        value: (sort) => sort && `${sort.descending ? "-" : ""}${sort.column.name}`,
      },
    }),
    limit: option({
      flags: "--limit <rows>",
      help: "at most this many table, csv rows",
      parse: parsePositiveInt,
      dryRun: { onlyWhenSet: true },
    }),
    ascii: flag("--ascii", "tree branches in ASCII", { onlyWhenSet: true }),
    failEmpty: flag("--fail-empty", "exit 1 when nothing is selected, as pgrep does", {
      onlyWhenSet: true,
    }),
    recording: option({
      flags: "--recording <file>",
      help: "query a recording made by procpath record instead of /proc: the tree of one sample",
      parse: (text: string) => text,
      dryRun: { onlyWhenSet: true },
    }),
    at: SHARED.at(
      "the sample of --recording at or before: last (default), first, " +
        "YYYY-MM-DDTHH:MM:SS (UTC), HH:MM[:SS] (local), -10m (before the last sample), +90s",
    ),
    sql: option({
      flags: "--sql <statement>",
      help: "one read-only SQL statement over the whole --recording (its record and meta " +
        "tables), printed as JSON or --format table, csv, tsv",
      parse: (text: string) => text,
      dryRun: { onlyWhenSet: true },
    }),
  },
  examples: [
    "procpath query --format tree --columns rss,cmdline '$..children[?(@.stat.pid == 2610)]'",
    "procpath query --format table --sort -rss --limit 10",
    "procpath query -d , '$..children[?(@.stat.pid == 2610)]..pid'",
    "procpath query -f stat,status '$..children[?(@.stat.comm == \"nginx\")]' \\\n" +
    "    'SELECT SUM(status_vmrss) / 1024.0 mib FROM record'",
    "procpath query --recording out.sqlite --at 03:00 --format tree",
    "procpath query --pid 2610 --ancestors --no-subtree",
    "procpath query --recording out.sqlite --format table --sql \\\n" +
    "    'SELECT COUNT(DISTINCT ts) samples, MAX(stat_rss) peak_pages FROM record'",
  ],
  /**
   * Evaluates `-e`, reads one snapshot (of `/proc`, or of a recording at a moment),
   * drops every permission, then applies the JSONPath and optional SQL and prints
   * the result.
   */
  async run([positionalQuery, sqlArgument], options, { deps }) {
    // a playbook's empty sql_query is none, as the reference's `if sql_query`
    const sqlTemplate = sqlArgument === "" ? undefined : sqlArgument;
    const selection = selectionOf(positionalQuery as string | undefined, options);
    const queryTemplate = selection.query;
    // a shorthand is new to procpath: it prints what a person reads (the tree of what it
    // selects, as pstree) unless asked otherwise; a JSONPath keeps the reference's JSON
    // and so does --ancestors: the chain is for reading
    if (
      (selection.shorthand || options.ancestors) && options.format === undefined &&
      options.delimiter === undefined && options.indent === undefined &&
      sqlTemplate === undefined && options.sql === undefined
    ) {
      options = { ...options, format: "tree" };
    }
    // a shorthand that selects nothing exits 1, as pgrep and pidof do
    const failEmpty = options.failEmpty || selection.shorthand;
    if (options.delimiter !== undefined && options.format !== undefined) {
      throw new OptionValueError("-d and --format exclude each other");
    }
    const rows = options.format === "table" || options.format === "csv" ||
      options.format === "tsv";
    for (const [flags, given] of [["--sort", options.sort], ["--limit", options.limit]] as const) {
      if (given !== undefined && (!rows || options.sql !== undefined)) {
        throw new OptionValueError(`${flags} orders the rows of --format table, csv or tsv`);
      }
    }
    if (options.recording === undefined) {
      for (const [flags, given] of [["--at", options.at], ["--sql", options.sql]] as const) {
        if (given !== undefined) {
          throw new OptionValueError(`${flags} reads a recording: add --recording FILE`);
        }
      }
    } else if (!options.procfs.isLive) {
      throw new OptionValueError("--procfs and --recording exclude each other");
    }
    if (options.sql !== undefined) {
      if (queryTemplate || sqlTemplate) {
        throw new OptionValueError(
          "--sql runs over the whole recording: give no JSONPath or SQL argument",
        );
      }
      if (options.format === "tree") {
        throw new OptionValueError("--format tree shows process nodes, not SQL rows");
      }
    } else if (
      sqlTemplate !== undefined && options.format !== undefined && options.format !== "json"
    ) {
      throw new OptionValueError("--format shows process nodes; SQL output is JSON");
    }
    return await runQueryPlan({
      ...options,
      procfileList: withSelectionFiles(options.procfileList, selection),
      query: queryTemplate,
      sql: sqlTemplate as string | undefined,
      wholeRecordingSql: options.sql,
      subtree: selection.subtree,
      failEmpty,
    }, {
      pid: deps.pid,
      now: deps.now,
      info: (m) => deps.log.info(m),
      warning: (m) => deps.log.warning(m),
      dropPermissions: deps.dropPermissions,
      writeOut: deps.writeOut,
      stdoutIsTerminal: deps.stdoutIsTerminal,
      width: deps.stdoutIsTerminal ? terminalSize()?.columns : undefined,
    });
  },
});
