/**
 * Parses the kernel's taskstats exit messages (generic netlink family `TASKSTATS`,
 * include/uapi/linux/taskstats.h): a netlink header (16 bytes), a generic netlink
 * header (4), then attributes — `TASKSTATS_TYPE_AGGR_PID` holding the task's PID and
 * its `struct taskstats`, and, when the last thread of a multi-threaded group exits,
 * `TASKSTATS_TYPE_AGGR_TGID` (whose struct holds only delay accounting: not used).
 * Offsets are those of x86-64 and the other 64-bit ABIs. Pure: bytes in, records out.
 *
 * @module
 */

/** What the kernel reported of one task (a thread, or a process's leader) at its exit. */
export interface TaskExit {
  /** `struct taskstats` version (1 has no CPU; 12 adds `tgid` and `lastOfGroup`). */
  version: number;
  pid: number;
  /** The thread group (process); `null` before version 12, which does not say. */
  tgid: number | null;
  ppid: number;
  comm: string;
  /** The wait status. */
  exitCode: number;
  /**
   * The task's own user and system CPU, µs: the kernel's raw counts, a tick's worth each
   * time a tick found the task running (a task of 1 ms may show 0 or 4 ms).
   */
  utimeUs: number;
  stimeUs: number;
  /**
   * The task's exact time on a CPU, ns (`cpu_run_virtual_total`, the scheduler's
   * `sum_exec_runtime`): the total `stat` and the parent's `cutime` scale the raw counts
   * to. 0 where the kernel leaves it out (no scheduler statistics).
   */
  runNs: number;
  /** The peak RSS of the task's memory (shared by its threads), KiB; 0 for a kernel thread. */
  hiwaterRssKib: number;
  /** Version 12 on: it was the last task of its group (`AGROUP`): the process is gone. */
  lastOfGroup: boolean;
}

const NLMSG_HEADER = 16;
const GENL_HEADER = 4;
const TYPE_PID = 1;
const TYPE_STATS = 3;
const TYPE_AGGR_PID = 4;
const NLA_F_MASK = 0x3fff;
const AGROUP = 0x20;
/** Bytes of the struct up to and including `hiwater_rss` (version 2 on). */
const MIN_STATS = 208;

const decoder = new TextDecoder();

/** Netlink attributes in `bytes` (4-byte aligned), as type → payload. */
function attributes(bytes: Uint8Array): Map<number, Uint8Array> {
  const found = new Map<number, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length;) {
    const length = view.getUint16(at, true);
    if (length < 4 || at + length > bytes.length) break;
    found.set(view.getUint16(at + 2, true) & NLA_F_MASK, bytes.subarray(at + 4, at + length));
    at += (length + 3) & ~3;
  }
  return found;
}

/** Returns the task a `struct taskstats` describes, or `null` for one too old or too short. */
export function parseTaskstatsStruct(stats: Uint8Array, pid: number): TaskExit | null {
  if (stats.length < MIN_STATS) return null;
  const view = new DataView(stats.buffer, stats.byteOffset, stats.byteLength);
  const version = view.getUint16(0, true);
  if (version < 2) return null;
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const comm = stats.subarray(80, 112);
  const end = comm.indexOf(0);
  const grouped = version >= 12 && stats.length >= 372;
  return {
    version,
    pid,
    tgid: grouped ? view.getUint32(368, true) : null,
    ppid: view.getUint32(132, true),
    comm: decoder.decode(end < 0 ? comm : comm.subarray(0, end)),
    exitCode: view.getUint32(4, true),
    utimeUs: u64(152),
    stimeUs: u64(160),
    runNs: u64(72),
    hiwaterRssKib: u64(200),
    lastOfGroup: grouped && (stats[8]! & AGROUP) !== 0,
  };
}

/**
 * Returns the exited tasks one received datagram reports (each netlink message in it
 * of the family `familyId`; anything else — an acknowledgement, an error — is skipped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTaskstats } from "./parse_taskstats.ts";
 * assert.deepEqual(parseTaskstats(new Uint8Array(20), 31), []);
 * ```
 */
export function parseTaskstats(bytes: Uint8Array, familyId: number): TaskExit[] {
  const tasks: TaskExit[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + NLMSG_HEADER + GENL_HEADER <= bytes.length;) {
    const length = view.getUint32(at, true);
    if (length < NLMSG_HEADER || at + length > bytes.length) break;
    if (view.getUint16(at + 4, true) === familyId) {
      const top = attributes(bytes.subarray(at + NLMSG_HEADER + GENL_HEADER, at + length));
      const aggregate = top.get(TYPE_AGGR_PID);
      if (aggregate) {
        const inner = attributes(aggregate);
        const pid = inner.get(TYPE_PID);
        const stats = inner.get(TYPE_STATS);
        if (pid && pid.length >= 4 && stats) {
          const task = parseTaskstatsStruct(
            stats,
            new DataView(pid.buffer, pid.byteOffset, 4).getUint32(0, true),
          );
          if (task) tasks.push(task);
        }
      }
    }
    at += (length + 3) & ~3;
  }
  return tasks;
}
