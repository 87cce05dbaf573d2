/**
 * A recording as a time machine: its sample times, and the process forest of any
 * sample rebuilt from the rows — nodes with the same keys and types as a live
 * snapshot of the procfiles the recording holds — plus read-only SQL over the whole
 * recording. Opened read-only, so it is safe beside a `record` still writing.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { PROC_FILE_NAMES } from "../procfs/mod.ts";
import type { ProcessRecord, ProcFileName } from "../procfs/mod.ts";
import { STATUS_FIELDS } from "../procfs/parse_status.ts";
import { buildForest } from "../tree/build_forest.ts";
import type { ProcessNode } from "../tree/mod.ts";
import { connect } from "./_connect.ts";
import { recordColumns, tableColumns } from "./_inspect.ts";
import { readSampleTimes } from "./compact_schema.ts";
import { columnsFor } from "./schema.ts";
import type { Column, ProcessEventRow } from "./schema.ts";
import { runUserQuery } from "./user_sql.ts";
import { BOOT_TIME_META_KEY } from "./queries.ts";
import type { ResultValue } from "./user_sql.ts";

import { RecordingError } from "./errors.ts";

export { RecordingError };

/** An opened recording. */
export interface Timeline {
  readonly path: string;
  /** The `meta` table, key → value. */
  readonly meta: Readonly<Record<string, string>>;
  /** The procfiles the recording holds (its nodes carry these keys). */
  readonly files: readonly ProcFileName[];
  /** The distinct sample times, unix seconds, ascending (read anew: a recording may grow). */
  times(): number[];
  /** The forest of the sample at `ts` exactly: roots ascending by PID. */
  forestAt(ts: number): ProcessNode[];
  /**
   * Every sample's forest in recording order, read in one pass (a recording's rows of
   * one sample are consecutive): memory for one sample at a time.
   */
  samples(): Generator<{ ts: number; roots: ProcessNode[] }>;
  /**
   * The `process_event` rows with `after < ts <= before` (unix seconds), in order;
   * `null` when the recording has no such table (recorded without the connector).
   */
  eventsBetween(after: number, before: number): ProcessEventRow[] | null;
  /**
   * The latest moment the machine can have booted at, unix seconds (`bootBound` of
   * `model/cpu.ts` over every sample, or the recorded `btime` + 1 s): what tells a process born between two samples
   * from one that entered the selection, as `cpu_total` tells them. `Infinity` when
   * the recording is empty.
   */
  bootAt(): number;
  /** One read-only statement over the recording's own `record` and `meta` tables. */
  query(sql: string): Record<string, ResultValue>[];
  close(): void;
}

// status fields stored as JSON lists of integers: "[1000,1000,1000,1000]"
const LIST_FIELDS = new Set(
  STATUS_FIELDS.filter((f) => ["ints", "sigq", "hexes"].includes(f.kind)).map((f) =>
    `status_${f.name}`
  ),
);

