import { readDetails, readRecords, readStats } from "../procfs/mod.ts";
import type { ProcFileName, ProcReader, WarningSink } from "../procfs/mod.ts";
import { buildForest } from "./build_forest.ts";
import { selectBranches } from "./select_branches.ts";
import type { ProcessNode } from "./types.ts";

/** What to read into the forest. */
export interface ReadForestOptions {
  /** Procfiles to read; `stat` is always read. */
  files: readonly ProcFileName[];
  /** Keep only these branches (see `selectBranches`); all processes when absent. */
  branchPids?: readonly number[];
  /** A PID to leave out (procpath itself when reading the live `/proc`). */
  excludePid?: number;
  warn: WarningSink;
}

/**
 * Reads a procfs snapshot and returns the roots of its process forest. With a branch
 * filter, `stat` is read for every PID first, the branches decided on it, and only
 * then the other files for the processes that are kept; without one, every process
 * is kept and each is read in one go.
 */
export function readForest(reader: ProcReader, options: ReadForestOptions): ProcessNode[] {
  const pids = reader.listPids().filter((pid) => pid !== options.excludePid);
  if (options.branchPids === undefined) return buildForest(readRecords(reader, pids, options));
  const stats = readStats(reader, pids);
  const kept = selectBranches(stats, options.branchPids);
  const records = stats.filter((record) => kept.has(record.stat.pid as number));
  return buildForest(readDetails(reader, records, options));
}
