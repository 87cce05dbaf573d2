import type { ProcFileName, ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import { readForest } from "../tree/mod.ts";
import type { ProcessNode } from "../tree/mod.ts";
import { ReadWarnings } from "./read_warnings.ts";

/** Where and what to read: the options `query`, `record`, `watch` and `capture` share. */
export interface SnapshotSource {
  procfs: ProcRoot;
  procfsTarget: ProcfsTarget;
  procfileList: readonly ProcFileName[];
}

/** What a snapshot needs of the running program. */
export interface SnapshotContext {
  /** procpath's own PID, left out of a live snapshot. */
  pid: number;
  warn(message: string): void;
}

/**
 * Reads one snapshot of the process forest and returns its roots. procpath leaves
 * itself out of a live snapshot. Procfiles that fall back to their empty value are
 * reported through `warnings` (one run's digest: each line said once), or, without
 * one, summarised for this snapshot alone.
 */
export function readSnapshot(
  source: SnapshotSource,
  context: SnapshotContext,
  branchPids?: readonly number[],
  warnings = new ReadWarnings(context.warn),
): ProcessNode[] {
  const roots = readForest(source.procfs.reader(source.procfsTarget), {
    files: source.procfileList,
    branchPids,
    excludePid: source.procfs.isLive ? context.pid : undefined,
    warn: warnings.collect,
  });
  warnings.flush();
  return roots;
}
