import { EXIT } from "../exit_codes.ts";
import { PyFloat, toPythonJson, toPythonJsonBytes, toPythonStr } from "../text/python_format.ts";
import { quoteInput, visible } from "../text/visible.ts";
import { CommandError } from "./errors.ts";
import { parseChoice, parseNonNegativeInt, parsePositiveInt } from "./options.ts";
import {
  COLUMN_NAMES,
  missingFiles,
  parseColumns,
  renderDelimited,
  renderTable,
  renderTree,
  tableRows,
} from "../view/mod.ts";
import type { Column, ColumnContext } from "../view/mod.ts";
import { readUserNames } from "../procfs/user_names.ts";
import { flattenTree, isProcessNode as isNode, withoutChildren } from "../tree/flatten_tree.ts";
import { SHARED } from "./shared_options.ts";
import { SELECTION_OPTIONS, selectionOf } from "./selection_options.ts";
import { terminalSize } from "./terminal.ts";
import { defineCommand, flag, option, OptionValueError } from "./spec.ts";

/** SQL rows as the reference prints them: reals as Python floats, integers exact. */
function pythonRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, typeof v === "number" ? new PyFloat(v) : v]),
  );
}

/** A column of SQL result rows for the table, CSV and TSV renderers. */
function resultColumn(name: string, rows: readonly Record<string, unknown>[]): Column {
  const sample = rows.find((row) => row[name] !== null && row[name] !== undefined)?.[name];
  const numeric = typeof sample === "number" || typeof sample === "bigint";
  return {
    name,
    header: name,
    files: [],
    numeric,
    value: () => null,
    show: (value) => (value === null ? "" : String(value)),
  };
}

/** `query --recording FILE --sql '…'`: one read-only statement over the whole recording. */
async function wholeRecordingSql(
  options: {
    recording?: string | undefined;
    sql?: string | undefined;
    format?: string | undefined;
    indent?: number | undefined;
    delimiter?: string | undefined;
  },
  deps: import("./deps.ts").CliDeps,
  readable: boolean,
): Promise<number> {
  const { openTimeline } = await import("../store/timeline.ts");
  const timeline = openTimeline(options.recording!);
  let rows;
  try {
    rows = timeline.query(options.sql!);
  } finally {
    timeline.close();
  }
  deps.dropPermissions();
  if (readable) {
    const names = rows.length > 0 ? Object.keys(rows[0]) : [];
    const columns = names.map((name) => resultColumn(name, rows));
    const cells = rows.map((row) =>
      names.map((name) => {
        const value = row[name];
        return value === null || value === undefined
          ? null
          : typeof value === "number" || typeof value === "string"
          ? value
          : String(value);
      })
    );
    const width = deps.stdoutIsTerminal ? terminalSize()?.columns : undefined;
    const lines = options.format === "table"
      ? renderTable(cells, columns, width)
      : options.format === "tree"
      ? (() => {
        throw new OptionValueError("--format tree shows process nodes, not SQL rows");
      })()
      : renderDelimited(cells, columns, options.format === "csv" ? "," : "\t");
    const shown = deps.stdoutIsTerminal ? lines.map(visible) : lines;
    deps.writeOut(shown.join("\n") + "\n");
    return EXIT.ok;
  }
  const result = rows.map(pythonRow);
  const output = options.delimiter !== undefined
    ? result.map((item) => toPythonStr(item)).join(options.delimiter)
    : toPythonJson(result, options.indent);
  if (output !== "") deps.writeOut(output + "\n");
  return EXIT.ok;
}

/** The output formats of `--format`. */
const FORMATS = ["json", "tree", "table", "csv", "tsv", "pids", "pids-space"];

/** The columns each readable format shows unless `--columns` says otherwise. */
const ROW_COLUMNS = parseColumns("pid,ppid,state,threads,rss,cpu_time,start,cmdline");
const DEFAULT_COLUMNS: Record<string, Column[]> = {
  tree: [],
  pids: [],
  "pids-space": [],
  table: ROW_COLUMNS,
  csv: ROW_COLUMNS,
  tsv: ROW_COLUMNS,
};

