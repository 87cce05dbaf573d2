import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { createProcReader, readStat } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget, ProcReader } from "../procfs/mod.ts";
import { compileQuery, runQuery, substitute } from "../query/mod.ts";
import {
  becomeSubreaper,
  evaluateEnvironment,
  reapOrphan,
  SIGNAL_NAMES,
  spawnShell,
  startWatchdog,
  terminateShells,
} from "../shell/mod.ts";
import type { EnvironmentSpec, Shell } from "../shell/mod.ts";
import { descendantsOf, readForest } from "../tree/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import {
  collect,
  collectEnvironment,
  collectNamedQuery,
  DEFAULT_PROCFILES,
  parsePositiveInt,
  parseProcfileList,
  parseProcfsPath,
  parseSeconds,
  parseTarget,
} from "./options.ts";
import { toPythonStr } from "./python_format.ts";
import { readerFor, readSnapshot } from "./snapshot.ts";
import { ReadWarnings, unreadProcfiles, unreadProcfilesWarning } from "./read_warnings.ts";
import { listenForStop } from "./stop_signals.ts";
import type { StopSignals } from "./stop_signals.ts";
import { UsageError } from "./errors.ts";
import { delay } from "../time/delay.ts";

/** Options of `procpath watch`, as commander hands them over. */
export interface WatchOptions {
  environment: EnvironmentSpec[];
  query: { name: string; query: string }[];
  command: string[];
  /** Seconds between iteration starts. */
  interval: number;
  repeat?: number;
  restart: boolean;
  stopSignal: Deno.Signal;
  /** Seconds between the stop signal and SIGKILL. */
  killAfter: number;
  procfileList: ProcFileName[];
  procfs: string;
  procfsTarget: ProcfsTarget;
}

/** Parses `-s/--stop-signal`: a signal name such as `SIGINT` or `SIGTERM`. */
export function parseSignal(text: string): Deno.Signal {
  if (!SIGNAL_NAMES.includes(text)) {
    throw new InvalidArgumentError(`expected a signal name such as SIGINT, SIGTERM or SIGKILL`);
  }
  return text as Deno.Signal;
}

/** Adds `procpath watch` to the program. */
export function registerWatch(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("watch")
    .description(
      "Run shell commands, restarting them every interval, with variables from JSONPath queries.",
    )
    .option(
      "-e, --environment <environment>",
      "NAME='shell command', evaluated every iteration; repeatable",
      collectEnvironment,
      [],
    )
    .option(
      "-q, --query <query>",
      "NAME=JSONPath; the results joined by commas become $NAME; repeatable",
      collectNamedQuery,
      [],
    )
    .requiredOption(
      "-c, --command <command>",
      "shell command; it sees $WPS1, $WPS2, … (the PIDs of the shells started before it); repeatable",
      collect,
      [],
    )
    .requiredOption("-i, --interval <interval>", "seconds between iterations", parseSeconds)
    .option("-r, --repeat <repeat>", "number of iterations; endless when absent", parsePositiveInt)
    .option("--no-restart", "start the commands once and stop when all have exited")
    .option(
      "-s, --stop-signal <stop-signal>",
      "signal that stops the commands' process groups",
      parseSignal,
      "SIGINT",
    )
    .option(
      "--kill-after <kill-after>",
      "seconds to wait after the stop signal before SIGKILL",
      parseSeconds,
      10,
    )
    .option(
      "-f, --procfile-list <procfile-list>",
      "procfiles for the queries",
      parseProcfileList,
      parseProcfileList(DEFAULT_PROCFILES),
    )
    .option("--procfs <procfs>", "procfs root for the queries", parseProcfsPath, "/proc")
    .option("--procfs-target <procfs-target>", "process or thread", parseTarget, "process")
    .action(async (options: WatchOptions) => {
      if (hooks.capture) return hooks.capture("watch", [], options);
      hooks.done(await runWatchCommand(options, deps));
    });
}

/** procpath's own processes live in `/proc` whatever `--procfs` the queries read. */
let liveProc: ProcReader | null = null;
const live = () => liveProc ??= createProcReader("/proc");

/** The live processes below procpath but `except` (empty where `/proc` cannot be read). */
function ownDescendants(deps: CliDeps, except: number | undefined): number[] {
  try {
    const roots = readForest(live(), { files: ["stat"], warn: () => {} });
    return descendantsOf(roots, deps.pid).filter((pid) => pid !== except);
  } catch {
    return [];
  }
}

/** Whether `pid` still runs: a zombie has exited, only its parent has not reaped it. */
function isAlive(pid: number): boolean {
  const record = readStat(live(), pid);
  return record !== null && record.stat.state !== "Z";
}

/**
 * Runs `procpath watch`: every interval, evaluates the environment and the queries
 * and (re)starts each command whose shell is not running, with the variables in its
 * environment (the shell expands `$NAME`; process data is never parsed as shell
 * code); on the end of `-r`, a stop signal or an error, stops every command and all
 * their descendants, orphans included. Returns the exit code: with `--no-restart`, the
 * first non-zero status a command exited with on its own; else 0.
 */
