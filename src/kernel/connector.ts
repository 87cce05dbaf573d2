/**
 * The kernel's process-events connector socket: opening it (NETLINK_CONNECTOR, the
 * PROC_CN_MCAST_LISTEN subscription, Linux 6.6's per-listener filters where the kernel
 * has them) through libc. Read by `proc_events_worker.ts`; started by `proc_events.ts`.
 *
 * @module
 */
import { errno } from "./libc.ts";
import type { Libc } from "./libc.ts";

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_CONNECTOR = 11;
const CN_IDX_PROC = 1;
const CN_VAL_PROC = 1;
const PROC_CN_MCAST_LISTEN = 1;
const PROC_CN_MCAST_IGNORE = 2;
const NLMSG_DONE = 3;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
const EAGAIN = 11;
const EINTR = 4;
const ENOBUFS = 105;
const MSG_DONTWAIT = 0x40;

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
  /** Messages the kernel dropped because they were read too slowly (socket overflow). */
  readonly lost: number;
  close(): void;
}

/**
 * The connector message asking to start (or stop) receiving events: the operation
 * alone, or (Linux ≥ 6.6) with the events wanted, `struct proc_input`.
 */
function controlMessage(op: number, events?: number): Uint8Array {
  const payload = events === undefined ? 4 : 8;
  const message = new Uint8Array(16 + 20 + payload);
  const view = new DataView(message.buffer);
  view.setUint32(0, message.length, true); // nlmsg_len
  view.setUint16(4, NLMSG_DONE, true); // nlmsg_type
  view.setUint32(12, Deno.pid, true); // nlmsg_pid
  view.setUint32(16, CN_IDX_PROC, true); // cn_msg.id.idx
  view.setUint32(20, CN_VAL_PROC, true); // cn_msg.id.val
  view.setUint16(32, payload, true); // cn_msg.len
  view.setUint32(36, op, true);
  if (events !== undefined) view.setUint32(40, events, true); // proc_input.event_type
  return message;
}

/** Whether this kernel filters events per listener (Linux 6.6 and later). */
export function kernelFilters(release = Deno.osRelease()): boolean {
  const [major, minor] = release.split(".").map((n) => parseInt(n, 10));
  return major! > 6 || (major === 6 && minor! >= 6);
}

function failure(lib: Libc, what: string): string {
  const code = errno(lib);
  return `${what} failed: ${ERRNO_NAMES[code] ?? `errno ${code}`}`;
}

/**
 * Opens and subscribes a connector socket — to `events` only (a mask of `enum what`)
 * where the kernel filters — and returns it, or why the kernel refused.
 */
export function openConnector(lib: Libc, events?: number): Connector | string {
  const fd = lib.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return failure(lib, "opening a netlink connector socket");
  const address = new Uint8Array(12);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_NETLINK, true);
  view.setUint32(8, CN_IDX_PROC, true); // nl_groups
  const timeout = new BigInt64Array([0n, BigInt(RECEIVE_TIMEOUT_MS * 1000)]);
  lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, new Int32Array([4 << 20]), 4); // as the system allows
  const listen = controlMessage(PROC_CN_MCAST_LISTEN, events);
  if (
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) !== 0 ||
    lib.bind(fd, address, address.length) !== 0 ||
    Number(lib.send(fd, listen, BigInt(listen.length), 0)) < 0
  ) {
    const reason = failure(lib, "subscribing to process events");
    lib.close(fd);
    return reason;
  }
  let lost = 0;
  return {
    receive(buffer, wait = true) {
      const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), wait ? 0 : MSG_DONTWAIT));
      if (got >= 0) return got;
      const code = errno(lib);
      if (code === ENOBUFS) lost++;
      else if (code !== EAGAIN && code !== EINTR) throw new Error(`recv failed: errno ${code}`);
      return 0;
    },
    get lost() {
      return lost;
    },
    close() {
      const ignore = controlMessage(PROC_CN_MCAST_IGNORE);
      lib.send(fd, ignore, BigInt(ignore.length), 0);
      lib.close(fd);
    },
  };
}
