import { quoteInput } from "../text/visible.ts";
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { ProcFileName, ProcfsTarget, ProcReader } from "../procfs/mod.ts";
import { readSystemInfo } from "../procfs/mod.ts";
import { compileQuery, runQuery, substitute } from "../query/mod.ts";
import type { CompiledQuery } from "../query/mod.ts";
import { evaluateEnvironment } from "../shell/mod.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import { buildMeta, columnsFor, flattenNodes, isProcessNode, openStore } from "../store/mod.ts";
import type { Store } from "../store/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { CommandError } from "./errors.ts";
import {
  collectEnvironment,
  DEFAULT_PROCFILES,
  parseDatabasePath,
  parsePidList,
  parsePositiveInt,
  parseProcfileList,
  parseProcfsPath,
  parseSeconds,
  parseTarget,
} from "./options.ts";
import { counted, createProgress } from "./progress.ts";
import { Schedule } from "./schedule.ts";
import { readerFor, readSnapshot } from "./snapshot.ts";
import { ReadWarnings, unreadProcfiles, unreadProcfilesWarning } from "./read_warnings.ts";
import { listenForStop } from "./stop_signals.ts";

/** Options of `procpath record`, as commander hands them over. */
export interface RecordOptions {
  procfileList: ProcFileName[];
  environment: EnvironmentSpec[];
  databaseFile: string;
  pidList?: string;
  procfs: string;
  procfsTarget: ProcfsTarget;
  /** Seconds between iteration starts. */
  interval: number;
  recnum?: number;
  reevalnum?: number;
  stopWithoutResult?: boolean;
}

/** Adds `procpath record` to the program. */
export function registerRecord(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("record")
    .description("Record the result of a JSONPath query into SQLite every interval.")
    .argument("[query]", "JSONPath selecting whole process nodes; all processes when absent")
    .option(
      "-f, --procfile-list <procfile-list>",
      "procfiles to read: stat, cmdline, io, status, fd, smaps_rollup",
      parseProcfileList,
      parseProcfileList(DEFAULT_PROCFILES),
    )
    .option(
      "-e, --environment <environment>",
      "NAME='shell command' substituting $NAME in the query, PID list and database path; repeatable",
      collectEnvironment,
      [],
    )
    .requiredOption(
      "-d, --database-file <database-file>",
      "SQLite database to record into",
      parseDatabasePath,
    )
    .option("-p, --pid-list <pid-list>", "record only these processes' branches (comma-separated)")
    .option("--procfs <procfs>", "procfs root to read", parseProcfsPath, "/proc")
    .option("--procfs-target <procfs-target>", "process or thread", parseTarget, "process")
    .option("-i, --interval <interval>", "seconds between recordings", parseSeconds, 10)
    .option("-r, --recnum <recnum>", "number of recordings; endless when absent", parsePositiveInt)
    .option(
      "-v, --reevalnum <reevalnum>",
      "re-evaluate the environment every N recordings",
      parsePositiveInt,
    )
    .option("--stop-without-result", "stop when an iteration records nothing")
    .action(async (query: string | undefined, options: RecordOptions) => {
      if (hooks.capture) return hooks.capture("record", [query], options);
      hooks.done(await runRecordCommand(query, options, deps));
    });
}

const fileSize = (path: string) => {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
};

