/**
 * What `report`, `export` and `compare` read of a recording: every sampled row's
 * identity, CPU counters and RSS, and the process events, in recording order, of one
 * run (`record -d` appends a run to a file that exists; each run is the span its
 * recorder noted, `run_log.ts`), with what the recorder noted of it. A file that cannot
 * be reported on is refused here with one line: not SQLite, not a recording, no
 * samples, a recorder still writing it, or several runs and none chosen.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { connect, returnArrays } from "./_connect.ts";
import { recordColumns, tableColumns } from "./_inspect.ts";
import { RecordingError } from "./errors.ts";
import { parseRuns, RUNS_META_KEY } from "./run_log.ts";
import type { RecordedRun } from "./run_log.ts";
import type { ProcessEventRow } from "./schema.ts";

export type { RecordedRun };

/**
 * One sampled process: `[ts, pid, ppid, starttime, utime, stime, cutime, cstime, rss,
 * comm, cmdline]` — unix seconds, clock ticks, pages; comm and cmdline null when not
 * recorded.
 */
export type SampledRow = [
  ts: number,
  pid: number,
  ppid: number,
  starttime: number,
  utime: number,
  stime: number,
  cutime: number,
  cstime: number,
  rss: number,
  comm: string | null,
  cmdline: string | null,
];

/** One `process_event` row as stored (unix seconds, clock ticks): the schema's own type. */
export type EventRow = ProcessEventRow;

/** A recording as the reports read it. */
export interface RunRows {
  path: string;
  /** The `meta` table (empty for a recording without one). */
  meta: Readonly<Record<string, string>>;
  /**
   * The sampled rows in recording order (a sample's rows are consecutive), read as they
   * are iterated: a long recording is never in memory whole.
   */
  samples(): Iterable<SampledRow>;
  /**
   * The latest moment the machine can have booted, on the samples' clock (unix s): the
   * least `ts − starttime / clock_ticks` of the rows, since no process was born after the
   * sample that holds it.
   */
  bootAt: number;
  /** The process events in order; null when the recording has no `process_event` table. */
  events: EventRow[] | null;
  /**
   * The run read, as its recorder noted it (the kernel's CPU and peak counts of its
   * command); null for a run recorded before runs were noted.
   */
  run: RecordedRun | null;
  /** Which run of the recording this is (1-based) and how many it holds. */
  runNumber: number;
  runCount: number;
}

/** Which run of a recording to read. */
export interface OpenRunOptions {
  /** 1-based; needed when the recording holds several runs. */
  run?: number | undefined;
  /** What to do about a recording of several runs, ending its refusal ("choose one with --run N"). */
  severalHint?: string;
}

/** One run's stretch of a recording: samples and events at `from` ≤ ts < `to`. */
interface RunSpan {
  from: number;
  to: number;
  noted: RecordedRun | null;
}

/** A recording opened for the reports; `close` when done. */
export interface OpenRunRows extends RunRows {
  close(): void;
}

const NEEDED = ["ts", "stat_pid", "stat_ppid", "stat_starttime", "stat_utime", "stat_stime"];

/** `column` when the table has it, else SQL NULL (or 0 for counters), as the same name. */
const orDefault = (present: Set<string>, column: string, fallback: string) =>
  present.has(column) ? column : fallback;

/**
 * Opens a finished recording for the reports, read-only. Throws `RecordingError` (exit
 * 1, one line) for a file that is missing, not SQLite, not a recording of processes with
 * `stat`, has no sample, or is still being written (its write-ahead log is open:
 * `record` folds it back only when it ends).
 */
