import { PyFloat, toPythonJson, toPythonStr } from "../text/python_format.ts";
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
import type { Column } from "../view/mod.ts";
import { SHARED } from "./shared_options.ts";
import { terminalSize } from "./terminal.ts";
import { defineCommand, flag, negatedFlag, option, OptionValueError } from "./spec.ts";

/** The output formats of `--format`. */
const FORMATS = ["json", "tree", "table", "csv", "tsv"];

/** The columns each readable format shows unless `--columns` says otherwise. */
const ROW_COLUMNS = parseColumns("pid,ppid,state,threads,rss,cpu_time,start,cmdline");
const DEFAULT_COLUMNS: Record<string, Column[]> = {
  tree: [],
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
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
    format: option({
      flags: "--format <format>",
      help: "json (default), tree, table, csv or tsv",
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
    subtree: negatedFlag(
      "--no-subtree",
      "table, csv: only the selected processes, not what runs below them",
      { onlyWhenSet: true, value: (subtree) => !subtree },
    ),
    failEmpty: flag("--fail-empty", "exit 1 when nothing is selected, as pgrep does", {
      onlyWhenSet: true,
    }),
  },
  examples: [
    "procpath query --format tree --columns rss,cmdline '$..children[?(@.stat.pid == 2610)]'",
    "procpath query --format table --sort -rss --limit 10",
    "procpath query -d , '$..children[?(@.stat.pid == 2610)]..pid'",
    "procpath query -f stat,status '$..children[?(@.stat.comm == \"nginx\")]' \\\n" +
    "    'SELECT SUM(status_vmrss) / 1024.0 mib FROM record'",
  ],
  /**
   * Evaluates `-e`, reads one snapshot, drops every permission, then applies the
   * JSONPath and optional SQL and prints the result.
   */
  async run([queryTemplate, sqlTemplate], options, { deps }) {
    const [
      { branchPidsOf, compileQuery, runQuery, substitute },
      { evaluateEnvironment },
      snapshot,
      { isProcessNode },
    ] = await Promise.all([
      import("../query/mod.ts"),
      import("../shell/evaluate_environment.ts"),
      import("../snapshot/mod.ts"),
      import("../store/flatten.ts"), // SQLite itself loads only for SQL, below
    ]);
    const { readSnapshot, unreadProcfiles, unreadProcfilesWarning } = snapshot;
    const vars = await evaluateEnvironment(options.environment, (m) => deps.log.warning(m));
    const queryText = substitute((queryTemplate as string | undefined) ?? "", vars);
    const sql = sqlTemplate === undefined ? "" : substitute(sqlTemplate as string, vars);
    const compiled = queryText ? compileQuery(queryText) : null;
    const unread = compiled ? unreadProcfiles(compiled, options.procfileList) : [];
    if (unread.length > 0) deps.log.warning(unreadProcfilesWarning(unread, options.procfileList));

    if (options.delimiter !== undefined && options.format !== undefined) {
      throw new OptionValueError("-d and --format exclude each other");
    }
    const readable = options.format !== undefined && options.format !== "json";
    const columns = options.columns ?? DEFAULT_COLUMNS[options.format ?? "json"] ?? [];
    // what the columns (and threads' nesting) need is read whatever -f says
    const needed = readable ? missingFiles(columns, options.procfileList) : [];
    // threads nest under their process by status.tgid
    if (readable && options.procfsTarget === "thread" && !options.procfileList.includes("status")) {
      needed.push("status");
    }
    const files = [...new Set([...options.procfileList, ...needed])];
    // a query that selects branches by PID reads only those (and their ancestors)
    const roots = readSnapshot({ ...options, procfileList: files }, {
      pid: deps.pid,
      warn: (m) => deps.log.warning(m),
    }, compiled ? branchPidsOf(compiled) ?? undefined : undefined);
    const system = sql || readable ? options.procfs.systemInfo() : null;
    const bootTime = readable ? options.procfs.bootTime() : 0;
    deps.dropPermissions();

    let result: unknown[] = compiled ? runQuery(compiled, { children: roots }) : roots;
    if (readable) {
      if (sql) throw new OptionValueError("--format shows process nodes; SQL output is JSON");
      if (!result.every(isProcessNode)) {
        throw new CommandError(
          `Cannot show ${quoteInput(queryText)} as ${options.format}: ` +
            "the JSONPath must select whole process nodes",
        );
      }
      const context = {
        pageSize: system!.pageSize,
        clockTicks: system!.clockTicks,
        bootTime,
        now: deps.now() / 1000,
      };
      const width = deps.stdoutIsTerminal ? terminalSize()?.columns : undefined;
      const lines = options.format === "tree"
        ? renderTree(result, {
          columns,
          context,
          ascii: options.ascii,
          width,
          threads: options.procfsTarget === "thread",
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
      return options.failEmpty && result.length === 0 ? 1 : 0;
    }
    if (sql) {
      if (!result.every(isProcessNode)) {
        throw new CommandError(
          `Cannot run SQL over ${
            quoteInput(queryText)
          }: the JSONPath must select whole process nodes`,
        );
      }
      const { buildMeta, queryNodes } = await import("../store/mod.ts");
      const meta = buildMeta({
        system: system!,
        files: options.procfileList,
        procfsPath: options.procfs.path,
        target: options.procfsTarget,
      });
      result = queryNodes(result, sql, { files: options.procfileList, meta, ts: deps.now() / 1000 })
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [k, typeof v === "number" ? new PyFloat(v) : v]),
          )
        );
    }
    // process data reaches a terminal with its control characters visible; pipes get it as is
    const shown = deps.stdoutIsTerminal ? visible : (text: string) => text;
    const output = options.delimiter !== undefined
      ? result.map((item) => shown(toPythonStr(item))).join(options.delimiter)
      : toPythonJson(result, options.indent);
    if (output !== "") deps.writeOut(output + "\n");
    return options.failEmpty && result.length === 0 ? 1 : 0;
  },
});
