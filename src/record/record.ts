import { RunFailure } from "../exit_codes.ts";
import { branchPidsOf, compileQuery, runQuery, substitute } from "../query/mod.ts";
import type { CompiledQuery } from "../query/mod.ts";
import { evaluateEnvironment } from "../shell/mod.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import type { StopSignals } from "../signals/stop_signals.ts";
import { queryWarnings, readSnapshot, ReadWarnings } from "../snapshot/mod.ts";
import type { SnapshotSource } from "../snapshot/mod.ts";
import { reasonOf } from "../files/output_path.ts";
import {
  buildMeta,
  columnsFor,
  EVENT_META_KEY,
  isProcessNode,
  openStore,
  RowFlattener,
} from "../store/mod.ts";
import type { ProcessEventRow, Store } from "../store/mod.ts";
import { BOOT_TIME_META_KEY } from "../store/queries.ts";
import type { EventSource } from "./events.ts";
import { listenerWarnings } from "./events.ts";
import { withoutChildren } from "../tree/flatten_tree.ts";
import { parsePidList } from "../text/pid_list.ts";
import { quoteInput } from "../text/visible.ts";
import { Schedule } from "./schedule.ts";
import { collectSampleGarbage } from "../runtime/young_gc.ts";
import type { ProcessNode } from "../tree/types.ts";

/** What to record, as the command line gave it (templates still hold `$NAME`). */
export interface RecordPlan extends SnapshotSource {
  query?: string | undefined;
  pidList?: string | undefined;
  databaseFile: string;
  environment: readonly EnvironmentSpec[];
  /** Seconds between iteration starts. */
  interval: number;
  recnum?: number | undefined;
  reevalnum?: number | undefined;
  stopWithoutResult?: boolean | undefined;
  /** A shorthand selection (`--name nginx`): a first sample that selects nothing is exit 1. */
  emptyIsFailure?: string | undefined;
  /** Whether what runs below the selected processes is recorded too (`--no-subtree`: false). */
  subtree?: boolean | undefined;
  /** The compact layout: only what changed is stored (`store/compact_schema.ts`). */
  compact?: boolean | undefined;
}

/** One iteration's figures, for a status line. */
export interface IterationFigures {
  iterations: number;
  rows: number;
  /** Cost of the last iteration, ms. */
  lastMs: number;
  /** Database size, bytes (main file and write-ahead log). */
  bytes: number;
}

/** What a recording needs of the running program. */
export interface RecordIo {
  /** procpath's own PID, left out of a live snapshot. */
  pid: number;
  /** Wall clock, unix milliseconds with a fraction. */
  now(): number;
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
  /** Draws the figures after each iteration; `clear` erases them before a log line. */
  progress: { draw(figures: IterationFigures): void; clear(): void };
  stop: StopSignals;
  /** Hears each stored sample's selection and its wall time (unix ms): remote write feeds on it. */
  onSample?: ((nodes: readonly ProcessNode[], wallMs: number) => void) | undefined;
  /**
   * The branches to read at each sample instead of the plan's PIDs (`record --
   * COMMAND`: the command and the orphans procpath adopted).
   */
  branches?: (() => number[]) | undefined;
  /**
   * Forks, execs and exits between samples, stored in `process_event`; stopped at the
   * end. Its owner tracks each sample's processes (`onSample`).
   */
  events?: EventSource | undefined;
  /** Hears the events stored with each sample. */
  onEvents?: ((rows: readonly ProcessEventRow[]) => void) | undefined;
  /** Runs each evaluation of the `-e` commands (`record -- COMMAND` measures their CPU). */
  aroundEvaluation?: (<T>(evaluation: () => Promise<T>) => Promise<T>) | undefined;
}

/** How a recording ended. */
export interface RecordSummary {
  /** Samples stored: the distinct `ts` values the database gained. */
  samples: number;
  /** Samples taken whose selection was empty, so nothing was stored. */
  empty: number;
  rows: number;
  /** The database path after templating. */
  path: string;
  seconds: number;
}

/** A query or PID list that cannot run, or a database that cannot be used: the user's to fix. */
export class RecordError extends RunFailure {}

/** Samples a selection stays empty from the start before `record` says so. */
const EMPTY_SAMPLES_WARNED = 3;

const fileSize = (path: string) => {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
};

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Removes a database this run created, with SQLite's side files. */
function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    try {
      Deno.removeSync(path + suffix);
    } catch { /* not there */ }
  }
}

