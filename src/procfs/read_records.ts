import { classifyReadError } from "./classify_error.ts";
import { PROC_FILES } from "./proc_files.ts";
import type { ProcReader } from "./proc_reader.ts";
import type { ProcessRecord, ProcFileName, Stat } from "./types.ts";

/** Why a procfile of a kept process holds its empty value. */
export interface ReadWarning {
  pid: number;
  file: ProcFileName;
  reason: string;
}

/** Receives one warning per procfile that fell back to its empty value. */
export type WarningSink = (warning: ReadWarning) => void;

/** Which files to read beside `stat`, and where warnings go. */
export interface DetailOptions {
  files: readonly ProcFileName[];
  warn: WarningSink;
}

/**
 * Reads and parses the `stat` of one pid. Returns `null` for a process that vanished
 * or whose stat cannot be read or parsed: without stat it has no place in the tree.
 * Fatal errors (e.g. Deno's `NotCapable`) propagate.
 */
export function readStat(reader: ProcReader, pid: number): ProcessRecord | null {
  let stat: Stat;
  try {
    // parsed, or for a kept file that reads as before, the record parsed then
    stat = reader.readParsed(pid, "stat", parseStat);
  } catch (error) {
    // a stat line the parser cannot read (a SyntaxError), or a stat that is no regular
    // file or too large, is no process either
    if (classifyReadError(error) === "fatal" && !(error instanceof SyntaxError)) throw error;
    return null;
  }
  return { stat };
}

/** `stat`'s parser, one function for every read: the kept files tell its records by it. */
const parseStat = PROC_FILES.stat.parse as (bytes: Uint8Array) => Stat;

/**
 * Reads the other procfiles of one record into it, in registry order. A file that is
 * denied or cannot be parsed gets its empty value and one warning; a missing file of
 * a process whose stat is still there (an old kernel, a kernel thread, a captured
 * tree) gets its empty value silently. Returns `false` when the process vanished.
 */
export function readDetailsOf(
  reader: ProcReader,
  record: ProcessRecord,
  files: readonly ProcFileName[],
  warn: WarningSink,
): boolean {
  const pid = record.stat.pid as number;
  const target = record as unknown as Record<string, unknown>;
  for (const file of files) {
    if (file === "stat") continue;
    const spec = PROC_FILES[file];
    try {
      target[file] = spec.source === "fd"
        ? reader.countFds(pid)
        : reader.readParsed(pid, file, spec.parse);
    } catch (error) {
      const kind = classifyReadError(error);
      if (kind === "fatal" && !(error instanceof SyntaxError)) throw error;
      if (kind === "vanished" && !reader.hasStat(pid)) return false;
      target[file] = spec.empty();
      if (kind !== "vanished") warn({ pid, file, reason: describe(error) });
    }
  }
  return true;
}

/** Reads `stat` for every pid (pass 1 of a two-pass read); see {@link readStat}. */
export function readStats(reader: ProcReader, pids: readonly number[]): ProcessRecord[] {
  const records: ProcessRecord[] = [];
  for (const pid of pids) {
    const record = readStat(reader, pid);
    if (record !== null) records.push(record);
  }
  return records;
}

/** Reads the other files of each record (pass 2); returns the records still alive. */
export function readDetails(
  reader: ProcReader,
  records: readonly ProcessRecord[],
  options: DetailOptions,
): ProcessRecord[] {
  return records.filter((record) => readDetailsOf(reader, record, options.files, options.warn));
}

/**
 * Reads every file of each pid in one pass: `stat`, then the rest while the kernel
 * still has that process's entries at hand (about 15 % faster than two passes when
 * every process is kept).
 */
export function readRecords(
  reader: ProcReader,
  pids: readonly number[],
  options: DetailOptions,
): ProcessRecord[] {
  const records: ProcessRecord[] = [];
  for (const pid of pids) {
    const record = readStat(reader, pid);
    if (record !== null && readDetailsOf(reader, record, options.files, options.warn)) {
      records.push(record);
    }
  }
  return records;
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
