import { PROC_FILES } from "../procfs/mod.ts";
import type { ProcFileName, SqlType } from "../procfs/mod.ts";

/** A column of the `record` table. */
export interface Column {
  /** `<procfile>_<field>`, or the procfile name for a scalar file (`cmdline`). */
  name: string;
  sqlType: SqlType;
  file: ProcFileName;
  /** The record field, `null` for a scalar file. */
  field: string | null;
}

/**
 * Returns the `record` columns for a procfile list, as the reference lays them out:
 * procfiles sorted by name, fields in schema order within each.
 */
export function columnsFor(files: readonly ProcFileName[]): Column[] {
  const columns: Column[] = [];
  for (const file of [...new Set(files)].sort()) {
    const fields = PROC_FILES[file].fields;
    if (fields === null) {
      columns.push({
        name: file,
        sqlType: PROC_FILES[file].scalarType ?? "TEXT",
        file,
        field: null,
      });
      continue;
    }
    for (const field of fields) {
      columns.push({
        name: `${file}_${field.name}`,
        sqlType: field.sqlType,
        file,
        field: field.name,
      });
    }
  }
  return columns;
}

/** Returns the `CREATE TABLE IF NOT EXISTS record (…)` statement for the columns. */
export function createRecordTableSql(columns: readonly Column[]): string {
  const defs = ["record_id INTEGER PRIMARY KEY NOT NULL", "ts REAL NOT NULL"]
    .concat(columns.map((c) => `${c.name} ${c.sqlType}`));
  return `CREATE TABLE IF NOT EXISTS record (\n  ${defs.join(",\n  ")}\n)`;
}

/** The `meta` table: string keys and values, as the reference writes it. */
export const CREATE_META_TABLE_SQL =
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)";

/** One row of the `process_event` table: a fork, exec or exit in the recorded subtrees. */
export interface ProcessEventRow {
  /** Unix seconds, as `record.ts`. */
  ts: number;
  kind: "fork" | "exec" | "exit";
  pid: number;
  /** The parent (fork: the forking process; exit: the parent at exit). */
  ppid: number | null;
  /** The process name at the event (exec: the new program's). */
  comm: string | null;
  /** The command line read at exec (null when the process was gone before the read). */
  cmdline: string | null;
  /** Exit: the code (0-255) of a normal exit, else null. */
  exitCode: number | null;
  /** Exit: the signal that ended the process, else null. */
  exitSignal: number | null;
  /**
   * Exit: its CPU read from the zombie, clock ticks, or the kernel's taskstats report of
   * it, clock ticks to the µs (a fraction of a tick; SQLite keeps it in the INTEGER
   * column as a REAL); null when neither was had.
   */
  utime: number | null;
  stime: number | null;
  /** Exit: the CPU of the children it reaped, clock ticks. */
  cutime: number | null;
  cstime: number | null;
  /**
   * Exit: the peak RSS of the process, KiB, from the kernel's taskstats report (not
   * stored: the table's columns stay as they are); absent without one.
   */
  peakRssKib?: number | null;
}

/**
 * The table beside `record` that holds what happened between samples (the reference's
 * tables stay as they are): one row per fork, exec and exit of a process in the
 * recorded subtrees, from the kernel's process-events connector.
 */
export const CREATE_EVENT_TABLE_SQL = `CREATE TABLE IF NOT EXISTS process_event (
  event_id INTEGER PRIMARY KEY NOT NULL,
  ts REAL NOT NULL,
  kind TEXT NOT NULL,
  pid INTEGER NOT NULL,
  ppid INTEGER,
  comm TEXT,
  cmdline TEXT,
  exit_code INTEGER,
  exit_signal INTEGER,
  utime INTEGER,
  stime INTEGER,
  cutime INTEGER,
  cstime INTEGER
)`;

/** The `meta` key that describes `process_event` (absent when it was not recorded). */
export const EVENT_META_KEY = "process_events";