function absolute(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

function openRecording(
  path: string,
  reader: ProcReader,
  options: RecordOptions,
  deps: CliDeps,
): Store {
  const meta = buildMeta({
    system: readSystemInfo(reader),
    files: options.procfileList,
    procfsPath: absolute(options.procfs),
    target: options.procfsTarget,
  });
  try {
    return openStore(path, { columns: columnsFor(options.procfileList), meta, wal: true });
  } catch (error) {
    if ((error as Error).name === "SchemaMismatchError") throw error;
    deps.log.debug(String((error as Error).stack));
    const reason = (error as Error).message.replace(`: ${path}`, "");
    throw new Error(`Cannot open "${path}": ${reason}`);
  }
}

/**
 * Runs `procpath record`: one snapshot every interval, each iteration's rows committed
 * in one transaction stamped with the iteration's start. SIGINT and SIGTERM end the
 * recording after the current iteration. Returns the exit code.
 */
export async function runRecordCommand(
  queryTemplate: string | undefined,
  options: RecordOptions,
  deps: CliDeps,
): Promise<number> {
  const specs = options.environment;
  const stop = listenForStop();
  const warn = (m: string) => deps.log.warning(m);
  // a stop signal while an -e command runs ends the recording like at any other moment
  const evaluate = async () => {
    try {
      return await evaluateEnvironment(specs, warn, stop.signal);
    } catch (error) {
      if (stop.requested) return null;
      throw error;
    }
  };
  let path = options.databaseFile;
  let created = false;
  let samples = 0, rows = 0;
  const started = performance.now();
  const summary = () =>
    deps.log.info(
      `Recorded ${counted(samples, "sample", true)}, ${counted(rows, "row", true)} in ${
        ((performance.now() - started) / 1000).toFixed(1)
      }s into ${path}`,
    );
  try {
    let vars: Record<string, string> | null = specs.length > 0 ? await evaluate() : {};
    if (vars === null) {
      summary();
      return 0;
    }
    if (specs.length > 0) path = substitute(options.databaseFile, vars);
    if (path.trim() === "") {
      throw new CommandError(`Cannot record into "${path}": the database path is empty`);
    }
    // a bad path or PID list should fail before the database file exists
    templated(queryTemplate, options.pidList, vars);
    const reader = readerFor(options);
    created = !exists(path);
    const store = openRecording(path, reader, options, deps);
    const progress = createProgress(deps.writeErr, deps.stderrIsTerminal);
    const columns = columnsFor(options.procfileList);
    const intervalMs = options.interval * 1000;
    // anchored at the first iteration, after the database is open
    const schedule = new Schedule(intervalMs, performance.now());
    let query: CompiledQuery | null = null;
    let pids: number[] | undefined;
    const warnings = new ReadWarnings(warn);
    try {
      for (let count = 1;; count++) {
        const startWall = deps.now() / 1000;
        const startMono = performance.now();
        const reevaluate = count === 1 ||
          (options.reevalnum !== undefined && (count + 1) % options.reevalnum === 0);
        if (reevaluate) {
          // the reference evaluates at count 1 too, after the database path's evaluation
          if (specs.length > 0) vars = await evaluate();
          if (vars === null) break;
          ({ query, pids } = templated(queryTemplate, options.pidList, vars));
          const unread = count === 1 && query ? unreadProcfiles(query, options.procfileList) : [];
          if (unread.length > 0) warn(unreadProcfilesWarning(unread, options.procfileList));
        }
        if (stop.requested) break;
        progress.clear();
        const roots = readSnapshot(reader, options, deps, pids, warnings);
        const result = query ? runQuery(query, { children: roots }) : roots;
        if (!result.every(isProcessNode)) {
          throw new CommandError(
            `Cannot record ${
              quoteInput(query?.expression ?? "")
            }: the JSONPath must select whole process nodes`,
          );
        }
        let stored: number;
        try {
          stored = store.insertSnapshot(startWall, flattenNodes(result, columns));
        } catch (error) {
          throw new Error(`Cannot write "${path}": ${(error as Error).message}`);
        }
        samples++;
        rows += stored;
        const latency = performance.now() - startMono;
        progress.draw({
          iterations: samples,
          rows,
          lastMs: latency,
          bytes: fileSize(path) + fileSize(path + "-wal"),
        });
        if (options.recnum !== undefined && count + 1 > options.recnum) break;
        if (options.stopWithoutResult && stored === 0) break;
        const { waitMs, overran } = schedule.next(performance.now());
        if (overran) {
          progress.clear();
          deps.log.warning(
            `Iteration took longer (${(latency / 1000).toFixed(2)}s) than record interval. ` +
              "Try longer interval.",
          );
        }
        await stop.sleep(waitMs);
        if (stop.requested) break;
      }
    } finally {
      progress.clear();
      store.close();
      warnings.finish();
    }
    summary();
    return 0;
  } catch (error) {
    // a recording that failed before committing anything leaves no file behind
    if (created && samples === 0) removeDatabase(path);
    throw error;
  } finally {
    stop.dispose();
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes a database this run created, with SQLite's side files. */
function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    try {
      Deno.removeSync(path + suffix);
    } catch { /* not there */ }
  }
}

/** The query and PID list of an iteration, templated from the original arguments. */
function templated(
  queryTemplate: string | undefined,
  pidTemplate: string | undefined,
  vars: Record<string, string>,
): { query: CompiledQuery | null; pids: number[] | undefined } {
  const text = substitute(queryTemplate ?? "", vars);
  return {
    query: text ? compileQuery(text) : null,
    pids: pidTemplate === undefined ? undefined : pidsOf(substitute(pidTemplate, vars)),
  };
}

function pidsOf(text: string): number[] {
  try {
    return parsePidList(text);
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new CommandError(`Cannot use PID list: ${error.message}`);
    }
    throw error;
  }
}