export async function runWatchCommand(options: WatchOptions, deps: CliDeps): Promise<number> {
  if (options.command.length === 0) {
    throw new UsageError("required option '-c, --command <command>' not specified");
  }
  // queries may hold $NAME from -e, so they compile per iteration; the first iteration
  // evaluates them before starting any command, so a bad path still starts nothing
  const queries = options.query;
  const stop = listenForStop();
  const subreaper = becomeSubreaper();
  const watchdog = startWatchdog();
  const shells: Shell[] = [];
  const shellEnv: Record<string, string> = {};
  const output = {
    stdout: (n: number, line: string) => deps.log.info(`№${n}: ${line}`),
    stderr: (n: number, line: string) => deps.log.warning(`№${n}: ${line}`),
  };
  const descendants = () => ownDescendants(deps, watchdog?.pid);
  const readWarnings = new ReadWarnings((m) => deps.log.warning(m));
  const warnedUnread = new Set<string>();
  // with --no-restart the watch reports the first non-zero status of a command, so a CI
  // job that wraps its test run in a watch fails when the tests fail
  let stopping = false;
  let failure = 0;
  const noteExit = (shell: Shell) =>
    shell.exited.then(() => {
      if (stopping || options.restart) return;
      deps.log.info(`№${shell.number} exited with code ${shell.exitCode}`);
      if (shell.exitCode !== 0 && failure === 0) failure = shell.exitCode ?? 1;
    });
  let lastScan = -Infinity;
  // tells the watchdog what to kill should procpath be killed itself, and reaps the
  // orphans the subreaper adopted that have exited since; at most once a second
  const guard = (force = false) => {
    if (!watchdog && !subreaper) return;
    const now = performance.now();
    if (!force && now - lastScan < 1000) return;
    lastScan = now;
    const below = descendants();
    const groups = shells.filter((s) => s.exitCode === null).map((s) => `-${s.pid}`);
    watchdog?.guard([...groups, ...below.map(String)]);
    if (subreaper) reapExitedOrphans(deps.pid, new Set(shells.map((s) => s.pid)));
  };
  try {
    for (let count = 1;; count++) {
      const start = performance.now();
      if (options.restart || count === 1) {
        let vars: Record<string, string>;
        try {
          vars = await evaluateEnvironment(
            options.environment,
            (m) => deps.log.warning(m),
            stop.signal,
          );
        } catch (error) {
          if (stop.requested) break; // the stop killed an -e command
          throw error;
        }
        if (stop.requested) break;
        if (queries.length > 0) {
          const roots = readSnapshot(readerFor(options), options, deps, undefined, readWarnings);
          for (const { name, query } of queries) {
            const compiled = compileQuery(substitute(query, vars));
            const unread = unreadProcfiles(compiled, options.procfileList)
              .filter((file) => !warnedUnread.has(file));
            if (unread.length > 0) {
              unread.forEach((file) => warnedUnread.add(file));
              deps.log.warning(unreadProcfilesWarning(unread, options.procfileList));
            }
            const value = runQuery(compiled, { children: roots }).map(toPythonStr).join(",");
            if (value === "") deps.log.warning(`Query ${name} evaluated empty`);
            vars[name] = value;
          }
        }
        let started = false;
        options.command.forEach((command, i) => {
          const shell = shells[i];
          if (shell && shell.exitCode === null) return;
          if (shell) deps.log.info(`№${i + 1} exited with code ${shell.exitCode}, restarting`);
          delete shellEnv[`WPS${i + 1}`];
          shells[i] = spawnShell(i + 1, command, { env: { ...vars, ...shellEnv }, output });
          noteExit(shells[i]);
          shellEnv[`WPS${i + 1}`] = String(shells[i].pid);
          started = true;
        });
        guard(started);
      } else guard();
      await waitForNext(options, shells, stop, performance.now() - start);
      if (stop.requested) break;
      if (options.repeat !== undefined && count + 1 > options.repeat) break;
      if (!options.restart && shells.every((shell) => shell.exitCode !== null)) break;
    }
  } finally {
    // exits from here on are procpath's own doing
    stopping = true;
    await terminateShells(shells, {
      signal: options.stopSignal,
      killAfterMs: options.killAfter * 1000,
      descendants,
      isAlive,
      debug: (m) => deps.log.debug(m),
    });
    await watchdog?.release();
    readWarnings.finish();
    stop.dispose();
  }
  return failure;
}

/**
 * Waits for the next iteration: the rest of the interval, or with `-i 0` until a
 * command exits (an iteration could change nothing before that, and looping at once
 * would spin a core); a stop signal ends the wait.
 */
async function waitForNext(
  options: WatchOptions,
  shells: readonly Shell[],
  stop: StopSignals,
  elapsedMs: number,
): Promise<void> {
  const running = shells.filter((shell) => shell.exitCode === null);
  if (options.interval > 0 || running.length === 0 || running.length < shells.length) {
    return stop.sleep(options.interval * 1000 - elapsedMs);
  }
  const wake = new AbortController();
  await Promise.race([
    delay(Infinity, AbortSignal.any([stop.signal, wake.signal])),
    ...running.map((shell) => shell.exited),
  ]);
  wake.abort();
}

/** Reaps the adopted orphans below procpath that have exited (not the shells: Deno waits for those). */
function reapExitedOrphans(self: number, shells: ReadonlySet<number>): void {
  try {
    for (const pid of live().listPids()) {
      const record = readStat(live(), pid);
      if (record?.stat.ppid === self && record.stat.state === "Z" && !shells.has(pid)) {
        reapOrphan(pid);
      }
    }
  } catch { /* /proc unreadable: nothing to reap */ }
}