function parseColumnList(text: string): Column[] {
  try {
    return parseColumns(text);
  } catch (error) {
    throw new OptionValueError((error as Error).message);
  }
}

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
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
    format: option({
      flags: "--format <format>",
      help: "json (default), tree, table, csv, tsv, or pids (each PID once, ascending, " +
        "comma-joined: for strace -p, perf -p) and pids-space (for kill)",
      parse: parseChoice(FORMATS),
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
      help: "order table, csv rows by a column; -column for descending",
      parse: (text: string) => text,
      dryRun: { onlyWhenSet: true },
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
    "procpath query --recording out.sqlite --format table --sql \\\n" +
    "    'SELECT COUNT(DISTINCT ts) samples, MAX(stat_rss) peak_pages FROM record'",
  ],
  /**
   * Evaluates `-e`, reads one snapshot (of `/proc`, or of a recording at a moment),
   * drops every permission, then applies the JSONPath and optional SQL and prints
   * the result.
   */
  async run([positionalQuery, sqlTemplate], options, { deps }) {
    const selection = selectionOf(positionalQuery as string | undefined, options);
    const queryTemplate = selection.query;
    // a shorthand is new to procpath: it prints what a person reads (the tree of what it
    // selects, as pstree) unless asked otherwise; a JSONPath keeps the reference's JSON
    if (
      selection.shorthand && options.format === undefined && options.delimiter === undefined &&
      options.indent === undefined && sqlTemplate === undefined
    ) {
      options = { ...options, format: "tree" };
    }
    // a shorthand that selects nothing exits 1, as pgrep and pidof do
    const failEmpty = options.failEmpty || selection.shorthand;
    const [
      { branchPidsOf, compileQuery, ignoresProcfile, runQuery, substitute },
      { evaluateEnvironment },
      snapshot,
      { isProcessNode },
    ] = await Promise.all([
      import("../query/mod.ts"),
      import("../shell/evaluate_environment.ts"),
      import("../snapshot/mod.ts"),
      import("../store/flatten.ts"), // SQLite itself loads only for SQL and recordings
    ]);
    const { queryWarnings, readSnapshot } = snapshot;
    if (options.delimiter !== undefined && options.format !== undefined) {
      throw new OptionValueError("-d and --format exclude each other");
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
    const readable = options.format !== undefined && options.format !== "json";
    if (options.sql !== undefined) {
      if (queryTemplate || sqlTemplate) {
        throw new OptionValueError(
          "--sql runs over the whole recording: give no JSONPath or SQL argument",
        );
      }
      return await wholeRecordingSql(options, deps, readable);
    }
    const vars = await evaluateEnvironment(options.environment, (m) => deps.log.warning(m));
    const queryText = substitute((queryTemplate as string | undefined) ?? "", vars);
    const sql = sqlTemplate === undefined ? "" : substitute(sqlTemplate as string, vars);
    const compiled = queryText ? compileQuery(queryText) : null;

    const columns = options.columns ?? DEFAULT_COLUMNS[options.format ?? "json"] ?? [];
    let roots, files, ts, meta: Readonly<Record<string, string>> | null = null;
    let context: ColumnContext;
    // user names for the user column, from this machine's /etc/passwd: only for its own
    // live processes (a captured tree or a recording may come from another machine)
    const userNames = columns.some((c) => c.name === "user") && options.procfs.isLive &&
        options.recording === undefined
      ? readUserNames()
      : undefined;
    let threads = options.procfsTarget === "thread";
    if (options.recording !== undefined) {
      const { readRecordedSnapshot } = await import("../snapshot/recorded_snapshot.ts");
      const sample = readRecordedSnapshot(options.recording, options.at ?? { kind: "last" });
      deps.dropPermissions();
      if (sample.notice) deps.log.info(`${options.recording}: ${sample.notice}`);
      ({ roots, files, ts, meta } = sample);
      threads = sample.meta.procfs_target === "thread" && files.includes("status");
      // start and age need the recorded machine's boot time, which a recording lacks
      context = {
        pageSize: sample.pageSize,
        clockTicks: sample.clockTicks,
        bootTime: NaN,
        now: ts,
        userNames,
        memoryBytes: Number(meta.physical_pages ?? 0) * sample.pageSize,
      };
    } else {
      // what the columns (and threads' nesting) need is read whatever -f says
      const needed = readable ? missingFiles(columns, options.procfileList) : [];
      // threads nest under their process by status.tgid
      if (readable && threads && !options.procfileList.includes("status")) needed.push("status");
      files = [...new Set([...options.procfileList, ...needed])];
      // a query whose results are named values that no command line can hold (`..pid`)
      // reads none: a third of a whole-host snapshot's files
      const read = compiled && !readable && !sql && ignoresProcfile(compiled, "cmdline")
        ? files.filter((file) => file !== "cmdline")
        : files;
      // a query that selects branches by PID reads only those (and their ancestors) —
      // except for a thread tree: a process's threads are its siblings there, outside
      // its branch, and `pstree -pt` shows them
      const branches = compiled && !(readable && threads)
        ? branchPidsOf(compiled) ?? undefined
        : undefined;
      roots = readSnapshot({ ...options, procfileList: read }, {
        pid: deps.pid,
        warn: (m) => deps.log.warning(m),
      }, branches);
      const system = sql || readable ? options.procfs.systemInfo() : null;
      const bootTime = readable ? options.procfs.bootTime() : 0;
      deps.dropPermissions();
      ts = deps.now() / 1000;
      context = {
        pageSize: system?.pageSize ?? 0,
        clockTicks: system?.clockTicks ?? 0,
        bootTime,
        now: ts,
        userNames,
        memoryBytes: system ? system.physicalPages * system.pageSize : undefined,
      };
      if (sql) {
        const { buildMeta } = await import("../store/meta.ts");
        meta = buildMeta({
          system: system!,
          files: options.procfileList,
          procfsPath: options.procfs.path,
          target: options.procfsTarget,
        });
        files = options.procfileList;
      }
    }
    for (const warning of compiled ? queryWarnings(compiled, files) : []) {
      deps.log.warning(warning);
    }

    let result: unknown[] = compiled ? runQuery(compiled, { children: roots }) : roots;
    // --no-subtree: each selected process without what runs below it, in every output
    if (!options.subtree && compiled) {
      result = result.map((item) => isNode(item) ? withoutChildren(item) : item);
    }
    if (options.format === "pids" || options.format === "pids-space") {
      if (sql) throw new OptionValueError("--format shows process nodes; SQL output is JSON");
      const pids = pidsOf(result, options.subtree);
      if (pids === null) {
        throw new CommandError(
          `Cannot show ${quoteInput(queryText)} as PIDs: the JSONPath must select process ` +
            "nodes or PIDs",
        );
      }
      if (pids.length > 0) {
        deps.writeOut(pids.join(options.format === "pids" ? "," : " ") + "\n");
      }
      return failEmpty && pids.length === 0 ? EXIT.failure : EXIT.ok;
    }
    if (readable) {
      if (sql) throw new OptionValueError("--format shows process nodes; SQL output is JSON");
      if (!result.every(isProcessNode)) {
        throw new CommandError(
          `Cannot show ${quoteInput(queryText)} as ${options.format}: ` +
            "the JSONPath must select whole process nodes",
        );
      }
      const width = deps.stdoutIsTerminal ? terminalSize()?.columns : undefined;
      const lines = options.format === "tree"
        ? renderTree(result, {
          columns,
          context,
          ascii: options.ascii,
          width,
          threads,
          forest: roots,
        })
        : (() => {
          const rows = tableRows(result, columns, context, {
            sort: options.sort,
            limit: options.limit,
            selectedOnly: !options.subtree,
          });
          return options.format === "table"
            ? renderTable(rows, columns, width)
            : renderDelimited(rows, columns, options.format === "csv" ? "," : "\t");
        })();
      const shown = deps.stdoutIsTerminal ? lines.map(visible) : lines;
      if (shown.length > 0) deps.writeOut(shown.join("\n") + "\n");
      return failEmpty && result.length === 0 ? EXIT.failure : EXIT.ok;
    }
    if (sql) {
      if (!result.every(isProcessNode)) {
        throw new CommandError(
          `Cannot run SQL over ${
            quoteInput(queryText)
          }: the JSONPath must select whole process nodes`,
        );
      }
      const { queryNodes } = await import("../store/query_nodes.ts");
      result = queryNodes(result, sql, { files, meta: { ...meta }, ts }).map(pythonRow);
    }
    // process data reaches a terminal with its control characters visible; pipes get it as is
    const shown = deps.stdoutIsTerminal ? visible : (text: string) => text;
    if (options.delimiter === undefined && options.indent === undefined) {
      // the common case, a whole tree's JSON to a pipe, written as bytes straight away
      deps.writeOut(toPythonJsonBytes(result));
      deps.writeOut("\n");
      return failEmpty && result.length === 0 ? EXIT.failure : EXIT.ok;
    }
    const output = options.delimiter !== undefined
      ? result.map((item) => shown(toPythonStr(item))).join(options.delimiter)
      : toPythonJson(result, options.indent);
    if (output !== "") deps.writeOut(output + "\n");
    return failEmpty && result.length === 0 ? EXIT.failure : EXIT.ok;
  },
});

/**
 * The PIDs a result names, each once and ascending: process nodes (with everything below
 * them unless `subtree` is false) or PIDs selected as values (`..pid`, which repeats
 * them); `null` for anything else.
 */
function pidsOf(result: readonly unknown[], subtree: boolean): number[] | null {
  const pids = new Set<number>();
  const nodes = result.filter(isNode);
  for (const node of subtree ? flattenTree(nodes) : nodes) pids.add(node.stat.pid as number);
  for (const item of result) {
    if (isNode(item)) continue;
    if (typeof item !== "number" || !Number.isInteger(item) || item < 0) return null;
    pids.add(item);
  }
  return [...pids].sort((a, b) => a - b);
}
