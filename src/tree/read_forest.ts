import { readDetails, readRecords, readStat } from "../procfs/mod.ts";
import type {
  ProcessRecord,
  ProcFileName,
  ProcReader,
  ReadWarning,
  WarningSink,
} from "../procfs/mod.ts";
import { buildForest } from "./build_forest.ts";
import { selectBranches } from "./select_branches.ts";
import type { ProcessNode } from "./types.ts";

/** What to read into the forest. */
export interface ReadForestOptions {
  /** Procfiles to read; `stat` is always read. */
  files: readonly ProcFileName[];
  /** Keep only these branches (see `selectBranches`); all processes when absent. */
  branchPids?: readonly number[] | undefined;
  /** A PID to leave out (procpath itself when reading the live `/proc`). */
  excludePid?: number | undefined;
  warn: WarningSink;
}

/** Per reader, after its branches outgrew the branch reader: whole scans left, share kept. */
const wholeScans = new WeakMap<ProcReader, { left: number; keptShare: number }>();
const WHOLE_SCANS_AFTER_BIG_BRANCH = 20;
/** Per reader: processes on the host at the last listing, and snapshots since. */
const hostSizes = new WeakMap<ProcReader, { pids: number; age: number }>();
const HOST_SIZE_AGE = 30;
/** Branches this small are followed on any host: a small host scans fast either way. */
const MIN_LIMIT = 64;

/**
 * Reads a procfs snapshot and returns the roots of its process forest. Without a
 * branch filter every process is read in one pass. With one, the branch reader
 * follows `children` files; where the branches are too big for it, the whole host's
 * `stat` is read, the branches decided on it, and then the other files of the kept
 * processes (or, when most of the host is kept, every process in one pass).
 */
export function readForest(reader: ProcReader, options: ReadForestOptions): ProcessNode[] {
  const listPids = () => {
    const pids = reader.listPids().filter((pid) => pid !== options.excludePid);
    hostSizes.set(reader, { pids: pids.length, age: 0 });
    return pids;
  };
  const branchPids = options.branchPids;
  if (branchPids === undefined) return buildForest(readRecords(reader, listPids(), options));
  const state = wholeScans.get(reader);
  if (state && state.left > 0) {
    state.left--;
    return scanBranches(reader, listPids(), branchPids, options, state);
  }
  // following a process's children costs about as much as reading its stat, so a
  // branch is cheaper than the whole scan below half the host; stopping at a tenth
  // bounds what a big branch wastes before the scan (measured: README, Performance).
  // Listing /proc costs more than a small branch, so the host's size is relisted
  // only every few snapshots.
  let size = hostSizes.get(reader);
  let listed: number[] | undefined;
  if (!size || ++size.age > HOST_SIZE_AGE) {
    listed = listPids();
    size = { pids: listed.length, age: 0 };
  }
  const limit = Math.max(MIN_LIMIT, Math.ceil(size.pids / 10));
  const known = new Map<number, ProcessRecord>();
  const branches = readBranches(reader, branchPids, options.excludePid, limit, known);
  if (branches !== null) return buildForest(readDetails(reader, branches, options));
  // branches that big stay big for a while: scan the next few snapshots at once — in one
  // pass while they look big, until a scan tells what share of the host they hold (a tree
  // without children files says nothing of their size: stat first, then the kept ones)
  const scans = { left: WHOLE_SCANS_AFTER_BIG_BRANCH, keptShare: known.size > limit ? 1 : 0 };
  wholeScans.set(reader, scans);
  return scanBranches(reader, listed ?? listPids(), branchPids, options, scans, known);
}

/**
 * The forest of the branches, from a whole scan; `known` holds stat records already
 * read in this snapshot. Warnings are those of kept processes only, as the branch
 * reader's.
 */
function scanBranches(
  reader: ProcReader,
  pids: readonly number[],
  branchPids: readonly number[],
  options: ReadForestOptions,
  scans: { keptShare: number },
  known = new Map<number, ProcessRecord>(),
): ProcessNode[] {
  let records: ProcessRecord[];
  if (scans.keptShare >= 0.5) {
    // most of the host is kept: one pass beats stat-then-details by ~15 %
    const held: ReadWarning[] = [];
    const all = readRecords(reader, pids, { files: options.files, warn: (w) => held.push(w) });
    const kept = selectBranches(all, branchPids);
    for (const warning of held) if (kept.has(warning.pid)) options.warn(warning);
    records = all.filter((record) => kept.has(record.stat.pid as number));
    scans.keptShare = kept.size / Math.max(1, all.length);
  } else {
    const stats = pids.flatMap((pid) => {
      const record = known.get(pid) ?? readStat(reader, pid);
      return record ? [record] : [];
    });
    const kept = selectBranches(stats, branchPids);
    const selected = stats.filter((record) => kept.has(record.stat.pid as number));
    records = readDetails(reader, selected, options);
    scans.keptShare = kept.size / Math.max(1, stats.length);
  }
  return buildForest(records);
}

/**
 * Reads `stat` of the branches alone — each listed PID, its ancestors through `ppid`,
 * its descendants through the kernel's `children` files — instead of every process:
 * what a 20-process service costs on a 10,000-process host. Returns the records in
 * PID order (the same set a whole scan and `selectBranches` keep), or `null` where the
 * tree has no `children` files, or the branches grow past `limit` processes: the whole
 * scan is the better way then, and `records` holds what was read so far.
 */
export function readBranches(
  reader: ProcReader,
  branchPids: readonly number[],
  excludePid?: number,
  limit = Infinity,
  records = new Map<number, ProcessRecord>(),
): ProcessRecord[] | null {
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
    // breadth first: a big branch shows its size after a few levels' children files,
    // where depth first would read every leaf's of one subtree before giving up
    const pending = [pid];
    for (let next = 0; next < pending.length; next++) {
      const children = reader.childrenOf(pending[next]!);
      if (children === null) return null;
      for (const child of children) {
        if (!records.has(child) && read(child)) pending.push(child);
      }
      if (records.size > limit) return null;
    }
  }
  return [...records.values()].sort((a, b) => (a.stat.pid as number) - (b.stat.pid as number));
}
