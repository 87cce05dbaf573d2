/**
 * The runs a recording holds, as each `record` session notes itself in the `meta` table
 * when it ends (key `runs`, a JSON list, one object per session): when it sampled and
 * what the kernel counted of the command it ran. Appending a second run to a recording
 * leaves two such objects, which is how the reports tell the runs apart; the kernel's
 * counts are what samples cannot see (a 400 MiB process that lived between two samples).
 *
 * @module
 */
import { connect, inTransaction } from "./_connect.ts";
import { CREATE_META_TABLE_SQL } from "./schema.ts";

/** The `meta` key whose value lists the runs. */
export const RUNS_META_KEY = "runs";

/** One `record` session of a recording. */
export interface RecordedRun {
  /** Unix seconds before its first sample and event. */
  start: number;
  /** Unix seconds after its last sample and event. */
  end: number;
  /** The command of `record -- COMMAND`; null for a recording of a selection. */
  command: string | null;
  exitCode: number | null;
  /** The command tree's CPU as getrusage(RUSAGE_CHILDREN) counted it, seconds; null without a command. */
  userSeconds: number | null;
  systemSeconds: number | null;
  /**
   * The largest resident memory of one of the command's processes, KiB, as the kernel
   * counted it (`ru_maxrss` of everything reaped); null when no command ran or when it
   * was not above the recorder's own (a child forked from it starts with its size).
   */
  maxRssKib: number | null;
}

/** The stored form: snake_case keys, for `json_extract` in SQL. */
function toStored(run: RecordedRun): Record<string, unknown> {
  return {
    start: run.start,
    end: run.end,
    command: run.command,
    exit_code: run.exitCode,
    user_seconds: run.userSeconds,
    system_seconds: run.systemSeconds,
    max_rss_kib: run.maxRssKib,
  };
}

const numberOrNull = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/**
 * Returns the runs a `runs` meta value lists, in recording order; an empty list for a
 * missing or unreadable value (a recording made before runs were noted).
 */
export function parseRuns(text: string | undefined): RecordedRun[] {
  if (text === undefined) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const runs: RecordedRun[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const o = item as Record<string, unknown>;
    const start = numberOrNull(o.start), end = numberOrNull(o.end);
    if (start === null || end === null || end < start) continue;
    runs.push({
      start,
      end,
      command: typeof o.command === "string" ? o.command : null,
      exitCode: numberOrNull(o.exit_code),
      userSeconds: numberOrNull(o.user_seconds),
      systemSeconds: numberOrNull(o.system_seconds),
      maxRssKib: numberOrNull(o.max_rss_kib),
    });
  }
  return runs.sort((a, b) => a.start - b.start);
}

/**
 * Appends `run` to the `runs` meta value of the finished recording at `path`, in one
 * transaction (read, append, write) so that two sessions ending together both stay.
 */
export function noteRun(path: string, run: RecordedRun): void {
  const db = connect(path);
  try {
    inTransaction(db, () => {
      db.exec(CREATE_META_TABLE_SQL);
      const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(RUNS_META_KEY) as
        | { value: string }
        | undefined;
      let list: unknown[] = [];
      try {
        const parsed = row ? JSON.parse(row.value) : [];
        if (Array.isArray(parsed)) list = parsed;
      } catch { /* a value not written by procpath: replaced */ }
      list.push(toStored(run));
      db.prepare("REPLACE INTO meta (key, value) VALUES (?, ?)").run(
        RUNS_META_KEY,
        JSON.stringify(list),
      );
    }, "BEGIN IMMEDIATE");
  } finally {
    db.close();
  }
}
