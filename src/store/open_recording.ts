import { connect } from "./_connect.ts";
import { RecordingError, SqlError } from "./errors.ts";
import { prepareUserSql } from "./user_sql.ts";
import { lastValues, metaValue, recordColumns } from "./_inspect.ts";
import type { SeriesQuery } from "./queries.ts";

/** What a recording says about its processes, for legends and grouping. */
export interface ProcessFacts {
  /** The last `stat.comm` of each PID. */
  comm: Map<number, string>;
  /** The last command line of each PID. */
  cmdline: Map<number, string>;
  /** Per sample time (unix seconds), each recorded PID's parent. */
  parents?: Map<number, Map<number, number>>;
}

/** A row of a series query. */
export interface SeriesRow {
  ts: number;
  pid: number;
  value: number | null;
}

const SERIES_COLUMNS = ["ts", "pid", "value"] as const;

/** Filters applied through the queries' named parameters. */
export interface SeriesFilter {
  /** Unix seconds, inclusive. */
  after?: number | undefined;
  /** Unix seconds, inclusive. */
  before?: number | undefined;
  pids?: readonly number[] | undefined;
}

/** A query cannot run on this database (SQLite too old, procfiles not recorded). */
export class QueryRequirementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryRequirementError";
  }
}

/** A recording opened for reading. */
export interface Recording {
  /** Runs a series query after checking its requirements. Throws `QueryRequirementError` or `SqlError`. */
  series(query: SeriesQuery, filter: SeriesFilter): SeriesRow[];
  /**
   * The last `stat_comm` and `cmdline` of each process, for legends and grouping; with
   * `withParents`, each sample's PID → PPID within the filter's time window.
   */
  processFacts(filter: SeriesFilter, withParents: boolean): ProcessFacts;
  close(): void;
}

/**
 * Opens a recording database read-only. Throws `RecordingError` for a file that is
 * not SQLite or has no `record` table.
 */
export function openRecording(path: string): Recording {
  const db = connect(path, { readOnly: true });
  let columns: Set<string>;
  try {
    columns = new Set(recordColumns(db));
  } catch (error) {
    db.close();
    throw new RecordingError(`${path} is not a readable recording: ${(error as Error).message}`);
  }
  if (columns.size === 0) {
    db.close();
    throw new RecordingError(`${path} is not a procpath recording: it has no record table`);
  }
  const version = String((db.prepare("SELECT sqlite_version() v").get() as { v: string }).v)
    .split(".").map(Number);
  const recorded = new Set<string>(parseList(metaValue(db, "procfile_list")));
  return {
    series(query, filter) {
      if (query.minVersion && compare(version, query.minVersion) < 0) {
        throw new QueryRequirementError(
          `'${query.title}' requires SQLite version >= (${query.minVersion.join(", ")}), ` +
            `installed (${version.join(", ")})`,
        );
      }
      const missing = query.procfilesRequired.filter((name) => !recorded.has(name)).sort();
      if (missing.length > 0) {
        throw new QueryRequirementError(
          `'${query.title}' requires the following procfiles missing in the database: ${
            missing.join(", ")
          }`,
        );
      }
      const statement = prepareUserSql(db, query.sql);
      const names = statement.columns().map((c) => c.name);
      const missingColumns = SERIES_COLUMNS.filter((name) => !names.includes(name));
      if (missingColumns.length > 0) {
        throw new SqlError(
          `'${query.title}' must return the columns ts, pid and value; ` +
            `it has no ${missingColumns.join(", ")} (it returns ${names.join(", ") || "nothing"})`,
        );
      }
      // custom query files need not use every parameter
      statement.setAllowUnknownNamedParameters(true);
      try {
        return statement.all({
          after: filter.after ?? null,
          before: filter.before ?? null,
          pid_list: filter.pids ? `,${filter.pids.join(",")},` : null,
        }) as unknown as SeriesRow[];
      } catch (error) {
        throw new SqlError(`SQL error: ${(error as Error).message}`);
      }
    },
    processFacts(filter, withParents) {
      const facts: ProcessFacts = {
        comm: lastValues(db, "stat_comm"),
        cmdline: lastValues(db, "cmdline"),
      };
      if (!withParents) return facts;
      if (!columns.has("stat_ppid")) {
        throw new QueryRequirementError("subtrees need stat_ppid, which the recording lacks");
      }
      const parents = new Map<number, Map<number, number>>();
      const rows = db.prepare(
        "SELECT ts, stat_pid pid, stat_ppid ppid FROM record " +
          "WHERE (:after IS NULL OR :after <= ts) AND (:before IS NULL OR ts <= :before)",
      ).all({ after: filter.after ?? null, before: filter.before ?? null }) as {
        ts: number;
        pid: number;
        ppid: number;
      }[];
      for (const { ts, pid, ppid } of rows) {
        let at = parents.get(ts);
        if (!at) parents.set(ts, at = new Map());
        at.set(Number(pid), Number(ppid));
      }
      return { ...facts, parents };
    },
    close() {
      db.close();
    },
  };
}

/** A JSON list from meta; nothing for a missing or malformed value. */
function parseList(text: string | undefined): string[] {
  try {
    return text ? JSON.parse(text) : [];
  } catch {
    return [];
  }
}

function compare(a: number[], b: readonly number[]): number {
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) - b[i]!;
  }
  return 0;
}
