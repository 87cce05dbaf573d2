import type { SQLInputValue } from "node:sqlite";
import { CREATE_EVENT_TABLE_SQL, CREATE_META_TABLE_SQL, createRecordTableSql } from "./schema.ts";
import type { Column, ProcessEventRow } from "./schema.ts";
import type { Row } from "./flatten.ts";
import { metaValue, recordColumns, tableColumns } from "./_inspect.ts";
import { connect, inTransaction } from "./_connect.ts";
import { runUserQuery } from "./user_sql.ts";
import { createCompactSql, readRecordLayout } from "./compact_schema.ts";
import { openCompactWriter } from "./compact_writer.ts";
import type { ResultValue } from "./user_sql.ts";

export type { ResultValue };

export { SqlError } from "./errors.ts";

/** Bound parameters per statement: well under SQLite's default limit of 32766. */
const BIND_LIMIT = 2000;

/** A recording database: the `record` and `meta` tables. */
export interface Store {
  /** Inserts one iteration's rows at `ts` (unix seconds) in one transaction; returns the row count. */
  insertSnapshot(ts: number, rows: readonly Row[]): number;
  /** Inserts process events into `process_event` in one transaction (needs `events`). */
  insertEvents(rows: readonly ProcessEventRow[]): void;
  /**
   * Runs one read-only statement the user wrote, with named parameters, and returns its
   * rows. Throws `SqlError`, also for a write or a second statement.
   */
  query(sql: string, params?: Record<string, SQLInputValue>): Record<string, ResultValue>[];
  close(): void;
}

/** How to open a store. */
export interface OpenStoreOptions {
  columns: readonly Column[];
  meta: Record<string, string>;
  /**
   * Write-ahead logging: readers (`sqlite3`, `procpath plot`) see every committed
   * iteration while a recording goes on, and a killed writer loses nothing committed.
   */
  wal?: boolean;
  /** Also create the `process_event` table. */
  events?: boolean | undefined;
  /**
   * The compact layout (`compact_schema.ts`): only what changed is stored, `record` is a
   * view of the same rows. Appending to a recording of the other layout is refused.
   */
  compact?: boolean | undefined;
}

/** A database that exists already holds a `record` table of other columns. */
export class SchemaMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaMismatchError";
  }
}

/**
 * Opens (creating when needed) a recording database at `path` (`:memory:` for a
 * scratch one) with the reference's schema, and writes `meta`. Appending to a
 * database recorded with another procfile list throws `SchemaMismatchError`
 * before anything is written.
 */
export function openStore(path: string, options: OpenStoreOptions): Store {
  const db = connect(path);
  try {
    // everything that can refuse the file runs before the first write (the switch to
    // WAL rewrites the header), so a refused database is left byte for byte as it was
    const layout = readRecordLayout(db);
    const wantedLayout = options.compact ? "compact" : "plain";
    if (layout !== "none" && layout !== wantedLayout) {
      throw new SchemaMismatchError(
        `Cannot append to "${path}": it is a ${layout} recording; record ${
          layout === "compact" ? "with" : "without"
        } --compact, or into a new database`,
      );
    }
    const existing = recordColumns(db).filter((name) => name !== "record_id" && name !== "ts");
    const wanted = options.columns.map((c) => c.name);
    if (existing.length > 0 && [...existing].sort().join() !== [...wanted].sort().join()) {
      const recorded = metaValue(db, "procfile_list") ?? "other procfiles";
      throw new SchemaMismatchError(
        `Cannot append to "${path}": it was recorded with procfiles ${recorded}, ` +
          `not ${options.meta.procfile_list ?? "these"}; record into a new database`,
      );
    }
    const meta = tableColumns(db, "meta");
    if (meta.length > 0 && !(meta.includes("key") && meta.includes("value"))) {
      throw new SchemaMismatchError(
        `Cannot append to "${path}": its meta table is not a procpath recording's ` +
          `(columns ${meta.join(", ")}); record into a new database`,
      );
    }
    if (options.wal) {
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
    }
  } catch (error) {
    db.close();
    throw error;
  }
  // the schema and meta in one transaction: one write to the log instead of one per
  // statement (a dozen pages, which a small file system may not have)
  try {
    inTransaction(db, () => {
      if (options.compact) {
        for (const sql of createCompactSql(options.columns)) db.exec(sql);
      } else db.exec(createRecordTableSql(options.columns));
      db.exec(CREATE_META_TABLE_SQL);
      if (options.events) db.exec(CREATE_EVENT_TABLE_SQL);
      const replaceMeta = db.prepare("REPLACE INTO meta (key, value) VALUES (?, ?)");
      for (const [key, value] of Object.entries(options.meta)) replaceMeta.run(key, value);
    });
  } catch (error) {
    db.close();
    throw error;
  }
  const insertEvent = options.events
    ? db.prepare(
      "INSERT INTO process_event (ts, kind, pid, ppid, comm, cmdline, exit_code, exit_signal, " +
        "utime, stime, cutime, cstime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    : null;
  const names = options.columns.map((c) => c.name);
  const compact = options.compact
    ? openCompactWriter(db, options.columns, names.indexOf("stat_pid"))
    : null;
  const rowSql = `(?${", ?".repeat(names.length)})`;
  const insertSql = (rows: number) =>
    `INSERT INTO record (ts, ${names.join(", ")}) VALUES ${Array(rows).fill(rowSql).join(", ")}`;
  // rows go in batches: one statement call per BATCH rows instead of per row
  const batch = Math.max(1, Math.floor(BIND_LIMIT / (names.length + 1)));
  // a view takes no INSERT: the compact writer has statements of its own
  const insertBatch = compact === null ? db.prepare(insertSql(batch)) : null;
  const insertOne = compact === null ? db.prepare(insertSql(1)) : null;
  return {
    insertSnapshot(ts, rows) {
      if (rows.length === 0) return 0;
      const stamp = Math.round(ts * 1e6) / 1e6;
      if (compact !== null) return compact.insertSnapshot(stamp, rows);
      inTransaction(db, () => {
        let at = 0;
        const width = names.length + 1;
        const values: SQLInputValue[] = new Array(batch * width);
        for (; at + batch <= rows.length; at += batch) {
          for (let r = 0; r < batch; r++) {
            const row = rows[at + r];
            values[r * width] = stamp;
            for (let c = 0; c < row!.length; c++) values[r * width + 1 + c] = row![c]!;
          }
          insertBatch!.run(...values);
        }
        for (; at < rows.length; at++) insertOne!.run(stamp, ...rows[at]!);
      });
      return rows.length;
    },
    insertEvents(rows) {
      if (rows.length === 0 || insertEvent === null) return;
      inTransaction(db, () => {
        for (const e of rows) {
          insertEvent.run(
            Math.round(e.ts * 1e6) / 1e6,
            e.kind,
            e.pid,
            e.ppid,
            e.comm,
            e.cmdline,
            e.exitCode,
            e.exitSignal,
            e.utime,
            e.stime,
            e.cutime,
            e.cstime,
          );
        }
      });
    },
    query(sql, params = {}) {
      return runUserQuery(db, sql, params);
    },
    close() {
      if (options.wal) {
        // fold the log back into the database and leave a single file behind; a
        // reader still attached keeps WAL mode, which is harmless
        try {
          db.exec("PRAGMA busy_timeout = 0"); // never delay exit for a reader that stays open
          db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
          db.exec("PRAGMA journal_mode = DELETE");
        } catch { /* another connection is open: its close will clean up */ }
      }
      db.close();
    },
  };
}
