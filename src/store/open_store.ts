import { DatabaseSync } from "node:sqlite";
import type { SQLInputValue } from "node:sqlite";
import { CREATE_META_TABLE_SQL, createRecordTableSql } from "./schema.ts";
import type { Column } from "./schema.ts";
import type { Row } from "./flatten.ts";

/** A value read back from SQLite: integers as bigint, reals as number. */
export type ResultValue = bigint | number | string | Uint8Array | null;

/** An SQL statement the user wrote failed (syntax, unknown column, …). */
export class SqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlError";
  }
}

/** A recording database: the `record` and `meta` tables. */
export interface Store {
  /** Inserts one iteration's rows at `ts` (unix seconds) in one transaction; returns the row count. */
  insertSnapshot(ts: number, rows: readonly Row[]): number;
  /** Runs one statement with named parameters and returns its rows. Throws `SqlError`. */
  query(sql: string, params?: Record<string, SQLInputValue>): Record<string, ResultValue>[];
  close(): void;
}

/** How to open a store. */
export interface OpenStoreOptions {
  columns: readonly Column[];
  meta: Record<string, string>;
}

/**
 * Opens (creating when needed) a recording database at `path` (`:memory:` for a
 * scratch one) with the reference's schema, and writes `meta`.
 */
export function openStore(path: string, options: OpenStoreOptions): Store {
  const db = new DatabaseSync(path);
  db.exec(createRecordTableSql(options.columns));
  db.exec(CREATE_META_TABLE_SQL);
  const replaceMeta = db.prepare("REPLACE INTO meta (key, value) VALUES (?, ?)");
  for (const [key, value] of Object.entries(options.meta)) replaceMeta.run(key, value);
  const names = options.columns.map((c) => c.name);
  const insert = db.prepare(
    `INSERT INTO record (ts, ${names.join(", ")}) VALUES (?${", ?".repeat(names.length)})`,
  );
  return {
    insertSnapshot(ts, rows) {
      if (rows.length === 0) return 0;
      const stamp = Math.round(ts * 1e6) / 1e6;
      db.exec("BEGIN");
      try {
        for (const row of rows) insert.run(stamp, ...row);
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
      return rows.length;
    },
    query(sql, params = {}) {
      let statement;
      try {
        statement = db.prepare(sql);
      } catch (error) {
        throw new SqlError(`SQL error: ${(error as Error).message}`);
      }
      statement.setReadBigInts(true);
      const integerColumns = statement.columns()
        .filter((c) => c.type?.toUpperCase() === "INTEGER").map((c) => c.name);
      try {
        const rows = statement.all(params) as Record<string, ResultValue>[];
        for (const row of rows) {
          for (const name of integerColumns) {
            const value = row[name];
            // integers past int64 are stored as hex text; read them back as integers
            if (typeof value === "string" && /^0x[0-9a-f]+$/.test(value)) row[name] = BigInt(value);
          }
        }
        return rows;
      } catch (error) {
        throw new SqlError(`SQL error: ${(error as Error).message}`);
      }
    },
    close() {
      db.close();
    },
  };
}