/** A stored integer as a snapshot holds it: a number, or a bigint past 2^53 − 1. */
function toInt(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** A compact JSON list of integers back to a list of exact integers. */
function toIntList(text: string): (number | bigint)[] {
  const inner = text.trim().slice(1, -1).trim();
  return inner === "" ? [] : inner.split(",").map((t) => toInt(BigInt(t.trim())));
}

/** One stored value back to a snapshot's: exact integers, lists, hex text of huge ones. */
function fromSql(column: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return toInt(value);
  if (typeof value === "string") {
    if (column.sqlType === "INTEGER" && /^0x[0-9a-f]+$/.test(value)) return BigInt(value);
    if (LIST_FIELDS.has(column.name) && value.startsWith("[")) return toIntList(value);
  }
  return value;
}

/**
 * Opens a recording read-only. Throws `RecordingError` for a file that is not one (no
 * `record` table, no `stat_pid`/`stat_ppid`, not SQLite at all).
 */
export function openTimeline(path: string): Timeline {
  let db: DatabaseSync;
  try {
    db = connect(path, { readOnly: true });
    db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
  } catch (error) {
    throw new RecordingError(`${path} is not a readable recording: ${(error as Error).message}`);
  }
  try {
    const present = new Set(recordColumns(db));
    if (present.size === 0) {
      throw new RecordingError(`${path} is not a recording: it has no record table`);
    }
    if (!present.has("stat_pid") || !present.has("stat_ppid") || !present.has("ts")) {
      throw new RecordingError(
        `${path} is not a recording of processes: it has no stat_pid, stat_ppid or ts`,
      );
    }
    const meta: Record<string, string> = {};
    try {
      for (
        const row of db.prepare("SELECT key, value FROM meta").all() as {
          key: string;
          value: string;
        }[]
      ) {
        meta[row.key] = row.value;
      }
    } catch {
      // a recording without meta (made by hand): defaults below
    }
    // the procfiles whose every column is in the table, in the reference's order
    const files = PROC_FILE_NAMES.filter((file) =>
      columnsFor([file]).every((column) => present.has(column.name))
    );
    const columns = columnsFor(files);
    const list = columns.map((c) => c.name).join(", ");
    const select = db.prepare(`SELECT ${list} FROM record WHERE ts = ? ORDER BY record_id`);
    select.setReadBigInts(true);
    /** One row as a process record. */
    const toRecord = (row: Record<string, unknown>): ProcessRecord => {
      const node: Record<string, unknown> = {};
      for (const column of columns) {
        const value = fromSql(column, row[column.name]);
        if (column.field === null) node[column.file] = value;
        else ((node[column.file] ??= {}) as Record<string, unknown>)[column.field] = value;
      }
      return node as unknown as ProcessRecord;
    };
    /** The forest of one sample's rows; a PID twice keeps its first row, as record does. */
    const forestOf = (records: ProcessRecord[]) => {
      const seen = new Set<unknown>();
      return buildForest(records.filter((r) => !seen.has(r.stat.pid) && seen.add(r.stat.pid)));
    };
    const timeline: Timeline = {
      path,
      meta,
      files,
      times() {
        return readSampleTimes(db);
      },
      forestAt(ts) {
        const rows = select.all(ts) as Record<string, unknown>[];
        return forestOf(rows.map(toRecord));
      },
      *samples() {
        const all = db.prepare(`SELECT ts, ${list} FROM record ORDER BY record_id`);
        all.setReadBigInts(true);
        let ts: number | null = null;
        let records: ProcessRecord[] = [];
        for (const row of all.iterate() as Iterable<Record<string, unknown>>) {
          const at = Number(row.ts);
          if (ts !== null && at !== ts) {
            yield { ts, roots: forestOf(records) };
            records = [];
          }
          ts = at;
          records.push(toRecord(row));
        }
        if (ts !== null) yield { ts, roots: forestOf(records) };
      },
      eventsBetween(after, before) {
        if (tableColumns(db, "process_event").length === 0) return null;
        const rows = db.prepare(
          "SELECT ts, kind, pid, ppid, comm, cmdline, exit_code, exit_signal, utime, stime, " +
            "cutime, cstime FROM process_event WHERE ts > ? AND ts <= ? ORDER BY event_id",
        ).all(after, before) as Record<string, unknown>[];
        return rows.map((r) => ({
          ts: Number(r.ts),
          kind: r.kind as ProcessEventRow["kind"],
          pid: Number(r.pid),
          ppid: r.ppid === null ? null : Number(r.ppid),
          comm: r.comm as string | null,
          cmdline: r.cmdline as string | null,
          exitCode: r.exit_code === null ? null : Number(r.exit_code),
          exitSignal: r.exit_signal === null ? null : Number(r.exit_signal),
          utime: r.utime === null ? null : Number(r.utime),
          stime: r.stime === null ? null : Number(r.stime),
          cutime: r.cutime === null ? null : Number(r.cutime),
          cstime: r.cstime === null ? null : Number(r.cstime),
        }));
      },
      bootAt() {
        const hz = Number(meta.clock_ticks ?? 100);
        const row = db.prepare(
          "SELECT MIN(ts - 1.0 * stat_starttime / ?) boot_at FROM record",
        ).get(hz) as { boot_at: number | null };
        const btime = Number(meta[BOOT_TIME_META_KEY]);
        // btime is whole seconds, rounded down: the boot is before the next one
        return Math.min(row.boot_at ?? Infinity, btime > 0 ? btime + 1 : Infinity);
      },
      query: (sql) => runUserQuery(db, sql),
      close: () => db.close(),
    };
    return timeline;
  } catch (error) {
    db.close();
    if (error instanceof RecordingError) throw error;
    throw new RecordingError(`${path} is not a readable recording: ${(error as Error).message}`);
  }
}
