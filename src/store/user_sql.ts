import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { SqlError } from "./errors.ts";

// sqlite3_set_authorizer action codes (sqlite3.h) that only read
const SQLITE_PRAGMA = 19;
const SQLITE_READ = 20;
const SQLITE_SELECT = 21;
const SQLITE_FUNCTION = 31;
const SQLITE_RECURSIVE = 33;
const SQLITE_OK = 0;
const SQLITE_DENY = 1;

/** `setAuthorizer` is in the runtime's `node:sqlite` but not yet in its type declarations. */
type Authorizer = (action: number, arg1: string | null, arg2: string | null) => number;
type AuthorizingDb = DatabaseSync & { setAuthorizer(callback: Authorizer | null): void };

/** Names of the write actions a refusal names (the rest are reported by number). */
const ACTION_NAMES: Record<number, string> = {
  2: "CREATE TEMP INDEX",
  4: "CREATE TEMP TABLE",
  9: "DELETE",
  18: "INSERT",
  19: "PRAGMA",
  22: "a transaction",
  23: "UPDATE",
  24: "ATTACH",
  25: "DETACH",
};

/**
 * Returns the text after the leading white space, `;` and comments of `sql`: empty
 * when nothing but those is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skipBlank } from "./user_sql.ts";
 * assert(skipBlank(" ;-- note\n/* c *\/ SELECT 1") === "SELECT 1");
 * assert(skipBlank("  ; -- only a comment") === "");
 * ```
 */
export function skipBlank(sql: string): string {
  let at = 0;
  while (at < sql.length) {
    const char = sql[at];
    if (char === ";" || /\s/.test(char!)) at++;
    else if (sql.startsWith("--", at)) {
      const end = sql.indexOf("\n", at);
      at = end < 0 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", at)) {
      const end = sql.indexOf("*/", at + 2);
      at = end < 0 ? sql.length : end + 2;
    } else break;
  }
  return sql.slice(at);
}

/**
 * Prepares one statement of SQL the user wrote so that it can only read: SQLite's
 * authorizer refuses every action but reading tables, calling functions and reading
 * pragmas, and a statement that is not a query (`VACUUM INTO`, which asks the
 * authorizer nothing) is refused too. Returns the prepared statement; throws
 * `SqlError` for an empty text, a second statement, a write or a syntax error.
 */
export function prepareUserSql(db: DatabaseSync, sql: string): StatementSync {
  if (skipBlank(sql) === "") throw new SqlError("SQL error: the query is empty");
  let selects = 0;
  let refused: number | null = null;
  const guarded = db as AuthorizingDb;
  guarded.setAuthorizer((action, _table, arg2) => {
    if (action === SQLITE_SELECT) selects++;
    const reads = action === SQLITE_SELECT || action === SQLITE_READ ||
      action === SQLITE_RECURSIVE ||
      (action === SQLITE_FUNCTION && arg2 !== "load_extension") ||
      (action === SQLITE_PRAGMA && arg2 === null);
    if (reads) return SQLITE_OK;
    refused ??= action;
    return SQLITE_DENY;
  });
  let statement: StatementSync;
  try {
    statement = db.prepare(sql);
  } catch (error) {
    if (refused !== null) throw refusal(refused);
    throw new SqlError(`SQL error: ${(error as Error).message}`);
  } finally {
    guarded.setAuthorizer(null);
  }
  if (selects === 0) throw refusal(null);
  const first = statement.sourceSQL;
  const rest = sql.startsWith(first) ? skipBlank(sql.slice(first.length)) : "";
  if (rest !== "") {
    throw new SqlError(
      "SQL error: one statement at a time; remove what follows the first " +
        `(${JSON.stringify(rest.slice(0, 40))}${rest.length > 40 ? "…" : ""})`,
    );
  }
  return statement;
}

function refusal(action: number | null): SqlError {
  const what = action === null
    ? "a statement that is not a query"
    : ACTION_NAMES[action] ?? `action ${action}`;
  return new SqlError(`SQL error: the SQL may only read the recording; ${what} is not allowed`);
}

/** A value read back from SQLite: integers as bigint, reals as number. */
export type ResultValue = bigint | number | string | Uint8Array | null;

/**
 * Runs one read-only statement the user wrote (see `prepareUserSql`) and returns its
 * rows: integers as bigint (exact at any size, huge ones stored as hex text included),
 * reals as numbers. Throws `SqlError`.
 */
export function runUserQuery(
  db: DatabaseSync,
  sql: string,
  params: Record<string, SQLInputValue> = {},
): Record<string, ResultValue>[] {
  const statement = prepareUserSql(db, sql);
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
}
