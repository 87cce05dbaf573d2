import type { DatabaseSync } from "node:sqlite";

/** Names of a table's columns in order; empty when there is no such table. */
export function tableColumns(db: DatabaseSync, table: string): string[] {
  return (db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[])
    .map((row) => row.name);
}

/** Names of the `record` table's columns, `record_id` and `ts` included; empty when there is none. */
export function recordColumns(db: DatabaseSync): string[] {
  return tableColumns(db, "record");
}

/** The `meta` value of `key`, or `undefined` when the key or the whole table is missing. */
export function metaValue(db: DatabaseSync, key: string): string | undefined {
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key);
    return (row as { value?: string } | undefined)?.value;
  } catch {
    return undefined; // a database without meta (not made by procpath)
  }
}

/**
 * The last recorded value of a text column (`stat_comm`, `cmdline`) for each PID, for
 * legends; empty where the recording lacks the column.
 */
export function lastValues(db: DatabaseSync, column: string): Map<number, string> {
  const values = new Map<number, string>();
  const present = new Set(recordColumns(db));
  if (!present.has(column) || !present.has("stat_pid")) return values;
  const rows = db.prepare(
    `SELECT stat_pid pid, ${column} value FROM record WHERE record_id IN ` +
      "(SELECT MAX(record_id) FROM record GROUP BY stat_pid)",
  ).all() as { pid: number; value: string | null }[];
  for (const row of rows) values.set(Number(row.pid), row.value ?? "");
  return values;
}