export function openRunRows(path: string, options: OpenRunOptions = {}): OpenRunRows {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (error) {
    throw new RecordingError(`Cannot read "${path}": ${reason(error)}`);
  }
  if (!info.isFile) throw new RecordingError(`Cannot read "${path}": it is not a regular file`);
  let db: DatabaseSync;
  try {
    db = connect(path, { readOnly: true });
    db.prepare("SELECT 1 FROM sqlite_master LIMIT 1").get();
  } catch (error) {
    throw new RecordingError(
      `Cannot read "${path}": it is not a SQLite database (${reason(error)})`,
    );
  }
  try {
    const present = new Set(recordColumns(db));
    if (present.size === 0) {
      throw new RecordingError(
        `Cannot report on "${path}": it is not a procpath recording (no record table)`,
      );
    }
    const missing = NEEDED.filter((name) => !present.has(name));
    if (missing.length > 0) {
      throw new RecordingError(
        `Cannot report on "${path}": it was recorded without ${missing.join(", ")} ` +
          "(record with the stat procfile)",
      );
    }
    const mode = (db.prepare("PRAGMA journal_mode").get() as { journal_mode: string })
      .journal_mode;
    if (mode === "wal" && walInUse(path)) {
      throw new RecordingError(
        `Cannot report on "${path}": it is still being written (or its recorder was killed); ` +
          "report once record has ended",
      );
    }
    const meta: Record<string, string> = {};
    if (tableColumns(db, "meta").length > 0) {
      for (const row of db.prepare("SELECT key, value FROM meta").all()) {
        meta[String(row.key)] = String(row.value);
      }
    }
    const allEvents = readEvents(db);
    const times = (returnArrays(db.prepare("SELECT DISTINCT ts FROM record ORDER BY ts"))
      .all() as unknown as number[][]).map((r) => Number(r[0]));
    if (times.length === 0) {
      throw new RecordingError(`Cannot report on "${path}": it holds no sample`);
    }
    const spans = runSpans(parseRuns(meta[RUNS_META_KEY]), times, allEvents, db);
    const span = chooseRun(path, spans, { ...options, times });
    const within = "WHERE ts >= ? AND ts < ?";
    const select = returnArrays(db.prepare(
      "SELECT ts, stat_pid, stat_ppid, stat_starttime, stat_utime, stat_stime, " +
        `${orDefault(present, "stat_cutime", "0")}, ${orDefault(present, "stat_cstime", "0")}, ` +
        `${orDefault(present, "stat_rss", "0")}, ${orDefault(present, "stat_comm", "NULL")}, ` +
        `${orDefault(present, "cmdline", "NULL")} FROM record ${within} ORDER BY record_id`,
    ));
    const hz = Number(meta.clock_ticks) || 100;
    const boot = db.prepare(`SELECT MIN(ts - stat_starttime / ?) boot FROM record ${within}`)
      .get(hz, span.from, span.to) as { boot: number | null };
    if (boot.boot === null) {
      throw new RecordingError(`Cannot report on "${path}": it holds no sample`);
    }
    const events = allEvents && allEvents.filter((e) => e.ts >= span.from && e.ts < span.to);
    return {
      path,
      meta,
      bootAt: boot.boot,
      events,
      run: span.noted,
      runNumber: spans.indexOf(span) + 1,
      runCount: spans.length,
      samples: () => select.iterate(span.from, span.to) as unknown as Iterable<SampledRow>,
      close: () => db.close(),
    };
  } catch (error) {
    db.close();
    if (error instanceof RecordingError) throw error;
    throw new RecordingError(`Cannot report on "${path}": ${reason(error)}`);
  }
}

/**
 * The runs of a recording, in order. Each `record` session notes its span (`run_log.ts`);
 * stretches of samples outside every noted span are runs recorded before runs were
 * noted, told apart where the events show `record -- COMMAND` roots forked by
 * different recorders (a root: a fork whose parent the recording never holds).
 */
function runSpans(
  noted: RecordedRun[],
  times: number[],
  events: EventRow[] | null,
  db: DatabaseSync,
): RunSpan[] {
  const spans: RunSpan[] = noted.map((run) => ({ from: run.start, to: run.end, noted: run }));
  // the gaps between noted runs that hold samples
  const edges = [-Infinity, ...noted.flatMap((run) => [run.start, run.end]), Infinity];
  for (let i = 0; i < edges.length; i += 2) {
    const from = edges[i]!, to = edges[i + 1]!;
    if (!times.some((t) => t >= from && t < to)) continue;
    for (const part of unnotedRuns(from, to, events, db)) {
      if (times.some((t) => t >= part.from && t < part.to)) spans.push(part);
    }
  }
  return spans.sort((a, b) => a.from - b.from);
}

