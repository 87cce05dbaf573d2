import { createProcReader } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget, ProcReader } from "../procfs/mod.ts";
import { readForest } from "../tree/mod.ts";
import type { ProcessNode } from "../tree/mod.ts";
import type { CliDeps } from "./deps.ts";

/** Where and what to read: the options `query`, `record` and `watch` share, as commander names them. */
export interface SnapshotSource {
  procfs: string;
  procfsTarget: ProcfsTarget;
  procfileList: readonly ProcFileName[];
}

/** Creates the reader for a source. */
export function readerFor(source: SnapshotSource): ProcReader {
  return createProcReader(source.procfs, source.procfsTarget);
}

/**
 * Reads one snapshot of the process forest and returns its roots. procpath leaves
 * itself out of a live `/proc` snapshot; every procfile that falls back to its
 * empty value is logged as a warning.
 */
export function readSnapshot(
  reader: ProcReader,
  source: SnapshotSource,
  deps: CliDeps,
  branchPids?: readonly number[],
): ProcessNode[] {
  return readForest(reader, {
    files: source.procfileList,
    branchPids,
    excludePid: source.procfs === "/proc" ? deps.pid : undefined,
    warn: ({ pid, file, reason }) =>
      deps.log.warning(
        `Storing empty values for pid ${pid}, procfile ${file} because of ${reason}`,
      ),
  });
}
