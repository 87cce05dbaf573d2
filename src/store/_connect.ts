import { DatabaseSync } from "node:sqlite";

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
