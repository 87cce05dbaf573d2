/**
 * The sockets of the network namespace, from `/proc/net/{tcp,tcp6,udp,udp6,unix}`,
 * by inode: a process's `fd/N -> socket:[inode]` links find them. Parsing is pure.
 *
 * @module
 */

/** One socket as the kernel lists it. */
export interface SocketEntry {
  protocol: "tcp" | "tcp6" | "udp" | "udp6" | "unix";
  /** `127.0.0.1:8080`, `[::1]:5432`, or a unix socket's path (`@` for abstract, `` unnamed). */
  local: string;
  remote: string;
  /** `LISTEN`, `ESTABLISHED`, … (TCP); `UNCONN`/`ESTAB` (UDP); `CONNECTED`, `LISTEN` (unix). */
  state: string;
  /** Bytes queued to send and to read (TCP, UDP); 0 for unix sockets. */
  sendQueue: number;
  receiveQueue: number;
  inode: number;
}

const TCP_STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/** `0100007F:1F90` (little-endian words of hex) as `127.0.0.1:8080`; IPv6 in brackets. */
export function decodeAddress(hex: string): string {
  const [address, port] = hex.split(":");
  const portNumber = parseInt(port!, 16);
  if (address!.length === 8) {
    const bytes = address!.match(/../g)!.map((b) => parseInt(b, 16)).reverse();
    return `${bytes.join(".")}:${portNumber}`;
  }
  // four 32-bit words, each little-endian
  const words = address!.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(""));
  const groups = words.join("").match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
  const text = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::").replace(/:{3,}/, "::");
  return `[${text}]:${portNumber}`;
}

/**
 * Parses `/proc/net/tcp`-shaped text (tcp, tcp6, udp, udp6).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInetTable } from "./net.ts";
 * const text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
 *   "   0: 0100007F:1F90 0100007F:A2C4 01 00000000:00000004 00:00000000 00000000  1000        0 4242 1\n";
 * const [socket] = parseInetTable(text, "tcp");
 * assert.deepEqual([socket.local, socket.remote, socket.state, socket.receiveQueue, socket.inode],
 *   ["127.0.0.1:8080", "127.0.0.1:41668", "ESTABLISHED", 4, 4242]);
 * ```
 */
export function parseInetTable(text: string, protocol: SocketEntry["protocol"]): SocketEntry[] {
  const sockets: SocketEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 10) continue;
    const [send, receive] = cells[4]!.split(":").map((h) => parseInt(h, 16));
    const udp = protocol.startsWith("udp");
    sockets.push({
      protocol,
      local: decodeAddress(cells[1]!),
      remote: decodeAddress(cells[2]!),
      state: udp ? (cells[3] === "01" ? "ESTAB" : "UNCONN") : TCP_STATES[cells[3]!] ?? cells[3]!,
      sendQueue: send ?? 0,
      receiveQueue: receive ?? 0,
      inode: Number(cells[9]),
    });
  }
  return sockets;
}

/** Parses `/proc/net/unix`: each socket's path and whether it listens or is connected. */
export function parseUnixTable(text: string): SocketEntry[] {
  const sockets: SocketEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cells = line.trim().split(/\s+/);
    if (cells.length < 7) continue;
    const flags = parseInt(cells[3]!, 16);
    sockets.push({
      protocol: "unix",
      local: cells[7] ?? "",
      remote: "",
      state: flags & 0x10000 ? "LISTEN" : cells[5] === "03" ? "CONNECTED" : "UNCONNECTED",
      sendQueue: 0,
      receiveQueue: 0,
      inode: Number(cells[6]),
    });
  }
  return sockets;
}

/** Reads every socket table under `root` (`/proc`); tables that cannot be read are left out. */
export function readSockets(root: string): Map<number, SocketEntry> {
  const byInode = new Map<number, SocketEntry>();
  const read = (name: string) => {
    try {
      return Deno.readTextFileSync(`${root}/net/${name}`);
    } catch {
      return "";
    }
  };
  for (const protocol of ["tcp", "tcp6", "udp", "udp6"] as const) {
    for (const socket of parseInetTable(read(protocol), protocol)) {
      byInode.set(socket.inode, socket);
    }
  }
  for (const socket of parseUnixTable(read("unix"))) byInode.set(socket.inode, socket);
  return byInode;
}
