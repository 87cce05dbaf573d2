/**
 * What the netlink sockets procpath opens through libc share (the process-events
 * connector, `connector.ts`, taskstats, `taskstats.ts`, and socket diagnostics,
 * `unix_peers.ts`): the socket constants and
 * errno values of Linux (the same on x86-64 and arm64), and the socket address.
 *
 * @module
 */

export const AF_NETLINK = 16;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVTIMEO = 20;
export const MSG_DONTWAIT = 0x40;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENOBUFS = 105;

/** Returns a `struct sockaddr_nl` (12 bytes) for this process, joined to `groups` (a bit mask). */
export function netlinkAddress(groups = 0): Uint8Array {
  const address = new Uint8Array(12);
  const view = new DataView(address.buffer);
  view.setUint16(0, AF_NETLINK, true);
  view.setUint32(8, groups, true); // nl_groups
  return address;
}

/** Returns a `struct timeval` of `ms` milliseconds, for SO_RCVTIMEO. */
export function receiveTimeout(ms: number): BigInt64Array {
  return new BigInt64Array([BigInt(Math.floor(ms / 1000)), BigInt((ms % 1000) * 1000)]);
}