/** The stretch [from, to) split where a recorder other than the previous one forked a root. */
function unnotedRuns(
  from: number,
  to: number,
  events: EventRow[] | null,
  db: DatabaseSync,
): RunSpan[] {
  const forks = (events ?? []).filter((e) => e.kind === "fork" && e.ts >= from && e.ts < to);
  if (forks.length === 0) return [{ from, to, noted: null }];
  const pids = new Set(
    (returnArrays(db.prepare("SELECT DISTINCT stat_pid FROM record WHERE ts >= ? AND ts < ?"))
      .all(from, to) as unknown as number[][]).map((r) => Number(r[0])),
  );
  for (const e of events!) if (e.ts >= from && e.ts < to) pids.add(e.pid);
  const starts: number[] = [];
  let recorder: number | null = null;
  for (const fork of forks) {
    if (fork.ppid === null || pids.has(fork.ppid) || fork.ppid === recorder) continue;
    if (recorder !== null) starts.push(fork.ts);
    recorder = fork.ppid;
  }
  const bounds = [from, ...starts, to];
  return bounds.slice(1).map((end, i) => ({ from: bounds[i]!, to: end, noted: null }));
}

/** The run `options` chooses; refuses (one line) a choice out of range, or none among several. */
function chooseRun(
  path: string,
  spans: RunSpan[],
  options: OpenRunOptions & { times: number[] },
): RunSpan {
  const hhmmss = (t: number) => new Date(t * 1000).toISOString().slice(11, 19);
  const list = () =>
    spans.map((s, i) =>
      `${i + 1}: ${s.noted?.command ?? "a run"} at ${
        hhmmss(options.times.find((t) => t >= s.from && t < s.to) ?? s.from)
      } UTC`
    ).join(", ");
  if (options.run !== undefined) {
    const span = spans[options.run - 1];
    if (span) return span;
    throw new RecordingError(
      `Cannot report on run ${options.run} of "${path}": it holds ${spans.length} run${
        spans.length === 1 ? "" : "s"
      }`,
    );
  }
  if (spans.length === 1) return spans[0]!;
  throw new RecordingError(
    `Cannot report on "${path}" as one run: it holds ${spans.length} (${list()}); ` +
      (options.severalHint ?? "choose one with --run N"),
  );
}

/** The events in order, or null without the table. */
function readEvents(db: DatabaseSync): EventRow[] | null {
  if (tableColumns(db, "process_event").length === 0) return null;
  const rows = returnArrays(db.prepare(
    "SELECT ts, kind, pid, ppid, comm, cmdline, exit_code, exit_signal, utime, stime, " +
      "cutime, cstime FROM process_event ORDER BY event_id",
  )).all() as unknown as unknown[][];
  return rows.map((r) => ({
    ts: Number(r[0]),
    kind: r[1] as EventRow["kind"],
    pid: Number(r[2]),
    ppid: nullable(r[3]),
    comm: r[4] as string | null,
    cmdline: r[5] as string | null,
    exitCode: nullable(r[6]),
    exitSignal: nullable(r[7]),
    utime: nullable(r[8]),
    stime: nullable(r[9]),
    cutime: nullable(r[10]),
    cstime: nullable(r[11]),
  }));
}

const nullable = (value: unknown) => value === null ? null : Number(value);

/**
 * Whether a WAL-mode database's log is still there with content: `record` checkpoints
 * and switches back to a rollback journal when it ends, so a log with frames means a
 * writer is at work (or was killed before it could fold the log back).
 */
function walInUse(path: string): boolean {
  try {
    return Deno.statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(os error \d+\).*$/s, "");
}