function openDatabase(path: string, plan: RecordPlan, io: RecordIo): Store {
  const meta = buildMeta({
    system: plan.procfs.systemInfo(),
    files: plan.procfileList,
    procfsPath: plan.procfs.path,
    target: plan.procfsTarget,
  });
  if (io.events) meta[EVENT_META_KEY] = io.events.description;
  // the kernel's btime: the views tell a process born between samples by it (a captured
  // tree may lack its own, and the host's would not match its start times)
  const boot = plan.procfs.isLive ? plan.procfs.bootTime() : 0;
  if (boot > 0) meta[BOOT_TIME_META_KEY] = String(boot);
  try {
    return openStore(path, {
      columns: columnsFor(plan.procfileList),
      meta,
      wal: true,
      events: io.events !== undefined,
      compact: plan.compact,
    });
  } catch (error) {
    if ((error as Error).name === "SchemaMismatchError") throw error;
    io.debug(String((error as Error).stack));
    const reason = systemReason(path) ?? (error as Error).message.replace(`: ${path}`, "");
    throw new RecordError(`Cannot open "${path}": ${reason}`, { cause: error });
  }
}

/**
 * Returns why the system refuses to open `path` for writing (a read-only file system,
 * a directory the user may not write), or null when it would not: SQLite says only
 * "unable to open database file". A file this probe creates is removed again.
 */
function systemReason(path: string): string | null {
  const existed = exists(path);
  try {
    Deno.openSync(path, { read: true, write: true, create: true }).close();
  } catch (error) {
    return reasonOf(error);
  }
  if (!existed) removeDatabase(path);
  return null;
}

/** The query and PID list of an iteration, templated from the original arguments. */
function templated(plan: RecordPlan, vars: Record<string, string>) {
  const text = substitute(plan.query ?? "", vars);
  let pids: number[] | undefined;
  if (plan.pidList !== undefined) {
    try {
      pids = parsePidList(substitute(plan.pidList, vars));
    } catch (error) {
      throw new RecordError(`Cannot use PID list: ${(error as Error).message}`, { cause: error });
    }
  }
  const query = text ? compileQuery(text) : null;
  // without -p, a query that selects branches by PID still reads only those
  return { query, pids: pids ?? (query ? branchPidsOf(query) ?? undefined : undefined) };
}

/**
 * Records the plan: one snapshot every interval, each iteration's rows committed in
 * one transaction stamped with the iteration's start, on a drift-free schedule. A stop
 * signal ends it after the current iteration (or the `-e` command running); a new
 * database whose recording fails before the first commit is removed again. Returns
 * the summary; throws for what cannot be recorded.
 */
