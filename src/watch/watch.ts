import { keepFilesOpen } from "../procfs/kept_files.ts";
import { UsageFailure } from "../exit_codes.ts";
import type { ProcFileName, ProcfsTarget, ProcReader, ProcRoot } from "../procfs/mod.ts";
import { readStat } from "../procfs/mod.ts";
import { compileQuery, runQuery, substitute } from "../query/mod.ts";
import {
  becomeSubreaper,
  evaluateEnvironment,
  reapOrphan,
  spawnShell,
  startWatchdog,
  terminateShells,
} from "../shell/mod.ts";
import type { EnvironmentSpec, Shell } from "../shell/mod.ts";
import type { StopSignals } from "../signals/stop_signals.ts";
import { queryWarnings, readSnapshot, ReadWarnings } from "../snapshot/mod.ts";
import { toPythonStr } from "../text/python_format.ts";
import { delay } from "../time/delay.ts";
import { descendantNodes, readForest } from "../tree/mod.ts";
import type { ProcessNode } from "../tree/mod.ts";

/** What to watch, as the command line gave it. */
export interface WatchPlan {
  environment: readonly EnvironmentSpec[];
  /** `distinct`: each value once, ascending (a shorthand's PIDs, whose subtrees may overlap). */
  query: readonly { name: string; query: string; distinct?: boolean }[];
  command: readonly string[];
  /** Seconds between iteration starts. */
  interval: number;
  repeat?: number | undefined;
  restart: boolean;
  stopSignal: Deno.Signal;
  /** Seconds between the stop signal and SIGKILL. */
  killAfter: number;
  procfileList: ProcFileName[];
  procfs: ProcRoot;
  procfsTarget: ProcfsTarget;
  /** A `-q` name whose results each get their own commands. */
  fanOut?: string | undefined;
  /** Do not start a command while a variable it uses is empty. */
  skipEmpty?: boolean | undefined;
}

/** What a watch needs of the running program. */
export interface WatchIo {
  /** procpath's own PID: its descendants are what a stop must end. */
  pid: number;
  /** The running system's procfs, where procpath's own processes are. */
  live: ProcRoot;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  stop: StopSignals;
}

/** A `--fan-out` that names no `-q` query. */
export class WatchError extends UsageFailure {}

/** The live processes below procpath, parents first (empty where `/proc` cannot be read). */
function ownDescendants(io: WatchIo): ProcessNode[] {
  try {
    const roots = readForest(io.live.reader("process"), { files: ["stat"], warn: () => {} });
    return descendantNodes(roots, io.pid);
  } catch {
    return [];
  }
}

