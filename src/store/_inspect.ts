import type { DatabaseSync } from "node:sqlite";

/** Names of the `record` table's columns, `record_id` and `ts` included; empty when there is none. */
export function recordColumns(db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM pragma_table_info('record')").all() as { name: string }[])
    .map((row) => row.name);
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