export async function record(plan: RecordPlan, io: RecordIo): Promise<RecordSummary> {
  const started = performance.now();
  let path = plan.databaseFile;
  let created = false;
  let taken = 0, samples = 0, rows = 0;
  const summary = () => ({
    samples,
    empty: taken - samples,
    rows,
    path,
    seconds: (performance.now() - started) / 1000,
  });
  // a stop signal while an -e command runs ends the recording like at any other moment
  const evaluate = async () => {
    try {
      const evaluation = () =>
        evaluateEnvironment(plan.environment, io.warning, io.stop.signal, io.info);
      return await (io.aroundEvaluation ? io.aroundEvaluation(evaluation) : evaluation());
    } catch (error) {
      if (io.stop.requested) return null;
      throw error;
    }
  };
  const specs = plan.environment;
  try {
    let vars: Record<string, string> | null = specs.length > 0 ? await evaluate() : {};
    if (vars === null) return summary();
    if (specs.length > 0) path = substitute(plan.databaseFile, vars);
    if (path.trim() === "") {
      throw new RecordError(`Cannot record into "${path}": the database path is empty`);
    }
    // a bad path or PID list should fail before the database file exists
    templated(plan, vars);
    created = !exists(path);
    const store = openDatabase(path, plan, io);
    // rows of processes unchanged since the previous sample are that sample's rows
    const flattener = new RowFlattener(columnsFor(plan.procfileList));
    // anchored at the first iteration, after the database is open
    const schedule = new Schedule(plan.interval * 1000, performance.now());
    const warnings = new ReadWarnings(io.warning);
    let query: CompiledQuery | null = null;
    let pids: number[] | undefined;
    try {
      for (let count = 1;; count++) {
        const startWall = io.now() / 1000;
        const startMono = performance.now();
        const reevaluate = count === 1 ||
          (plan.reevalnum !== undefined && (count + 1) % plan.reevalnum === 0);
        if (reevaluate) {
          // the reference evaluates at count 1 too, after the database path's evaluation
          if (specs.length > 0) vars = await evaluate();
          if (vars === null) break;
          ({ query, pids } = templated(plan, vars));
          if (count === 1 && query) queryWarnings(query, plan.procfileList).forEach(io.warning);
        }
        if (io.stop.requested) break;
        io.progress.clear();
        const branches = io.branches?.();
        const read = readSnapshot(
          plan,
          { pid: io.pid, warn: io.warning },
          branches ?? pids,
          warnings,
        );
        // a branch read keeps the ancestors; the command's tree is its subtrees alone
        const roots = branches ? subtreesOf(read, new Set(branches)) : read;
        const selected = query ? runQuery(query, { children: roots }) : roots;
        // --no-subtree: the selected processes alone, without what runs below them
        const result = plan.subtree === false && query
          ? selected.map((n) => isProcessNode(n) ? withoutChildren(n) : n)
          : selected;
        if (taken === 0 && plan.emptyIsFailure !== undefined && result.length === 0) {
          throw new RecordError(`No process matches ${plan.emptyIsFailure}`);
        }
        if (!result.every(isProcessNode)) {
          throw new RecordError(
            `Cannot record ${
              quoteInput(query?.expression ?? "")
            }: the JSONPath must select whole process nodes`,
          );
        }
        let stored: number;
        try {
          stored = store.insertSnapshot(startWall, flattener.flatten(result));
        } catch (error) {
          throw new RecordError(`Cannot write "${path}": ${(error as Error).message}`, {
            cause: error,
          });
        }
        if (io.events) storeEvents(store, io, path);
        taken++;
        if (stored > 0) samples++;
        rows += stored;
        if (rows === 0 && taken === Math.min(EMPTY_SAMPLES_WARNED, plan.recnum ?? Infinity)) {
          io.warning(
            `The selection has been empty for the ${
              taken > 1 ? `first ${taken} samples` : "first sample"
            }: nothing is recorded until a process matches`,
          );
        }
        io.onSample?.(result as ProcessNode[], startWall * 1000);
        const latency = performance.now() - startMono;
        io.progress.draw({
          iterations: taken,
          rows,
          lastMs: latency,
          bytes: fileSize(path) + fileSize(path + "-wal"),
        });
        if (plan.recnum !== undefined && count + 1 > plan.recnum) break;
        if (plan.stopWithoutResult && stored === 0) break;
        const { waitMs, overran } = schedule.next(performance.now());
        if (overran) {
          io.progress.clear();
          io.warning(
            `Iteration took longer (${(latency / 1000).toFixed(2)}s) than record interval. ` +
              "Try longer interval.",
          );
        }
        // the sample is stored and all it allocated is dead: collect it while it is young
        collectSampleGarbage();
        await io.stop.sleep(waitMs);
        if (io.stop.requested) break;
      }
    } finally {
      io.progress.clear();
      if (io.events) {
        const ended = await io.events.stop();
        storeEvents(store, io, path);
        for (const warning of listenerWarnings(ended)) io.warning(warning);
      }
      store.close();
      warnings.finish();
    }
    return summary();
  } catch (error) {
    if (created && taken === 0) removeDatabase(path);
    throw error;
  }
}

/** Stores the events collected since the last sample. */
function storeEvents(store: Store, io: RecordIo, path: string): void {
  const rows = io.events!.drain();
  if (rows.length === 0) return;
  try {
    store.insertEvents(rows);
  } catch (error) {
    throw new RecordError(`Cannot write "${path}": ${(error as Error).message}`, { cause: error });
  }
  io.onEvents?.(rows);
}

/** The subtrees of `roots` whose root is one of `pids`, outermost first. */
function subtreesOf(roots: readonly ProcessNode[], pids: ReadonlySet<number>): ProcessNode[] {
  const found: ProcessNode[] = [];
  const pending = [...roots];
  for (let at = 0; at < pending.length; at++) {
    const node = pending[at];
    if (pids.has(node!.stat.pid as number)) found.push(node!);
    else for (const child of node!.children ?? []) if (isProcessNode(child)) pending.push(child);
  }
  return found;
}
