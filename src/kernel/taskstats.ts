/**
 * The kernel's taskstats exit messages (generic netlink family `TASKSTATS`): a socket
 * registered for every CPU's exits (`TASKSTATS_CMD_ATTR_REGISTER_CPUMASK`), through
 * libc. Each task that exits is then reported with its exact CPU and peak RSS — the
 * figures a zombie's `stat` would give, without racing the parent's `wait()`. The
 * kernel sends a task's message in `do_exit` before the process-events connector's
 * exit event, so a message is queued before the exit it belongs to is.
 *
 * Registering takes CAP_NET_ADMIN in the initial user and PID namespaces (the
 * command has `GENL_ADMIN_PERM`): a user without it, or a kernel without
 * CONFIG_TASKSTATS, is reported as a reason instead of an error.
 *
 * @module
 */
import { errno } from "./libc.ts";
import {
  AF_NETLINK,
  EAGAIN,
  EINTR,
  ENOBUFS,
  MSG_DONTWAIT,
  netlinkAddress,
  receiveTimeout,
  SO_RCVBUF,
  SO_RCVTIMEO,
  SOCK_CLOEXEC,
  SOL_SOCKET,
} from "./netlink.ts";
import type { Libc } from "./libc.ts";
import { parseTaskstats } from "./parse_taskstats.ts";
import type { TaskExit } from "./parse_taskstats.ts";

export type { TaskExit };

const SOCK_RAW = 3;
const NETLINK_GENERIC = 16;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;
const NLMSG_ERROR = 2;
const TASKSTATS_CMD_GET = 1;
const CMD_ATTR_REGISTER_CPUMASK = 3;
const CMD_ATTR_DEREGISTER_CPUMASK = 4;
const SO_RCVBUFFORCE = 33;
/** Receive buffer asked for: ~1 KiB a message (with the kernel's overhead), thousands queued. */
const RCVBUF = 8 << 20;

const ERRNO_NAMES: Record<number, string> = {
  1: "operation not permitted (it takes CAP_NET_ADMIN)",
  2: "no taskstats family (a kernel without CONFIG_TASKSTATS)",
  13: "permission denied",
  22: "invalid argument (a namespace other than the initial one)",
  93: "protocol not supported",
  97: "address family not supported",
};

/** An open taskstats socket registered for every CPU's exits, read without waiting. */
export interface TaskstatsSocket {
  /** The tasks reported in messages queued now (drains the socket). */
  drain(): TaskExit[];
  /** Times a receive found the socket had overflowed: messages were dropped. */
  readonly overruns: number;
  /** Deregisters and closes the socket. */
  close(): void;
}

const encoder = new TextEncoder();

/** A generic netlink request: headers, then one string attribute (NUL-terminated). */
function request(type: number, flags: number, cmd: number, attr: number, text: string): Uint8Array {
  const value = encoder.encode(`${text}\0`);
  const attrLength = 4 + value.length;
  const message = new Uint8Array(16 + 4 + ((attrLength + 3) & ~3));
  const view = new DataView(message.buffer);
  view.setUint32(0, message.length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, flags, true);
  view.setUint32(8, 1, true); // nlmsg_seq
  message[16] = cmd;
  message[17] = 1; // genl version
  view.setUint16(20, attrLength, true);
  view.setUint16(22, attr, true);
  message.set(value, 24);
  return message;
}

/** The reply to a request: a family ID, an error number (0 acknowledges), or null. */
function reply(lib: Libc, fd: number, buffer: Uint8Array): { family?: number; error?: number } {
  const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), 0));
  if (got < 20) return { error: got < 0 ? errno(lib) : 71 };
  const view = new DataView(buffer.buffer, 0, got);
  if (view.getUint16(4, true) === NLMSG_ERROR) return { error: -view.getInt32(16, true) };
  for (let at = 20; at + 4 <= got;) {
    const length = view.getUint16(at, true);
    if (length < 4) break;
    if (view.getUint16(at + 2, true) === CTRL_ATTR_FAMILY_ID) {
      return { family: view.getUint16(at + 4, true) };
    }
    at += (length + 3) & ~3;
  }
  return { error: 71 };
}

const reason = (code: number | undefined) =>
  `taskstats refused: ${ERRNO_NAMES[code ?? 0] ?? `errno ${code}`}`;

/**
 * Opens a taskstats socket and registers it for the exits on `cpus` (a CPU list as
 * `/sys/devices/system/cpu/possible` has it, "0-N"); returns it, or a one-line reason
 * the kernel refused.
 */
export function openTaskstats(lib: Libc, cpus: string): TaskstatsSocket | string {
  const fd = lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) return reason(errno(lib));
  const address = netlinkAddress();
  // the replies come at once; a kernel that never answers must not hang the worker
  const timeout = receiveTimeout(1000);
  const buffer = new Uint8Array(16384);
  const send = (message: Uint8Array) =>
    Number(lib.send(fd, message, BigInt(message.length), 0)) >= 0;
  const fail = (code: number | undefined) => {
    lib.close(fd);
    return reason(code);
  };
  if (
    lib.bind(fd, address, address.length) !== 0 ||
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) !== 0
  ) return fail(errno(lib));
  if (
    !send(
      request(GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, "TASKSTATS"),
    )
  ) {
    return fail(errno(lib));
  }
  const family = reply(lib, fd, buffer);
  if (family.family === undefined) return fail(family.error === 2 ? 2 : family.error);
  const familyId = family.family;
  // root may exceed the system's rmem_max; others get what it allows
  const size = new Int32Array([RCVBUF]);
  if (lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0) {
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
  }
  const register = request(
    familyId,
    NLM_F_REQUEST | NLM_F_ACK,
    TASKSTATS_CMD_GET,
    CMD_ATTR_REGISTER_CPUMASK,
    cpus,
  );
  if (!send(register)) return fail(errno(lib));
  // exits may be queued ahead of the acknowledgement: read on to it
  for (let tries = 0; tries < 10_000; tries++) {
    const answer = reply(lib, fd, buffer);
    if (answer.error === 0) break;
    if (answer.error !== 71) return fail(answer.error);
  }
  let overruns = 0;
  let open = true;
  return {
    drain() {
      const tasks: TaskExit[] = [];
      for (;;) {
        const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), MSG_DONTWAIT));
        if (got > 0) {
          for (const task of parseTaskstats(buffer.subarray(0, got), familyId)) tasks.push(task);
          continue;
        }
        if (got === 0) return tasks;
        const code = errno(lib);
        if (code === ENOBUFS) overruns++;
        else if (code === EINTR) continue;
        else if (code === EAGAIN) return tasks;
        else throw new Error(`taskstats recv failed: errno ${code}`);
      }
    },
    get overruns() {
      return overruns;
    },
    close() {
      if (!open) return;
      open = false;
      const deregister = request(
        familyId,
        NLM_F_REQUEST,
        TASKSTATS_CMD_GET,
        CMD_ATTR_DEREGISTER_CPUMASK,
        cpus,
      );
      send(deregister);
      lib.close(fd);
    },
  };
}
