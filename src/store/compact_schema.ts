/**
 * The compact layout of a recording: what the reference's `record` table holds, stored
 * as what changed, behind a view of the same name, columns and rows.
 *
 * - `record_state`: one row per distinct set of values a process had (a process whose
 *   values repeat those of its previous sample keeps its state, an idle one for good);
 * - `record_run`: a sample's composition (its layout), as runs of consecutive
 *   `state_id`s in the order `record` stores the rows: `count` states from
 *   `first_state`, the first of them at `position` in the sample. Samples whose states
 *   are the same share a layout; states are numbered in the order they are stored, so
 *   an unchanged process keeps its place in a run and the processes that changed
 *   together make one new run;
 * - `record_sample`: one row per sample: its `ts`, the `record_id` of its first row and
 *   its layout;
 * - `record_ordinal`: the integers 0…n−1, n the longest run: what unrolls a run into
 *   rows in plain SQL (no JSON, no extension: every SQLite client reads the view).
 *
 * The view `record` joins them: `record_id` is the sample's first plus the row's
 * position, so ids, rows and their natural order are the plain table's.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/** A column of the `record` table as a state holds it: name and declared type. */
export interface StateColumn {
  name: string;
  /** The declared type (`INTEGER`, `TEXT`, …), empty for none: its affinity is the plain table's. */
  sqlType: string;
}

/** The compact layout's tables and view: a copy of a recording leaves them to its writer. */
export const COMPACT_TABLES: ReadonlySet<string> = new Set([
  "record",
  "record_state",
  "record_run",
  "record_sample",
  "record_ordinal",
]);

/** How a database lays out `record`: a table, the compact view, or nothing yet. */
export type RecordLayout = "plain" | "compact" | "none";

/** The tables and the view of the compact layout, for `columns` (`record_id` and `ts` excluded). */
export function createCompactSql(columns: readonly StateColumn[]): string[] {
  const stateDefs = ["state_id INTEGER PRIMARY KEY NOT NULL"]
    .concat(columns.map((c) => `${c.name}${c.sqlType ? " " + c.sqlType : ""}`));
  const selected = ["s.first_record_id + u.position + o.n AS record_id", "s.ts AS ts"]
    .concat(columns.map((c) => `r.${c.name} AS ${c.name}`));
  return [
    `CREATE TABLE IF NOT EXISTS record_state (\n  ${stateDefs.join(",\n  ")}\n)`,
    "CREATE TABLE IF NOT EXISTS record_run (layout_id INTEGER NOT NULL, " +
    "position INTEGER NOT NULL, first_state INTEGER NOT NULL, count INTEGER NOT NULL, " +
    "PRIMARY KEY (layout_id, position)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS record_sample (sample_id INTEGER PRIMARY KEY NOT NULL, " +
    "ts REAL NOT NULL, first_record_id INTEGER NOT NULL, layout_id INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS record_ordinal (n INTEGER PRIMARY KEY NOT NULL)",
    // CROSS JOIN keeps the loops in this order (samples, their runs by position, each
    // run's states), so an unordered SELECT reads rows by record_id as the plain table
    // does; LEFT JOIN lets SQLite skip the states when a query reads only ts and
    // record_id (every state a run names exists)
    `CREATE VIEW IF NOT EXISTS record AS SELECT\n  ${selected.join(",\n  ")}\n` +
    "FROM record_sample s\n" +
    "  CROSS JOIN record_run u\n" +
    "  CROSS JOIN record_ordinal o\n" +
    "  LEFT JOIN record_state r ON r.state_id = u.first_state + o.n\n" +
    "WHERE u.layout_id = s.layout_id AND o.n < u.count",
  ];
}

/** Returns how `db` lays out `record`: a compact view beside `record_state`, a table, or none. */
export function readRecordLayout(db: DatabaseSync): RecordLayout {
  const rows = db.prepare(
    "SELECT name, type FROM sqlite_master WHERE name IN ('record', 'record_state')",
  ).all() as { name: string; type: string }[];
  const record = rows.find((r) => r.name === "record");
  if (record === undefined) return "none";
  if (record.type === "view" && rows.some((r) => r.name === "record_state")) return "compact";
  return "plain";
}

/** The columns of `table` but its first `skip` ones, with their declared types, in order. */
export function readStateColumns(db: DatabaseSync, table: string, skip: number): StateColumn[] {
  return (db.prepare("SELECT name, type FROM pragma_table_info(?) ORDER BY cid").all(table) as {
    name: string;
    type: string;
  }[]).slice(skip).map((c) => ({ name: c.name, sqlType: c.type }));
}

/**
 * The recording's last `record_id` (0 when empty), in either layout: a compact one's
 * from its last sample, not by unrolling every row of the view.
 */
export function readLastRecordId(db: DatabaseSync): number {
  const sql = readRecordLayout(db) === "compact"
    ? "SELECT s.first_record_id + (SELECT SUM(count) FROM record_run u " +
      "WHERE u.layout_id = s.layout_id) - 1 last FROM record_sample s ORDER BY s.sample_id DESC LIMIT 1"
    : "SELECT MAX(record_id) last FROM record";
  const row = db.prepare(sql).get() as { last: number | null } | undefined;
  return Number(row?.last ?? 0);
}

/**
 * The distinct sample times of the recording, unix seconds ascending, in either layout:
 * a compact one's from its samples (each has rows), not by unrolling the view.
 */
export function readSampleTimes(db: DatabaseSync): number[] {
  const sql = readRecordLayout(db) === "compact"
    ? "SELECT DISTINCT ts FROM record_sample ORDER BY ts"
    : "SELECT DISTINCT ts FROM record ORDER BY ts";
  return (db.prepare(sql).all() as { ts: number }[]).map((row) => Number(row.ts));
}
