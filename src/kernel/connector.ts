/**
 * The kernel's process-events connector socket: opening it (NETLINK_CONNECTOR, the
 * PROC_CN_MCAST_LISTEN subscription, per-listener filters where the kernel has them,
 * probed) through libc. Read by `proc_events_worker.ts`; started by `proc_events.ts`.
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

const SOCK_DGRAM = 2;
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const PROC_CN_MCAST_IGNORE = 2;
const NLMSG_DONE = 3;

/** How long one receive waits before the reader looks whether it should stop, ms. */
const RECEIVE_TIMEOUT_MS = 200;

const ERRNO_NAMES: Record<number, string> = {
  1: "operation not permitted",
  13: "permission denied",
  93: "protocol not supported",
  97: "address family not supported",
  111: "connection refused",
};

/** An open, subscribed connector socket, read synchronously. */
export interface Connector {
  /**
   * Receives one message into `buffer`: its length, or 0 when none came in time (or,
   * with `wait` false, when none is queued).
   */
  receive(buffer: Uint8Array, wait?: boolean): number;
  /**
   * Times a receive found the socket had overflowed (ENOBUFS): the kernel dropped one
   * or more messages each time, how many it does not say.
   */
  readonly overruns: number;
  /** Unsubscribes and closes the socket. */
  close(): void;
}

/**
 * The connector message asking to start (or stop) receiving events: the operation
 * alone, or with the events wanted, `struct proc_input` (a kernel with per-listener
 * filters; 0 asks for all). The kernel acknowledges it with `ack` + 1 (its sequence
 * number is the kernel's own).
 */
function controlMessage(op: number, events?: number, ack = 0): Uint8Array {
  const payload = events === undefined ? 4 : 8;
  const message = new Uint8Array(16 + 20 + payload);
  const view = new DataView(message.buffer);
  view.setUint32(0, message.length, true); // nlmsg_len
  view.setUint16(4, NLMSG_DONE, true); // nlmsg_type
  view.setUint32(12, Deno.pid, true); // nlmsg_pid
  view.setUint32(16, CN_IDX_PROC, true); // cn_msg.id.idx
  view.setUint32(20, CN_VAL_PROC, true); // cn_msg.id.val
  view.setUint32(28, ack, true); // cn_msg.ack
  view.setUint16(32, payload, true); // cn_msg.len
  view.setUint32(36, op, true);
  if (events !== undefined) view.setUint32(40, events, true); // proc_input.event_type
  return message;
}

function failure(lib: Libc, what: string): string {
  const code = errno(lib);
  return `${what} failed: ${ERRNO_NAMES[code] ?? `errno ${code}`}`;
}

/** A connector socket bound to the process-events group, or why it could not be. */
function bindSocket(lib: Libc): number | string {
  const fd = lib.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return failure(lib, "opening a netlink connector socket");
  const address = netlinkAddress(CN_IDX_PROC);
  const timeout = receiveTimeout(RECEIVE_TIMEOUT_MS);
  lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Int32Array([4 << 20]), 4); // as the system allows
  if (
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) !== 0 ||
    lib.bind(fd, address, address.length) !== 0
  ) {
    const reason = failure(lib, "subscribing to process events");
    lib.close(fd);
    return reason;
  }
  return fd;
}

/** How long the probe waits for the kernel's acknowledgement, ms (it comes at once). */
const PROBE_MS = 200;
/** Bytes of an acknowledgement: headers, then `what`, `cpu`, `timestamp_ns`, `err`. */
const ACK_LENGTH = 16 + 20 + 16 + 4;

/**
 * Whether the kernel filters events per listener (`struct proc_input`, Linux 6.6), asked
 * of the kernel rather than read from its version (a backport has them, a patched
 * kernel may not): a kernel with filters acknowledges a subscription that names the
 * events, one without ignores it (it accepts only the bare operation). The probe's
 * socket is closed again. Returns why the kernel refused the socket, as a string.
 */
export function probeFilters(lib: Libc): boolean | string {
  const fd = bindSocket(lib);
  if (typeof fd === "string") return fd;
  try {
    const ack = 1 + Math.floor(Math.random() * 0x7ffffffe);
    const listen = controlMessage(PROC_CN_MCAST_LISTEN, 0, ack);
    if (Number(lib.send(fd, listen, BigInt(listen.length), 0)) < 0) {
      return failure(lib, "subscribing to process events");
    }
    // every listener's acknowledgement reaches every socket of the group, among events:
    // ours is a PROC_EVENT_NONE that answers our `ack`
    const buffer = new Uint8Array(4096);
    for (const until = performance.now() + PROBE_MS; performance.now() < until;) {
      const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), 0));
      if (got < 0 && errno(lib) !== ENOBUFS && errno(lib) !== EINTR) break; // timed out
      if (got < ACK_LENGTH) continue;
      const view = new DataView(buffer.buffer, 0, got);
      if (view.getUint32(28, true) !== ack + 1 || view.getUint32(36, true) !== 0) continue;
      // subscribed: leave again (without the acknowledgement the kernel counted nothing,
      // and an unsubscription would take another listener's count away)
      const ignore = controlMessage(PROC_CN_MCAST_IGNORE, 0);
      lib.send(fd, ignore, BigInt(ignore.length), 0);
      return true;
    }
    return false;
  } finally {
    lib.close(fd);
  }
}

/**
 * Opens and subscribes a connector socket — to `events` only (a mask of `enum what`)
 * where the kernel filters (see {@link probeFilters}), else to everything — and returns
 * it, or why the kernel refused.
 */
export function openConnector(lib: Libc, events?: number): Connector | string {
  const fd = bindSocket(lib);
  if (typeof fd === "string") return fd;
  const listen = controlMessage(PROC_CN_MCAST_LISTEN, events);
  if (Number(lib.send(fd, listen, BigInt(listen.length), 0)) < 0) {
    const reason = failure(lib, "subscribing to process events");
    lib.close(fd);
    return reason;
  }
  let overruns = 0;
  let open = true;
  return {
    receive(buffer, wait = true) {
      const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), wait ? 0 : MSG_DONTWAIT));
      if (got >= 0) return got;
      const code = errno(lib);
      if (code === ENOBUFS) overruns++;
      else if (code !== EAGAIN && code !== EINTR) throw new Error(`recv failed: errno ${code}`);
      return 0;
    },
    get overruns() {
      return overruns;
    },
    close() {
      if (!open) return;
      open = false;
      const ignore = controlMessage(PROC_CN_MCAST_IGNORE, events);
      lib.send(fd, ignore, BigInt(ignore.length), 0);
      lib.close(fd);
    },
  };
}
