/**
 * The engine of `procpath query`: evaluates `-e`, reads one snapshot — of a procfs
 * tree (only the procfiles the query, columns and SQL need; only the branches a
 * PID-selecting query names) or of a recording at a moment — drops every permission,
 * applies the JSONPath, and prints the selection as JSON, joined values, PIDs, a tree
 * or a table, or the rows of SQL over it (or over a whole recording). The command
 * module only maps its options to a `QueryPlan`.
 *
 * @module
 */
import { EXIT, RunFailure } from "../exit_codes.ts";
import type { ProcFileName, ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import { readUserNames } from "../procfs/user_names.ts";
import type { EnvironmentSpec } from "../shell/evaluate_environment.ts";
import { PyFloat, toPythonJson, toPythonJsonBytes, toPythonStr } from "../text/python_format.ts";
import { quoteInput, visible } from "../text/visible.ts";
import type { Moment } from "../time/moment.ts";
import {
  dropFile,
  flattenTree,
  isProcessNode as isNode,
  withoutChildren,
} from "../tree/flatten_tree.ts";
import { withAncestors } from "../tree/ancestors.ts";
import { withThreads } from "../tree/thread_groups.ts";
import type { ProcessNode } from "../tree/types.ts";
import {
  missingFiles,
  parseColumns,
  renderDelimited,
  renderTable,
  renderTree,
  tableRows,
} from "../view/mod.ts";
import type { Column, ColumnContext, RowSort } from "../view/mod.ts";

/** The output formats of `--format`. */
export const FORMATS = ["json", "tree", "table", "csv", "tsv", "pids", "pids-space"] as const;

/** An output format. */
export type QueryFormat = typeof FORMATS[number];

/** What `procpath query` runs, its options parsed and checked against each other. */
export interface QueryPlan {
  /** The JSONPath (templates hold `$NAME`); everything when absent. */
  query?: string | undefined;
  /** SQL over the selection's temporary `record` table. */
  sql?: string | undefined;
  /** One statement over a whole `recording` instead (`--sql`). */
  wholeRecordingSql?: string | undefined;
  environment: readonly EnvironmentSpec[];
  procfs: ProcRoot;
  procfsTarget: ProcfsTarget;
  procfileList: readonly ProcFileName[];
  recording?: string | undefined;
  at?: Moment | undefined;
  format?: QueryFormat | undefined;
  columns?: readonly Column[] | undefined;
  sort?: RowSort | undefined;
  limit?: number | undefined;
  ascii?: boolean | undefined;
  /** Whether what runs below the selected processes belongs to the output. */
  subtree: boolean;
  /**
   * `--ancestors`: the selected processes under the chain of their ancestors up to PID 1,
   * as `pstree -s` draws them, in every output.
   */
  ancestors?: boolean | undefined;
  delimiter?: string | undefined;
  indent?: number | undefined;
  /** Exit 1 when nothing is selected (`--fail-empty`, or a shorthand selection). */
  failEmpty: boolean;
}

/** What the engine needs of the running program. */
export interface QueryIo {
  /** procpath's own PID, left out of a live snapshot. */
  pid: number;
  /** Unix ms. */
  now(): number;
  info(message: string): void;
  warning(message: string): void;
  /** Drops every permission once the reads are done. */
  dropPermissions(): void;
  writeOut(text: string | Uint8Array): void;
  /** Process data reaches a terminal with its control characters made visible. */
  stdoutIsTerminal: boolean;
  /** The terminal's width for tables and trees; none off a terminal. */
  width?: number | undefined;
}

/** A selection that cannot be shown as asked: the user's to fix (exit 1). */
export class SelectionError extends RunFailure {}

/** The columns each readable format shows unless `--columns` says otherwise. */
const ROW_COLUMNS = parseColumns("pid,ppid,state,threads,rss,cpu_time,start,cmdline");
const DEFAULT_COLUMNS: Partial<Record<QueryFormat, Column[]>> = {
  tree: [],
  pids: [],
  "pids-space": [],
  table: ROW_COLUMNS,
  csv: ROW_COLUMNS,
  tsv: ROW_COLUMNS,
};

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

/** Any format but JSON: the reads plan for columns, and SQL rows print as a table or CSV. */
const readableFormat = (format: QueryFormat | undefined) =>
  format !== undefined && format !== "json";

/** `--sql` over a whole recording: its rows as JSON or a table, CSV or TSV. */
async function wholeRecordingSql(plan: QueryPlan, statement: string, io: QueryIo): Promise<number> {
  const { openTimeline } = await import("../store/timeline.ts");
  const timeline = openTimeline(plan.recording!);
  let rows;
  try {
    rows = timeline.query(statement);
  } finally {
    timeline.close();
  }
  io.dropPermissions();
  if (readableFormat(plan.format)) {
    const names = rows.length > 0 ? Object.keys(rows[0]!) : [];
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
    const lines = plan.format === "table"
      ? renderTable(cells, columns, io.width)
      : renderDelimited(cells, columns, plan.format === "csv" ? "," : "\t");
    const shown = io.stdoutIsTerminal ? lines.map(visible) : lines;
    io.writeOut(shown.join("\n") + "\n");
    return EXIT.ok;
  }
  const result = rows.map(pythonRow);
  const output = plan.delimiter !== undefined
    ? result.map((item) => toPythonStr(item)).join(plan.delimiter)
    : toPythonJson(result, plan.indent);
  if (output !== "") io.writeOut(output + "\n");
  return EXIT.ok;
}

/**
 * Runs a query and prints its output; returns the exit status. Throws `SelectionError`
 * for a selection that cannot be shown as asked, and the errors of its reads
 * (`RecordingError`, `MomentError`, `QuerySyntaxError`, `EnvironmentError`).
 */
export async function runQueryPlan(plan: QueryPlan, io: QueryIo): Promise<number> {
  if (plan.wholeRecordingSql !== undefined) {
    return await wholeRecordingSql(plan, plan.wholeRecordingSql, io);
  }
  const [
    { branchPidsOf, compileQuery, ignoresProcfile, runQuery, substitute },
    { evaluateEnvironment },
    { queryWarnings, readSnapshot },
    { isProcessNode },
    sqlModules,
  ] = await Promise.all([
    import("../query/mod.ts"),
    import("../shell/evaluate_environment.ts"),
    import("../snapshot/mod.ts"),
    import("../store/flatten.ts"), // SQLite itself loads only for SQL and recordings
    // loaded now, before permissions are dropped: a module Deno loads late (the
    // launcher's lazy imports, main.ts) needs read access to its file then
    plan.sql === undefined
      ? null
      : Promise.all([import("../store/meta.ts"), import("../store/query_nodes.ts")]),
  ]);
  const readable = readableFormat(plan.format);
  const vars = await evaluateEnvironment(plan.environment, (m) => io.warning(m));
  const queryText = substitute(plan.query ?? "", vars);
  const sql = plan.sql === undefined ? "" : substitute(plan.sql, vars);
  const compiled = queryText ? compileQuery(queryText) : null;

  const columns = plan.columns ?? DEFAULT_COLUMNS[plan.format ?? "json"] ?? [];
  // what is read: the columns shown and the one rows sort by
  const readColumns = plan.sort ? [...columns, plan.sort.column] : columns;
  let roots,
    files: readonly ProcFileName[],
    ts,
    meta: Readonly<Record<string, string>> | null = null;
  let context: ColumnContext;
  // user names for the user column, from this machine's /etc/passwd: only for its own
  // live processes (a captured tree or a recording may come from another machine)
  const userNames = readColumns.some((c) => c.name === "user") && plan.procfs.isLive &&
      plan.recording === undefined
    ? readUserNames()
    : undefined;
  let threads = plan.procfsTarget === "thread";
  /** A procfile read for the thread model alone, left out of JSON and SQL. */
  let unasked: ProcFileName | null = null;
  if (plan.recording !== undefined) {
    const { readRecordedSnapshot } = await import("../snapshot/recorded_snapshot.ts");
    const sample = readRecordedSnapshot(plan.recording, plan.at ?? { kind: "last" });
    io.dropPermissions();
    if (sample.notice) io.info(`${plan.recording}: ${sample.notice}`);
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
    const needed = readable
      ? missingFiles([...readColumns, { files: plan.sort?.files ?? [] }], plan.procfileList)
      : [];
    // a thread's process is its status.tgid: threads nest under it in the tree, and a
    // selected process brings its threads along in every output
    if (threads && (readable || compiled) && !plan.procfileList.includes("status")) {
      needed.push("status");
      unasked = "status";
    }
    files = [...new Set([...plan.procfileList, ...needed])];
    // a query whose results are named values that no command line can hold (`..pid`)
    // reads none: a third of a whole-host snapshot's files
    const read = compiled && !readable && !sql && ignoresProcfile(compiled, "cmdline")
      ? files.filter((file) => file !== "cmdline")
      : files;
    // a query that selects branches by PID reads only those (and their ancestors) —
    // except for the thread target: a process's threads are its siblings there, outside
    // its branch (and the thread reader has no children files to follow)
    const branches = compiled && !threads ? branchPidsOf(compiled) ?? undefined : undefined;
    roots = readSnapshot(
      { procfs: plan.procfs, procfsTarget: plan.procfsTarget, procfileList: read },
      { pid: io.pid, warn: (m) => io.warning(m) },
      branches,
    );
    const system = sql || readable ? plan.procfs.systemInfo() : null;
    const bootTime = readable ? plan.procfs.bootTime() : 0;
    io.dropPermissions();
    ts = io.now() / 1000;
    context = {
      pageSize: system?.pageSize ?? 0,
      clockTicks: system?.clockTicks ?? 0,
      bootTime,
      now: ts,
      userNames,
      memoryBytes: system ? system.physicalPages * system.pageSize : undefined,
    };
    if (sql) {
      const [{ buildMeta }] = sqlModules!;
      meta = buildMeta({
        system: system!,
        files: plan.procfileList,
        procfsPath: plan.procfs.path,
        target: plan.procfsTarget,
      });
      files = plan.procfileList;
    }
  }
  for (const warning of compiled ? queryWarnings(compiled, files) : []) io.warning(warning);

  let result: unknown[] = compiled ? runQuery(compiled, { children: roots }) : roots;
  let subtree = plan.subtree;
  if (plan.ancestors && compiled) {
    if (!result.every(isNode)) {
      throw new SelectionError(
        `Cannot show the ancestors of ${quoteInput(queryText)}: the JSONPath must select ` +
          "whole process nodes",
      );
    }
    // the chains down to the selection, cut to it already: the outputs take them whole
    result = withAncestors(roots, result, plan.subtree);
    subtree = true;
  }
  // --no-subtree: each selected process without what runs below it, in every output
  if (!subtree && compiled) {
    result = result.map((item) => isNode(item) ? withoutChildren(item) : item);
  }
  // the thread target: a selected process's other threads are its siblings, added here
  // (the tree nests them under it itself)
  if (threads && compiled && plan.format !== "tree") {
    result = withThreads(result, roots, subtree);
  }
  if (unasked !== null && !readable) dropFile(result.filter(isNode), unasked);
  const status = (count: number) => plan.failEmpty && count === 0 ? EXIT.failure : EXIT.ok;
  if (plan.format === "pids" || plan.format === "pids-space") {
    const pids = pidsOf(result, subtree, zombiesOf(roots));
    if (pids === null) {
      throw new SelectionError(
        `Cannot show ${quoteInput(queryText)} as PIDs: the JSONPath must select process ` +
          "nodes or PIDs",
      );
    }
    if (pids.length > 0) io.writeOut(pids.join(plan.format === "pids" ? "," : " ") + "\n");
    return status(pids.length);
  }
  if (readable) {
    if (!result.every(isProcessNode)) {
      throw new SelectionError(
        `Cannot show ${quoteInput(queryText)} as ${plan.format}: ` +
          "the JSONPath must select whole process nodes",
      );
    }
    const lines = plan.format === "tree"
      ? renderTree(result, {
        columns,
        context,
        ascii: plan.ascii,
        width: io.width,
        threads,
        forest: roots,
      })
      : (() => {
        const rows = tableRows(result, columns, context, {
          sort: plan.sort,
          limit: plan.limit,
          selectedOnly: !subtree,
        });
        return plan.format === "table"
          ? renderTable(rows, columns, io.width)
          : renderDelimited(rows, columns, plan.format === "csv" ? "," : "\t");
      })();
    const shown = io.stdoutIsTerminal ? lines.map(visible) : lines;
    if (shown.length > 0) io.writeOut(shown.join("\n") + "\n");
    return status(result.length);
  }
  if (sql) {
    if (!result.every(isProcessNode)) {
      throw new SelectionError(
        `Cannot run SQL over ${
          quoteInput(queryText)
        }: the JSONPath must select whole process nodes`,
      );
    }
    const [, { queryNodes }] = sqlModules!;
    result = queryNodes(result, sql, { files, meta: { ...meta }, ts }).map(pythonRow);
  }
  // process data reaches a terminal with its control characters visible; pipes get it as is
  const shown = io.stdoutIsTerminal ? visible : (text: string) => text;
  if (plan.delimiter === undefined && plan.indent === undefined) {
    // the common case, a whole tree's JSON to a pipe, written as bytes straight away
    io.writeOut(toPythonJsonBytes(result));
    io.writeOut("\n");
    return status(result.length);
  }
  const output = plan.delimiter !== undefined
    ? result.map((item) => shown(toPythonStr(item))).join(plan.delimiter)
    : toPythonJson(result, plan.indent);
  if (output !== "") io.writeOut(output + "\n");
  return status(result.length);
}

/** The PIDs of the forest's zombies (state `Z`). */
function zombiesOf(roots: readonly ProcessNode[]): Set<number> {
  const zombies = new Set<number>();
  for (const node of flattenTree(roots)) {
    if (node.stat.state === "Z") zombies.add(node.stat.pid as number);
  }
  return zombies;
}

/**
 * The PIDs a result names, each once and ascending: process nodes (with everything below
 * them unless `subtree` is false) or PIDs selected as values (`..pid`, which repeats
 * them), zombies left out as pidof(8) leaves them (nothing can trace or signal one);
 * `null` for anything else.
 */
function pidsOf(
  result: readonly unknown[],
  subtree: boolean,
  zombies: ReadonlySet<number>,
): number[] | null {
  const pids = new Set<number>();
  const nodes = result.filter(isNode);
  for (const node of subtree ? flattenTree(nodes) : nodes) pids.add(node.stat.pid as number);
  for (const item of result) {
    if (isNode(item)) continue;
    if (typeof item !== "number" || !Number.isInteger(item) || item < 0) return null;
    pids.add(item);
  }
  return [...pids].filter((pid) => !zombies.has(pid)).sort((a, b) => a - b);
}
