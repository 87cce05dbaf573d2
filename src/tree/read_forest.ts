import { readDetails, readRecords, readStat, readStats } from "../procfs/mod.ts";
import type { ProcessRecord, ProcFileName, ProcReader, WarningSink } from "../procfs/mod.ts";
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

/** Snapshots read whole, per reader, after its branches outgrew the branch reader. */
const wholeScans = new WeakMap<ProcReader, number>();
const WHOLE_SCANS_AFTER_BIG_BRANCH = 20;

/**
 * Reads a procfs snapshot and returns the roots of its process forest. With a branch
 * filter, `stat` is read for every PID first, the branches decided on it, and only
 * then the other files for the processes that are kept; without one, every process
 * is kept and each is read in one go.
 */
export function readForest(reader: ProcReader, options: ReadForestOptions): ProcessNode[] {
  const pids = reader.listPids().filter((pid) => pid !== options.excludePid);
  const skip = wholeScans.get(reader) ?? 0;
  if (options.branchPids !== undefined && skip > 0) wholeScans.set(reader, skip - 1);
  else if (options.branchPids !== undefined) {
    // past a third of the host, following children files costs more than reading all
    const limit = Math.ceil(pids.length / 3);
    const branches = readBranches(reader, options.branchPids, options.excludePid, limit);
    if (branches !== null) return buildForest(readDetails(reader, branches, options));
    // branches that big stay big for a while: scan the next few snapshots at once
    wholeScans.set(reader, WHOLE_SCANS_AFTER_BIG_BRANCH);
  }
  if (options.branchPids === undefined) return buildForest(readRecords(reader, pids, options));
  const stats = readStats(reader, pids);
  const kept = selectBranches(stats, options.branchPids);
  const records = stats.filter((record) => kept.has(record.stat.pid as number));
  return buildForest(readDetails(reader, records, options));
}

/**
 * Reads `stat` of the branches alone — each listed PID, its ancestors through `ppid`,
 * its descendants through the kernel's `children` files — instead of every process:
 * what a 20-process service costs on a 10,000-process host. Returns the records in
 * PID order (the same set a whole scan and `selectBranches` keep), or `null` where the
 * tree has no `children` files, or the branches grow past `limit` processes: the whole
 * scan is the better way then.
 */
export function readBranches(
  reader: ProcReader,
  branchPids: readonly number[],
  excludePid?: number,
  limit = Infinity,
): ProcessRecord[] | null {
  const records = new Map<number, ProcessRecord>();
  const read = (pid: number) => {
    if (pid === excludePid) return null;
    const known = records.get(pid);
    if (known) return known;
    const record = readStat(reader, pid);
    if (record) records.set(pid, record);
    return record;
  };
  for (const pid of branchPids) {
    const record = read(pid);
    if (!record) continue;
    for (let up = record.stat.ppid as number; up > 0 && !records.has(up);) {
      const parent = read(up);
      if (!parent) break;
      up = parent.stat.ppid as number;
    }
    const pending = [pid];
    while (pending.length > 0) {
      const children = reader.childrenOf(pending.pop()!);
      if (children === null) return null;
      for (const child of children) {
        if (!records.has(child) && read(child)) pending.push(child);
      }
      if (records.size > limit) return null;
    }
  }
  return [...records.values()].sort((a, b) => (a.stat.pid as number) - (b.stat.pid as number));
}
