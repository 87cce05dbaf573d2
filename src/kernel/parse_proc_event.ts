/**
 * Parses one message of the kernel's process-events connector (`NETLINK_CONNECTOR`,
 * `CN_IDX_PROC`): a netlink header (16 bytes), a `cn_msg` (20 bytes), then `struct
 * proc_event` — `what`, `cpu`, `timestamp_ns` (CLOCK_MONOTONIC), and the event's data
 * at offset 16 of the event (include/uapi/linux/cn_proc.h). Pure: bytes in, event out.
 *
 * @module
 */

/** A fork, exec or exit as the kernel reports it; PIDs are the kernel's (tgid = process). */
export type ProcEvent =
  | { kind: "fork"; ns: bigint; parentPid: number; parentTgid: number; pid: number; tgid: number }
  | { kind: "exec"; ns: bigint; pid: number; tgid: number }
  | {
    kind: "exit";
    ns: bigint;
    pid: number;
    tgid: number;
    /** The raw wait status: exit code in bits 8-15, terminating signal in bits 0-6. */
    status: number;
    parentPid: number;
    parentTgid: number;
  }
  | { kind: "comm"; ns: bigint; pid: number; tgid: number; comm: string };

/** Event codes of `enum what` (cn_proc.h). */
export const PROC_EVENT = {
  NONE: 0,
  FORK: 0x1,
  EXEC: 0x2,
  COMM: 0x200,
  EXIT: 0x80000000,
} as const;

/** Where `struct proc_event` starts in a message: after `nlmsghdr` and `cn_msg`. */
export const EVENT_OFFSET = 16 + 20;

const decoder = new TextDecoder();

/**
 * Returns the event a connector message carries, or `null` for one procpath does not
 * use (uid, gid, sid, ptrace, coredump changes, the listen acknowledgement) or one
 * too short to hold it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EVENT_OFFSET, parseProcEvent, PROC_EVENT } from "./parse_proc_event.ts";
 * const message = new Uint8Array(EVENT_OFFSET + 40);
 * const view = new DataView(message.buffer, EVENT_OFFSET);
 * view.setUint32(0, PROC_EVENT.EXEC, true);
 * view.setBigUint64(8, 123n, true);
 * view.setUint32(16, 42, true);
 * view.setUint32(20, 42, true);
 * assert.deepEqual(parseProcEvent(message), { kind: "exec", ns: 123n, pid: 42, tgid: 42 });
 * ```
 */
export function parseProcEvent(message: Uint8Array): ProcEvent | null {
  if (message.length < EVENT_OFFSET + 24) return null;
  const view = new DataView(message.buffer, message.byteOffset + EVENT_OFFSET);
  const u32 = (at: number) => view.getUint32(at, true);
  const what = u32(0);
  const ns = view.getBigUint64(8, true);
  const data = 16;
  switch (what) {
    case PROC_EVENT.FORK:
      return {
        kind: "fork",
        ns,
        parentPid: u32(data),
        parentTgid: u32(data + 4),
        pid: u32(data + 8),
        tgid: u32(data + 12),
      };
    case PROC_EVENT.EXEC:
      return { kind: "exec", ns, pid: u32(data), tgid: u32(data + 4) };
    case PROC_EVENT.EXIT:
      if (view.byteLength < data + 24) return null;
      return {
        kind: "exit",
        ns,
        pid: u32(data),
        tgid: u32(data + 4),
        status: u32(data + 8),
        parentPid: u32(data + 16),
        parentTgid: u32(data + 20),
      };
    case PROC_EVENT.COMM: {
      if (view.byteLength < data + 24) return null;
      const bytes = new Uint8Array(view.buffer, view.byteOffset + data + 8, 16);
      const end = bytes.indexOf(0);
      return {
        kind: "comm",
        ns,
        pid: u32(data),
        tgid: u32(data + 4),
        comm: decoder.decode(end < 0 ? bytes : bytes.subarray(0, end)),
      };
    }
    default:
      return null;
  }
}
