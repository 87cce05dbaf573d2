import type { Command } from "commander";
import { captureTree } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget } from "../procfs/mod.ts";
import { compileQuery, runQuery } from "../query/mod.ts";
import { columnsFor, flattenNodes, isProcessNode } from "../store/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { CommandError } from "./errors.ts";
import { DEFAULT_PROCFILES, parseProcfileList, parseProcfsPath, parseTarget } from "./options.ts";
import { readerFor, readSnapshot } from "./snapshot.ts";
import { quoteInput } from "../text/visible.ts";

/** Options of `procpath capture`, as commander hands them over. */
export interface CaptureOptions {
  procfileList: ProcFileName[];
  procfs: string;
  procfsTarget: ProcfsTarget;
}

/** Adds `procpath capture` to the program. */
export function registerCapture(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("capture")
    .description(
      "Save the procfs files procpath reads into a directory, to replay with --procfs or attach to a bug report.",
    )
    .argument("<directory>", "where to write the tree (created; must be empty when it exists)")
    .argument(
      "[query]",
      "JSONPath selecting whole process nodes and their subtrees; all when absent",
    )
    .option(
      "-f, --procfile-list <procfile-list>",
      "procfiles to save besides stat (fd cannot be copied)",
      parseProcfileList,
      parseProcfileList(DEFAULT_PROCFILES),
    )
    .option("--procfs <procfs>", "procfs root to read", parseProcfsPath, "/proc")
    .option("--procfs-target <procfs-target>", "process or thread", parseTarget, "process")
    .action((directory: string, query: string | undefined, options: CaptureOptions) => {
      hooks.done(runCaptureCommand(directory, query, options, deps));
    });
}

/** Runs `procpath capture`: one snapshot, its selection's files copied into `directory`. */
export function runCaptureCommand(
  directory: string,
  queryText: string | undefined,
  options: CaptureOptions,
  deps: CliDeps,
): number {
  const compiled = queryText ? compileQuery(queryText) : null;
  try {
    if ([...Deno.readDirSync(directory)].length > 0) {
      throw new CommandError(`Cannot capture into ${quoteInput(directory)}: it is not empty`);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const reader = readerFor(options);
  const roots = readSnapshot(reader, { ...options, procfileList: ["stat"] }, deps);
  const selected = compiled ? runQuery(compiled, { children: roots }) : roots;
  if (!selected.every(isProcessNode)) {
    throw new CommandError(
      `Cannot capture ${quoteInput(queryText ?? "")}: the JSONPath must select whole process nodes`,
    );
  }
  // the selection with every subtree, each process once, as record would store it
  const pidColumn = columnsFor(["stat"]).filter((column) => column.name === "stat_pid");
  const pids = flattenNodes(selected, pidColumn).map((row) => Number(row[0]));
  Deno.mkdirSync(directory, { recursive: true });
  const { processes, files } = captureTree(
    reader,
    options.procfsTarget,
    pids,
    options.procfileList,
    directory,
  );
  deps.log.info(`Captured ${processes} processes (${files} files) into ${directory}`);
  return 0;
}
