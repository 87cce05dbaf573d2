/**
 * A listener on the kernel's process-events connector: every fork, exec and exit on
 * the machine, as they happen. Unprivileged since Linux 6.6 for a listener in the
 * initial user and PID namespaces; refused elsewhere (a container, an older kernel),
 * which `listenProcEvents` reports as a reason instead of an error. The socket is read
 * on another thread (a non-blocking FFI call with a receive timeout), so the event loop
 * never waits for it.
 *
 * @module
 */
import { errno, openLibc } from "./libc.ts";
import type { Libc } from "./libc.ts";
import { parseProcEvent } from "./parse_proc_event.ts";
import type { ProcEvent } from "./parse_proc_event.ts";

export type { ProcEvent };

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

/** How long one receive waits before the listener looks whether it should stop, ms. */
const RECEIVE_TIMEOUT_MS = 200;

/** A running listener. */
export interface ProcEventListener {
  /** Events the kernel dropped because procpath read too slowly (a socket overflow). */
  readonly lost: number;
  /** Stops listening; resolves once the socket is closed. */
  stop(): Promise<void>;
}

const ERRNO_NAMES: Record<number, string> = {
  1: "operation not permitted",
  13: "permission denied",
  93: "protocol not supported",
  97: "address family not supported",
  111: "connection refused",
};

/** The connector message asking to start (or stop) receiving events. */
function controlMessage(op: number): Uint8Array {
  const message = new Uint8Array(16 + 20 + 4);
  const view = new DataView(message.buffer);
  view.setUint32(0, message.length, true); // nlmsg_len
  view.setUint16(4, NLMSG_DONE, true); // nlmsg_type
  view.setUint32(12, Deno.pid, true); // nlmsg_pid
  view.setUint32(16, CN_IDX_PROC, true); // cn_msg.id.idx
  view.setUint32(20, CN_VAL_PROC, true); // cn_msg.id.val
  view.setUint16(32, 4, true); // cn_msg.len
  view.setUint32(36, op, true);
  return message;
}

function failure(lib: Libc, what: string): string {
  const code = errno(lib);
  return `${what} failed: ${ERRNO_NAMES[code] ?? `errno ${code}`}`;
}

/**
 * Starts listening and calls `onEvent` for each fork, exec, exit and comm change.
 * Returns the listener, or a one-line reason why the kernel or the runtime refused.
 */
export function listenProcEvents(onEvent: (event: ProcEvent) => void): ProcEventListener | string {
  const lib = openLibc();
  if (lib === null) return "libc cannot be reached through Deno's FFI";
  const fd = lib.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return failure(lib, "opening a netlink connector socket");
  const address = new Uint8Array(12);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_NETLINK, true);
  view.setUint32(8, CN_IDX_PROC, true); // nl_groups
  const timeout = new BigInt64Array([0n, BigInt(RECEIVE_TIMEOUT_MS * 1000)]);
  const size = new Int32Array([4 << 20]);
  lib.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4); // as large as the system allows
  if (
    lib.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout, 16) !== 0 ||
    lib.bind(fd, address, address.length) !== 0
  ) {
    const reason = failure(lib, "subscribing to process events");
    lib.close(fd);
    return reason;
  }
  const listen = controlMessage(PROC_CN_MCAST_LISTEN);
  if (Number(lib.send(fd, listen, BigInt(listen.length), 0)) < 0) {
    const reason = failure(lib, "subscribing to process events");
    lib.close(fd);
    return reason;
  }
  let running = true;
  let lost = 0;
  const buffer = new Uint8Array(4096);
  const loop = (async () => {
    while (running) {
      const got = Number(await lib.recv(fd, buffer, BigInt(buffer.length), 0));
      if (got < 0) {
        const code = errno(lib);
        if (code === ENOBUFS) lost++;
        else if (code !== EAGAIN && code !== EINTR) break;
        continue;
      }
      const event = parseProcEvent(buffer.subarray(0, got));
      if (event !== null) onEvent(event);
    }
  })();
  return {
    get lost() {
      return lost;
    },
    async stop() {
      running = false;
      await loop;
      const ignore = controlMessage(PROC_CN_MCAST_IGNORE);
      lib.send(fd, ignore, BigInt(ignore.length), 0);
      lib.close(fd);
    },
  };
}
