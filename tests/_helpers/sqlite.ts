import { DatabaseSync } from "node:sqlite";

/** Runs one read-only query against a database file and returns plain rows. */
export function sql(path: string, query: string): Record<string, unknown>[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(query).all() as Record<string, unknown>[]).map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of a database file: "ok" when sound. */
export function integrity(path: string): string {
  return String(sql(path, "PRAGMA integrity_check")[0].integrity_check);
}
