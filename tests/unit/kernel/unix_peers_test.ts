import { assertEquals } from "../../_helpers/assert.ts";
import { installed, needs } from "../../_helpers/needs.ts";
import { readUntil } from "../../_helpers/processes.ts";
import { parseUnixDiag, readUnixPeers } from "../../../src/kernel/unix_peers.ts";

/** One `SOCK_DIAG_BY_FAMILY` reply: a socket's inode and, when given, its peer attribute. */
function reply(inode: number, peer?: number): Uint8Array {
  const length = 16 + 16 + (peer === undefined ? 0 : 8);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, 20, true);
  bytes[16] = 1; // AF_UNIX
  view.setUint32(20, inode, true);
  if (peer !== undefined) {
    view.setUint16(32, 8, true);
    view.setUint16(34, 2, true); // UNIX_DIAG_PEER
    view.setUint32(36, peer, true);
  }
  return bytes;
}

Deno.test("parseUnixDiag() reads each socket's peer and stops at NLMSG_DONE", () => {
  const done = new Uint8Array(20);
  new DataView(done.buffer).setUint32(0, 20, true);
  new DataView(done.buffer).setUint16(4, 3, true);
  const peers = new Map<number, number>();
  const bytes = new Uint8Array([...reply(100, 101), ...reply(7), ...reply(101, 100)]);
  assertEquals(parseUnixDiag(bytes, peers), false);
  assertEquals([...peers], [[100, 101], [101, 100]]);
  assertEquals(parseUnixDiag(done, peers), true);
});

Deno.test({
  ...needs(
    "readUnixPeers() pairs the two ends of a socketpair, as the kernel's fd links name them",
    {
      "python3 is not installed": installed("python3"),
    },
  ),
  async fn() {
    // the oracle: a pair made by python3, whose two inodes its /proc/PID/fd links show
    const child = new Deno.Command("python3", {
      args: [
        "-c",
        "import os,socket,sys; a,b=socket.socketpair(); " +
        "print(os.getpid(), a.fileno(), b.fileno(), flush=True); sys.stdin.read()",
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    try {
      const { match, rest } = await readUntil(child.stdout, /(\d+) (\d+) (\d+)\n/);
      const [, pid, a, b] = match;
      const inode = (fd: string) =>
        Number(/\d+/.exec(Deno.readLinkSync(`/proc/${pid}/fd/${fd}`))![0]);
      const peers = readUnixPeers();
      assertEquals(peers.get(inode(a!)), inode(b!));
      assertEquals(peers.get(inode(b!)), inode(a!));
      await child.stdin.close();
      await rest;
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* ended */ }
      await child.status;
    }
  },
});