/** Whether `pid` still runs: a zombie has exited, only its parent has not reaped it. */
function isAlive(live: ProcReader, pid: number): boolean {
  const record = readStat(live, pid);
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
export async function watch(options: WatchPlan, io: WatchIo): Promise<number> {
  if (options.command.length === 0) {
    throw new WatchError("required option '-c, --command <command>' not specified");
  }
  const fanOut = options.fanOut;
  if (fanOut !== undefined && !options.query.some((q) => q.name === fanOut)) {
    throw new WatchError(`--fan-out ${fanOut} names no -q query (-q ${fanOut}=JSONPath)`);
  }
  // queries may hold $NAME from -e, so they compile per iteration; the first iteration
  // evaluates them before starting any command, so a bad path still starts nothing
  const queries = options.query;
  const stop = io.stop;
  const live = io.live.reader("process");
  if (queries.length > 0) keepFilesOpen(options.procfs, options.procfsTarget);
  const subreaper = becomeSubreaper();
  const watchdog = startWatchdog();
  // one shell per command, or per command and selected value with --fan-out
  const shells = new Map<string, Shell>();
  const running = () => [...shells.values()];
  const output = {
    stdout: (label: string, line: string) => io.info(`${label}: ${line}`),
    stderr: (label: string, line: string) => relayStderr(io, label, line),
  };
  const descendants = () =>
    ownDescendants(io).map((node) => node.stat.pid as number).filter((pid) =>
      pid !== watchdog?.pid
    );
  const readWarnings = new ReadWarnings((m) => io.warning(m));
  const warned = new Set<string>();
  const skipped = new Set<string>();
  // with --no-restart the watch reports the first non-zero status of a command, so a CI
  // job that wraps its test run in a watch fails when the tests fail
  let stopping = false;
  let failure = 0;
  const noteExit = (shell: Shell) =>
    shell.exited.then(() => {
      if (stopping || options.restart) return;
      io.info(`${shell.label} exited with code ${shell.exitCode}${killedBy(shell)}`);
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
    // one scan serves both: what the watchdog must kill, and the adopted orphans that exited
    const below = ownDescendants(io);
    const groups = running().filter((s) => s.exitCode === null).map((s) => `-${s.pid}`);
    watchdog?.guard([
      ...groups,
      ...below.map((node) => String(node.stat.pid)).filter((pid) => pid !== String(watchdog.pid)),
    ]);
    if (subreaper) {
      // the runtime waits for its own children, the shells; the rest are procpath's to reap
      const shells = new Set(running().map((s) => s.pid));
      for (const node of below) {
        const pid = node.stat.pid as number;
        if (node.stat.ppid === io.pid && node.stat.state === "Z" && !shells.has(pid)) {
          reapOrphan(pid);
        }
      }
    }
  };
  try {
    for (let count = 1;; count++) {
      const start = performance.now();
      if (options.restart || count === 1) {
        let vars: Record<string, string>;
        try {
          vars = await evaluateEnvironment(
            options.environment,
            (m) => io.warning(m),
            stop.signal,
            (m) => io.info(m),
          );
        } catch (error) {
          if (stop.requested) break; // the stop killed an -e command
          throw error;
        }
        if (stop.requested) break;
        let fanValues: (string | null)[] = [null];
        if (queries.length > 0) {
          const roots = readSnapshot(
            options,
            { pid: io.pid, warn: io.warning },
            undefined,
            readWarnings,
          );
          for (const { name, query, distinct } of queries) {
            const compiled = compileQuery(substitute(query, vars));
            for (const warning of queryWarnings(compiled, options.procfileList)) {
              if (warned.has(warning)) continue;
              warned.add(warning);
              io.warning(warning);
            }
            const all = runQuery(compiled, { children: roots }).map(toPythonStr);
            const values = distinct ? [...new Set(all)].sort((a, b) => Number(a) - Number(b)) : all;
            if (values.length === 0) io.warning(`Query ${name} evaluated empty`);
            vars[name] = values.join(",");
            if (name === fanOut) fanValues = [...new Set(values)];
          }
        }
        let started = false;
        for (const value of fanValues) {
          const env = value === null ? vars : { ...vars, [fanOut!]: value };
          options.command.forEach((command, i) => {
            const key = `${i}\0${value ?? ""}`;
            const label = value === null ? `№${i + 1}` : `№${i + 1} ${fanOut}=${value}`;
            const shell = shells.get(key);
            if (shell && shell.exitCode === null) return;
            if (shell && !options.restart) return;
            const empty = options.skipEmpty ? emptyVariable(command, env) : null;
            if (empty !== null) {
              if (!skipped.has(key)) io.info(`${label} not started: $${empty} is empty`);
              skipped.add(key);
              return;
            }
            skipped.delete(key);
            if (shell) {
              io.info(`${label} exited with code ${shell.exitCode}${killedBy(shell)}, restarting`);
            }
            // it sees the shells of the other commands of its value that run: $WPS1, $WPS2, …
            const wps: Record<string, string> = {};
            options.command.forEach((_, j) => {
              const other = shells.get(`${j}\0${value ?? ""}`);
              if (j !== i && other && other.exitCode === null) {
                wps[`WPS${j + 1}`] = String(other.pid);
              }
            });
            const spawned = spawnShell(label, command, { env: { ...env, ...wps }, output });
            shells.set(key, spawned);
            noteExit(spawned);
            started = true;
          });
        }
        guard(started);
      } else guard();
      await waitForNext(options, running(), stop, performance.now() - start);
      if (stop.requested) break;
      if (options.repeat !== undefined && count + 1 > options.repeat) break;
      if (!options.restart && running().every((shell) => shell.exitCode !== null)) break;
    }
  } finally {
    // exits from here on are procpath's own doing
    stopping = true;
    await terminateShells(running(), {
      signal: options.stopSignal,
      killAfterMs: options.killAfter * 1000,
      descendants,
      isAlive: (pid) => isAlive(live, pid),
      debug: (m) => io.debug(m),
      say: (m) => io.info(m),
      hurry: stop.again,
    });
    await watchdog?.release();
    readWarnings.finish();
  }
  return failure;
}

/** " (killed by SIGSEGV)" for a shell a signal ended, else "": the code alone does not say. */
function killedBy(shell: Shell): string {
  return shell.signal === null ? "" : ` (killed by ${shell.signal})`;
}

/** The first variable a command uses (`$NAME`, `${NAME}`) that is defined but empty, else `null`. */
function emptyVariable(command: string, vars: Readonly<Record<string, string>>): string | null {
  for (const match of command.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (Object.hasOwn(vars, match[1]!) && vars[match[1]!] === "") return match[1]!;
  }
  return null;
}

/**
 * Waits for the next iteration: the rest of the interval, or with `-i 0` until a
 * command exits (an iteration could change nothing before that, and looping at once
 * would spin a core); a stop signal ends the wait.
 */
async function waitForNext(
  options: WatchPlan,
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

/** A procpath log line (`2026-11-21 23:32:00 INFO    procpath …`): its level and message. */
const PROCPATH_LOG_LINE =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) +procpath (.*)$/;

/**
 * Relays a command's stderr line at WARNING, as the reference does — except a line
 * another procpath logged (a `procpath record` under watch), which keeps its own level
 * and loses its doubled time and name.
 */
function relayStderr(io: WatchIo, label: string, line: string): void {
  const logged = PROCPATH_LOG_LINE.exec(line);
  if (logged === null) return io.warning(`${label}: ${line}`);
  const [, level, message] = logged;
  if (level === "INFO") io.info(`${label}: ${message}`);
  else if (level === "DEBUG") io.debug(`${label}: ${message}`);
  else io.warning(`${label}: ${message}`);
}
