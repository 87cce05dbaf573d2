/**
 * Copies a recording into a new database in the plain or the compact layout: the same
 * `record` rows (ids, `ts` and every value with its storage class), the same `meta`,
 * `process_event` and any other table with its rows and indexes.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { connect, returnArrays } from "./_connect.ts";
import {
  COMPACT_TABLES,
  createCompactSql,
  readRecordLayout,
  readStateColumns,
} from "./compact_schema.ts";
import type { RecordLayout, StateColumn } from "./compact_schema.ts";
import { openCompactWriter } from "./compact_writer.ts";
import type { StoredValue } from "./compact_writer.ts";
import { RecordingError } from "./errors.ts";

/** What a copy read and wrote. */
export interface CopyFigures {
  /** The source's layout. */
  from: Exclude<RecordLayout, "none">;
  /** `record` rows copied. */
  rows: number;
  /** Samples: runs of consecutive `record_id`s sharing one `ts`. */
  samples: number;
}

/** Rows bound per INSERT statement, within SQLite's limit on parameters. */
const BIND_LIMIT = 2000;

/**
 * Copies the recording at `source` (opened read-only) into `target`, a database that
 * does not exist yet, in the compact layout or the plain one, and compacts the result
 * (`VACUUM`). Throws `RecordingError` for a source that is not a recording.
 */
export function copyRecording(
  source: string,
  target: string,
  options: { compact: boolean },
): CopyFigures {
  let from: DatabaseSync;
  let layout: RecordLayout;
  try {
    from = connect(source, { readOnly: true });
    layout = readRecordLayout(from);
  } catch (error) {
    throw new RecordingError(
      `Cannot convert "${source}": it is not a readable SQLite database (${
        (error as Error).message
      })`,
    );
  }
  try {
    if (layout === "none") {
      throw new RecordingError(`Cannot convert "${source}": it has no record table`);
    }
    const names = readStateColumns(from, "record", 0).map((c) => c.name);
    if (names[0] !== "record_id" || names[1] !== "ts") {
      throw new RecordingError(
        `Cannot convert "${source}": its record table does not start with record_id and ts`,
      );
    }
    const columns = layout === "plain"
      ? readStateColumns(from, "record", 2)
      : readStateColumns(from, "record_state", 1);
    const to = connect(target);
    try {
      to.exec("PRAGMA journal_mode = OFF"); // a new file: a failed copy is deleted whole
      to.exec("PRAGMA synchronous = OFF");
      to.exec("BEGIN");
      copyOtherTables(from, to);
      const counts = options.compact
        ? copyToCompact(from, to, columns)
        : copyToPlain(from, to, columns);
      to.exec("COMMIT");
      to.exec("VACUUM");
      return { from: layout, ...counts };
    } finally {
      to.close();
    }
  } finally {
    from.close();
  }
}

/** Every table but the layout's, with its rows, and every index, view and trigger on them. */
function copyOtherTables(from: DatabaseSync, to: DatabaseSync): void {
  const entries = from.prepare(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL " +
      "AND name NOT LIKE 'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid",
  ).all() as { type: string; name: string; tbl_name: string; sql: string }[];
  for (const entry of entries) {
    if (COMPACT_TABLES.has(entry.name) || COMPACT_TABLES.has(entry.tbl_name)) continue;
    to.exec(entry.sql);
    if (entry.type !== "table") continue;
    const count = readStateColumns(from, entry.name, 0).length;
    const quoted = `"${entry.name.replaceAll('"', '""')}"`;
    const read = rowsOf(from.prepare(`SELECT * FROM ${quoted}`));
    const insert = to.prepare(`INSERT INTO ${quoted} VALUES (?${", ?".repeat(count - 1)})`);
    for (const row of read.iterate() as Iterable<SQLInputValue[]>) insert.run(...row);
  }
}

/** A statement that reads integers exactly and rows as arrays. */
function rowsOf(statement: StatementSync): StatementSync {
  statement.setReadBigInts(true);
  return returnArrays(statement);
}

/** Calls `onSample` with each run of consecutive record_ids sharing one ts, in order. */
function eachSample(
  from: DatabaseSync,
  columns: readonly StateColumn[],
  onSample: (first: number, ts: StoredValue, rows: StoredValue[][]) => void,
): { rows: number; samples: number } {
  const list = columns.map((c) => c.name).join(", ");
  const read = rowsOf(
    from.prepare(`SELECT record_id, ts${list ? ", " + list : ""} FROM record ORDER BY record_id`),
  );
  let first = 0;
  let next = 0;
  let ts: StoredValue = null;
  let rows: StoredValue[][] = [];
  let count = 0;
  let samples = 0;
  for (const values of read.iterate() as Iterable<StoredValue[]>) {
    const id = Number(values[0]);
    if (rows.length > 0 && (id !== next || values[1] !== ts)) {
      onSample(first, ts, rows);
      samples++;
      rows = [];
    }
    if (rows.length === 0) {
      first = id;
      ts = values[1]!;
    }
    rows.push(values.slice(2));
    next = id + 1;
    count++;
  }
  if (rows.length > 0) {
    onSample(first, ts, rows);
    samples++;
  }
  return { rows: count, samples };
}

function copyToCompact(
  from: DatabaseSync,
  to: DatabaseSync,
  columns: readonly StateColumn[],
): { rows: number; samples: number } {
  for (const sql of createCompactSql(columns)) to.exec(sql);
  // the writer commits a transaction per sample, as a recording does: end the copy's own
  to.exec("COMMIT");
  const writer = openCompactWriter(to, columns, columns.findIndex((c) => c.name === "stat_pid"));
  const counts = eachSample(from, columns, (first, ts, rows) => {
    writer.insertSnapshot(ts, rows, first);
  });
  to.exec("BEGIN");
  return counts;
}

function copyToPlain(
  from: DatabaseSync,
  to: DatabaseSync,
  columns: readonly StateColumn[],
): { rows: number; samples: number } {
  const defs = ["record_id INTEGER PRIMARY KEY NOT NULL", "ts REAL NOT NULL"]
    .concat(columns.map((c) => `${c.name}${c.sqlType ? " " + c.sqlType : ""}`));
  to.exec(`CREATE TABLE record (\n  ${defs.join(",\n  ")}\n)`);
  const width = columns.length + 2;
  const batch = Math.max(1, Math.floor(BIND_LIMIT / width));
  const tuple = `(?${", ?".repeat(width - 1)})`;
  const insert = (n: number) =>
    to.prepare(`INSERT INTO record VALUES ${Array(n).fill(tuple).join(", ")}`);
  const insertBatch = insert(batch);
  const insertOne = insert(1);
  const pending: SQLInputValue[][] = [];
  const flush = () => {
    insertBatch.run(...pending.flat());
    pending.length = 0;
  };
  const counts = eachSample(from, columns, (first, ts, rows) => {
    rows.forEach((row, at) => {
      pending.push([first + at, ts, ...row] as SQLInputValue[]);
      if (pending.length === batch) flush();
    });
  });
  for (const row of pending) insertOne.run(...row);
  return counts;
}
