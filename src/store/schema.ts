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
      columns.push({ name: file, sqlType: "TEXT", file, field: null });
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
