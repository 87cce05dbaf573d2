import { createProcReader } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget, ProcReader } from "../procfs/mod.ts";
import { readForest } from "../tree/mod.ts";
import type { ProcessNode } from "../tree/mod.ts";
import type { CliDeps } from "./deps.ts";
import { ReadWarnings } from "./read_warnings.ts";

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
 * itself out of a live `/proc` snapshot. Procfiles that fall back to their empty value
 * are reported through `warnings` (one run's digest: each line said once), or, without
 * one, summarised for this snapshot alone.
 */
export function readSnapshot(
  reader: ProcReader,
  source: SnapshotSource,
  deps: CliDeps,
  branchPids?: readonly number[],
  warnings = new ReadWarnings((m) => deps.log.warning(m)),
): ProcessNode[] {
  const roots = readForest(reader, {
    files: source.procfileList,
    branchPids,
    excludePid: source.procfs === "/proc" ? deps.pid : undefined,
    warn: warnings.collect,
  });
  warnings.flush();
  return roots;
}
