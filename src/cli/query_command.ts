import { quoteInput } from "../text/visible.ts";
import type { Command } from "commander";
import type { ProcFileName, ProcfsTarget } from "../procfs/mod.ts";
import { readSystemInfo } from "../procfs/mod.ts";
import { compileQuery, runQuery, substitute } from "../query/mod.ts";
import type { CompiledQuery } from "../query/mod.ts";
import { evaluateEnvironment } from "../shell/mod.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import { buildMeta, columnsFor, flattenNodes, isProcessNode, openStore } from "../store/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { CommandError } from "./errors.ts";
import {
  collectEnvironment,
  DEFAULT_PROCFILES,
  parseNonNegativeInt,
  parseProcfileList,
  parseProcfsPath,
  parseTarget,
} from "./options.ts";
import { PyFloat, toPythonJson, toPythonStr } from "./python_format.ts";
import { readerFor, readSnapshot } from "./snapshot.ts";
import { unreadProcfiles, unreadProcfilesWarning } from "./read_warnings.ts";
import { visible } from "../text/visible.ts";

/** Options of `procpath query`, as commander hands them over. */
export interface QueryOptions {
  procfileList: ProcFileName[];
  delimiter?: string;
  indent?: number;
  environment: EnvironmentSpec[];
  procfs: string;
  procfsTarget: ProcfsTarget;
}

/** Adds `procpath query` to the program. */
export function registerQuery(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("query")
    .description("Execute a JSONPath query and/or SQL over the process tree.")
    .argument("[query]", "JSONPath expression, e.g. '$..children[?(@.stat.pid == 2610)]..pid'")
    .argument(
      "[sql_query]",
      "SQL over a temporary 'record' table of the nodes the JSONPath selected",
    )
    .option(
      "-f, --procfile-list <procfile-list>",
      "procfiles to read: stat, cmdline, io, status, fd, smaps_rollup",
      parseProcfileList,
      parseProcfileList(DEFAULT_PROCFILES),
    )
    .option("-d, --delimiter <delimiter>", "join the results with this instead of printing JSON")
    .option("-i, --indent <indent>", "indent JSON output by this many spaces", parseNonNegativeInt)
    .option(
      "-e, --environment <environment>",
      "NAME='shell command' whose output substitutes $NAME in the queries; repeatable",
      collectEnvironment,
      [],
    )
    .option("--procfs <procfs>", "procfs root to read", parseProcfsPath, "/proc")
    .option("--procfs-target <procfs-target>", "process or thread", parseTarget, "process")
    .action(async (query: string | undefined, sql: string | undefined, options: QueryOptions) => {
      if (hooks.capture) return hooks.capture("query", [query, sql], options);
      hooks.done(await runQueryCommand(query, sql, options, deps));
    });
}

/**
 * Runs `procpath query`: evaluates `-e`, reads one snapshot, drops every permission,
 * then applies the JSONPath and optional SQL and prints the result. Returns the exit code.
 */
export async function runQueryCommand(
  queryTemplate: string | undefined,
  sqlTemplate: string | undefined,
  options: QueryOptions,
  deps: CliDeps,
): Promise<number> {
  const vars = await evaluateEnvironment(options.environment, (m) => deps.log.warning(m));
  const queryText = substitute(queryTemplate ?? "", vars);
  const sql = sqlTemplate === undefined ? "" : substitute(sqlTemplate, vars);
  const compiled: CompiledQuery | null = queryText ? compileQuery(queryText) : null;
  const unread = compiled ? unreadProcfiles(compiled, options.procfileList) : [];
  if (unread.length > 0) deps.log.warning(unreadProcfilesWarning(unread, options.procfileList));

  const reader = readerFor(options);
  const roots = readSnapshot(reader, options, deps);
  const system = sql ? readSystemInfo(reader) : null;
  deps.dropPermissions();

  let result: unknown[] = compiled ? runQuery(compiled, { children: roots }) : roots;
  if (sql) {
    if (!result.every(isProcessNode)) {
      throw new CommandError(
        `Cannot run SQL over ${
          quoteInput(queryText)
        }: the JSONPath must select whole process nodes`,
      );
    }
    const columns = columnsFor(options.procfileList);
    const store = openStore(":memory:", {
      columns,
      meta: buildMeta({
        system: system!,
        files: options.procfileList,
        procfsPath: options.procfs,
        target: options.procfsTarget,
      }),
    });
    try {
      store.insertSnapshot(deps.now() / 1000, flattenNodes(result, columns));
      result = store.query(sql).map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [k, typeof v === "number" ? new PyFloat(v) : v]),
        )
      );
    } finally {
      store.close();
    }
  }
  // process data reaches a terminal with its control characters visible; pipes get it as is
  const shown = deps.stdoutIsTerminal ? visible : (text: string) => text;
  const output = options.delimiter !== undefined
    ? result.map((item) => shown(toPythonStr(item))).join(options.delimiter)
    : toPythonJson(result, options.indent);
  if (output !== "") deps.writeOut(output + "\n");
  return 0;
}
