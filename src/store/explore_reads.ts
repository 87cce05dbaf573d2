/**
 * What `explore` reads from a recording, as SQL the store owns: a read-only connection,
 * the recording's revision, and the chart series bucketed into pixel columns by SQLite
 * itself (the largest value of each column, so peaks stay visible). Explore shapes and
 * serves what these return; it writes no SQL of its own.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { connect, returnArrays } from "./_connect.ts";
import { lastValues, recordColumns } from "./_inspect.ts";
import { readLastRecordId } from "./compact_schema.ts";
import type { SeriesQuery } from "./queries.ts";

export { lastValues, recordColumns, returnArrays };

/** A read-only connection to a recording. */
export type ReadOnlyRecording = DatabaseSync;

/** Opens `path` read-only, refusing writes even through PRAGMAs and ATTACH. */
export function openReadOnly(path: string): ReadOnlyRecording {
  const db = connect(path, { readOnly: true });
  db.exec("PRAGMA query_only = 1");
  return db;
}

/** The recording's last rowid: it moves when the recording grows. */
export function lastRecordId(db: ReadOnlyRecording): number {
  return readLastRecordId(db);
}

/** A time window cut into pixel columns of `step` seconds from `t0`, optionally some PIDs only. */
export interface Buckets {
  after?: number | undefined;
  before?: number | undefined;
  t0: number;
  step: number;
  pids?: readonly number[] | undefined;
}

function arrays(db: ReadOnlyRecording, sql: string, window: Buckets): unknown[][] {
  const statement: StatementSync = db.prepare(sql);
  statement.setAllowUnknownNamedParameters(true);
  returnArrays(statement);
  const params: Record<string, SQLInputValue> = {
    after: window.after ?? null,
    before: window.before ?? null,
    pid_list: window.pids ? `,${window.pids.join(",")},` : null,
    t0: window.t0,
    step: window.step,
  };
  return statement.all(params) as unknown as unknown[][];
}

const BUCKET = "CAST((ts - :t0) / :step AS INTEGER)";

/** A built-in query's SQL without its ORDER BY, to wrap in an aggregate. */
const inner = (query: SeriesQuery) => query.sql.replace(/ORDER BY[^)]*$/, "");

/** One process's life in the window: first and last sample, clock ticks of CPU in between. */
export interface LifetimeRow {
  pid: number;
  comm: string;
  first: number;
  last: number;
  ticks: number;
}

/** The processes of the window (PID and start time), in order of appearance. */
export function processLifetimes(db: ReadOnlyRecording, window: Buckets): LifetimeRow[] {
  return arrays(
    db,
    `SELECT stat_pid, MAX(stat_comm), MIN(ts), MAX(ts),
       MAX(stat_utime + stat_stime) - MIN(stat_utime + stat_stime)
     FROM record
     WHERE (:after IS NULL OR :after <= ts) AND (:before IS NULL OR ts <= :before)
       AND (:pid_list IS NULL OR instr(:pid_list, ',' || stat_pid || ','))
     GROUP BY stat_pid, stat_starttime ORDER BY MIN(ts), stat_pid`,
    window,
  ).map(([pid, comm, first, last, ticks]) => ({
    pid: Number(pid),
    comm: String(comm ?? ""),
    first: Number(first),
    last: Number(last),
    ticks: Number(ticks ?? 0),
  }));
}

/** A query's per-sample total over the selection, the largest per pixel column: (column, value). */
export function bucketedTotals(
  db: ReadOnlyRecording,
  query: SeriesQuery,
  window: Buckets,
): [number, number | null][] {
  const total = `SELECT ts, SUM(value) total FROM (${inner(query)}) GROUP BY ts`;
  return arrays(db, `SELECT ${BUCKET} b, MAX(total) FROM (${total}) GROUP BY b ORDER BY b`, window)
    .map(([b, v]) => [Number(b), v === null ? null : Number(v)]);
}

/** A query's value per process, the largest per pixel column. */
export function bucketedByProcess(
  db: ReadOnlyRecording,
  query: SeriesQuery,
  window: Buckets,
): { ts: number; pid: number; value: number | null }[] {
  return arrays(
    db,
    `SELECT ${BUCKET} b, pid, MAX(value) FROM (${inner(query)}) GROUP BY pid, b ORDER BY pid, b`,
    window,
  ).map(([b, pid, value]) => ({
    ts: Number(b),
    pid: Number(pid),
    value: value === null ? null : Number(value),
  }));
}
