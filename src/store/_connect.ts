import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";

/** How long a statement waits for another connection's lock before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a SQLite connection to `path` that waits out other connections' short locks
 * (a recorder switching to WAL, a reader polling the file, `sqlite3` in a terminal)
 * instead of failing at once with "database is locked".
 */
export function connect(path: string, options: { readOnly?: boolean } = {}): DatabaseSync {
  // SQL written for the reference may use "…" for strings, as Python's sqlite3 allows
  const db = new DatabaseSync(path, {
    readOnly: options.readOnly ?? false,
    enableDoubleQuotedStringLiterals: true,
  });
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/**
 * Makes a statement return rows as arrays (SQLite's column order) instead of objects:
 * half the time on large results. The runtime has it; its type declarations do not yet.
 */
export function returnArrays(statement: StatementSync): StatementSync {
  (statement as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
  return statement;
}

/**
 * Runs `body` in one transaction (`begin`: `BEGIN`, or `BEGIN IMMEDIATE` to take the write
 * lock before reading) and returns what it returns: committed when it returns, rolled back
 * when it throws — unless SQLite rolled back already (a full disk does), which is not a
 * second error.
 */
export function inTransaction<T>(
  db: DatabaseSync,
  body: () => T,
  begin: "BEGIN" | "BEGIN IMMEDIATE" = "BEGIN",
): T {
  db.exec(begin);
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    try {
      db.exec("ROLLBACK");
    } catch { /* SQLite already rolled back */ }
    throw error;
  }
}
