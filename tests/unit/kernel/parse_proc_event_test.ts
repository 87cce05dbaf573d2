import { assertEquals } from "../../_helpers/assert.ts";
import { EVENT_OFFSET, parseProcEvent, PROC_EVENT } from "../../../src/kernel/parse_proc_event.ts";
import { isInitialPidNamespace, isInitialUserNamespace } from "../../../src/kernel/namespaces.ts";

/** A connector message: `what`, a timestamp and the event's 32-bit words. */
function message(what: number, words: number[], tail = new Uint8Array()): Uint8Array {
  const bytes = new Uint8Array(EVENT_OFFSET + 16 + words.length * 4 + tail.length + 8);
  const view = new DataView(bytes.buffer, EVENT_OFFSET);
  view.setUint32(0, what, true);
  view.setBigUint64(8, 5_000_000_000n, true);
  words.forEach((word, i) => view.setUint32(16 + i * 4, word, true));
  bytes.set(tail, EVENT_OFFSET + 16 + words.length * 4);
  return bytes;
}

Deno.test("fork, exec, exit and comm events as cn_proc.h lays them out", () => {
  assertEquals(parseProcEvent(message(PROC_EVENT.FORK, [100, 100, 101, 101])), {
    kind: "fork",
    ns: 5_000_000_000n,
    parentPid: 100,
    parentTgid: 100,
    pid: 101,
    tgid: 101,
  });
  // exit(7) is status 7 << 8; the parent's PID and TGID follow the code and the signal
  assertEquals(parseProcEvent(message(PROC_EVENT.EXIT, [101, 101, 7 << 8, 17, 100, 100])), {
    kind: "exit",
    ns: 5_000_000_000n,
    pid: 101,
    tgid: 101,
    status: 7 << 8,
    parentPid: 100,
    parentTgid: 100,
  });
  const comm = new TextEncoder().encode("worker-3\0\0\0\0\0\0\0\0");
  assertEquals(parseProcEvent(message(PROC_EVENT.COMM, [101, 102], comm)), {
    kind: "comm",
    ns: 5_000_000_000n,
    pid: 101,
    tgid: 102,
    comm: "worker-3",
  });
});

Deno.test("events procpath does not use and short messages are nothing", () => {
  assertEquals(parseProcEvent(message(0x4, /* uid */ [1, 1, 0, 0])), null);
  assertEquals(parseProcEvent(message(PROC_EVENT.NONE, [0, 0, 0, 0])), null);
  assertEquals(parseProcEvent(new Uint8Array(20)), null);
});

Deno.test("the machine's namespaces are told from a container's", () => {
  assertEquals(isInitialUserNamespace("         0          0 4294967295\n"), true);
  assertEquals(isInitialUserNamespace("         0       1000          1\n"), false);
  assertEquals(isInitialPidNamespace("Name:\tsh\nNSpid:\t9328\n"), true);
  assertEquals(isInitialPidNamespace("Name:\tsh\nNSpid:\t9328\t1\n"), false);
});
