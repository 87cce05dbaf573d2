import { compileQuery, runQuery, substitute } from "../query/mod.ts";
import { evaluateEnvironment } from "../shell/mod.ts";
import { readSnapshot, unreadProcfiles, unreadProcfilesWarning } from "../snapshot/mod.ts";
import { buildMeta, isProcessNode, queryNodes } from "../store/mod.ts";
import { PyFloat, toPythonJson, toPythonStr } from "../text/python_format.ts";
import { quoteInput, visible } from "../text/visible.ts";
import { CommandError } from "./errors.ts";
import { parseNonNegativeInt } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, option } from "./spec.ts";

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
  },
  examples: [
    "procpath query -d , '$..children[?(@.stat.pid == 2610)]..pid'",
    "procpath query -f stat,status '$..children[?(@.stat.comm == \"nginx\")]' \\\n" +
    "    'SELECT SUM(status_vmrss) / 1024.0 mib FROM record'",
    "procpath query -e P='pgrep -o sshd' -i 2 '$..children[?(@.stat.pid == $P)]'",
  ],
  /**
   * Evaluates `-e`, reads one snapshot, drops every permission, then applies the
   * JSONPath and optional SQL and prints the result.
   */
  async run([queryTemplate, sqlTemplate], options, { deps }) {
    const vars = await evaluateEnvironment(options.environment, (m) => deps.log.warning(m));
    const queryText = substitute((queryTemplate as string | undefined) ?? "", vars);
    const sql = sqlTemplate === undefined ? "" : substitute(sqlTemplate as string, vars);
    const compiled = queryText ? compileQuery(queryText) : null;
    const unread = compiled ? unreadProcfiles(compiled, options.procfileList) : [];
    if (unread.length > 0) deps.log.warning(unreadProcfilesWarning(unread, options.procfileList));

    const roots = readSnapshot(options, { pid: deps.pid, warn: (m) => deps.log.warning(m) });
    const system = sql ? options.procfs.systemInfo() : null;
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
    return 0;
  },
});
