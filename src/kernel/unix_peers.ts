/**
 * The other end of each Unix-domain socket, by inode: `/proc/net/unix` does not say
 * it, the kernel's socket-diagnostics netlink (`NETLINK_SOCK_DIAG`, as `ss -x` asks)
 * does, for any user. One dump of the namespace's Unix sockets with their peers.
 *
 * @module
 */
import { openLibc } from "./libc.ts";
import { AF_NETLINK, MSG_DONTWAIT, SOCK_CLOEXEC } from "./netlink.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2, NLMSG_DONE = 3;
const UDIAG_SHOW_PEER = 4, UNIX_DIAG_PEER = 2;
/** The most replies read before giving up (a namespace with millions of sockets). */
const MAX_READS = 10000;

/** The dump request: `nlmsghdr` then `unix_diag_req` for every state, with peers. */
function request(): Uint8Array {
  const bytes = new Uint8Array(40);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 40, true);
  view.setUint16(4, SOCK_DIAG_BY_FAMILY, true);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  view.setUint32(8, 1, true); // sequence
  bytes[16] = AF_UNIX;
  view.setUint32(20, 0xffffffff, true); // every state
  view.setUint32(28, UDIAG_SHOW_PEER, true);
  return bytes;
}

/**
 * Parses the replies in `bytes` into `peers` (inode → peer inode); returns whether the
 * dump ended (`NLMSG_DONE` or an error).
 */
export function parseUnixDiag(bytes: Uint8Array, peers: Map<number, number>): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 16 <= bytes.length) {
    const length = view.getUint32(at, true);
    const type = view.getUint16(at + 4, true);
    if (length < 16 || at + length > bytes.length) return true;
    if (type === NLMSG_DONE || type === NLMSG_ERROR) return true;
    // unix_diag_msg: family, type, state, pad, ino, cookie[2]; then attributes
    const inode = view.getUint32(at + 16 + 4, true);
    for (let attr = at + 32; attr + 4 <= at + length;) {
      const size = view.getUint16(attr, true);
      if (size < 4) break;
      if (view.getUint16(attr + 2, true) === UNIX_DIAG_PEER && size >= 8) {
        peers.set(inode, view.getUint32(attr + 4, true));
      }
      attr += (size + 3) & ~3;
    }
    at += (length + 3) & ~3;
  }
  return false;
}

/**
 * The peer inode of every connected Unix socket of this network namespace, by inode;
 * empty where the kernel or the FFI refuses (the caller then names no Unix peer).
 */
export function readUnixPeers(): Map<number, number> {
  const peers = new Map<number, number>();
  let lib;
  try {
    lib = openLibc();
  } catch {
    return peers;
  }
  if (!lib) return peers;
  const fd = lib.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return peers;
  try {
    const ask = request();
    if (Number(lib.send(fd, ask, BigInt(ask.length), 0)) < 0) return peers;
    const buffer = new Uint8Array(1 << 16);
    for (let reads = 0; reads < MAX_READS; reads++) {
      // the kernel answers a dump as it is read: the next part is there or it ended
      const got = Number(lib.recv(fd, buffer, BigInt(buffer.length), MSG_DONTWAIT));
      if (got <= 0) break;
      if (parseUnixDiag(buffer.subarray(0, got), peers)) break;
    }
  } finally {
    lib.close(fd);
  }
  return peers;
}
