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

/**
 * Reads and parses `stat` for every pid (pass 1). A process that vanished, or whose
 * stat cannot be read or parsed, is left out: without stat it has no place in the tree.
 * Fatal errors (e.g. Deno's `NotCapable`) propagate.
 */
export function readStats(reader: ProcReader, pids: readonly number[]): ProcessRecord[] {
  const records: ProcessRecord[] = [];
  for (const pid of pids) {
    let bytes: Uint8Array;
    try {
      bytes = reader.readFile(pid, "stat");
    } catch (error) {
      if (classifyReadError(error) === "fatal") throw error;
      continue;
    }
    try {
      records.push({ stat: PROC_FILES.stat.parse(bytes) as Stat });
    } catch {
      continue; // a stat line the parser cannot read: treat the entry as not a process
    }
  }
  return records;
}

/**
 * Reads the other procfiles of each record (pass 2), in registry order, and returns
 * the records that are still alive. A file that is denied or cannot be parsed gets
 * its empty value and one warning; a missing file of a process whose stat is still
 * there (an old kernel, a captured tree) gets its empty value silently; a process
 * whose stat is gone has vanished and is dropped.
 */
export function readDetails(
  reader: ProcReader,
  records: readonly ProcessRecord[],
  options: { files: readonly ProcFileName[]; warn: WarningSink },
): ProcessRecord[] {
  const files = options.files.filter((name) => name !== "stat");
  if (files.length === 0) return records.slice();
  const alive: ProcessRecord[] = [];
  for (const record of records) {
    const pid = record.stat.pid as number;
    const detailed: Record<string, unknown> = { stat: record.stat };
    let vanished = false;
    for (const file of files) {
      const spec = PROC_FILES[file];
      try {
        detailed[file] = spec.source === "fd"
          ? reader.countFds(pid)
          : spec.parse(reader.readFile(pid, file));
      } catch (error) {
        const kind = classifyReadError(error);
        if (kind === "fatal" && !(error instanceof SyntaxError)) throw error;
        if (kind === "vanished" && !reader.hasStat(pid)) {
          vanished = true;
          break;
        }
        detailed[file] = spec.empty();
        if (kind !== "vanished") options.warn({ pid, file, reason: describe(error) });
      }
    }
    if (!vanished) alive.push(detailed as unknown as ProcessRecord);
  }
  return alive;
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
