// The process-events connector on the live kernel: the filter probe, what a filtered
// socket delivers, and a listener whose reader fails closes its sockets all the same.
import { assertEquals } from "../../_helpers/assert.ts";
import { installed, needs } from "../../_helpers/needs.ts";
import { waitFor } from "../../_helpers/processes.ts";
import { openLibc } from "../../../src/kernel/libc.ts";
import { openConnector, probeFilters } from "../../../src/kernel/connector.ts";
import { parseProcEvent, PROC_EVENT } from "../../../src/kernel/parse_proc_event.ts";
import type { ProcEvent } from "../../../src/kernel/parse_proc_event.ts";
import { listenProcEvents } from "../../../src/kernel/proc_events.ts";
import type { ReadEvent } from "../../../src/kernel/proc_events.ts";

/**
 * Whether this user may bind a connector socket to the process-events group, asked
 * with perl's socket calls (nothing of procpath's): root may, on Linux 6.18 others may not.
 */
const mayListen = installed("perl") && new Deno.Command("perl", {
  args: [
    "-MSocket",
    "-e",
    'socket(my $s, 16, 2, 11) or exit 1; bind($s, pack("SSLL", 16, 0, 0, 1)) or exit 1',
  ],
}).outputSync().success;
const canListen = { "this user may not bind the connector (or perl is missing)": mayListen };
const [major = 0, minor = 0] = Deno.osRelease().split(".").map((n) => parseInt(n, 10));
const from66 = major > 6 || (major === 6 && minor >= 6);

/**
 * This process's descriptors that are connector sockets (workers share the descriptor
 * table): sockets whose inode `net/netlink` lists under protocol 11.
 */
const sockets = () => {
  const connectors = new Set(
    Deno.readTextFileSync("/proc/self/net/netlink").split("\n").slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1] === "11")
      .map((fields) => fields[9]),
  );
  return [...Deno.readDirSync("/proc/self/fd")].filter((entry) => {
    try {
      const link = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
      return connectors.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? "");
    } catch {
      return false;
    }
  }).length;
};

Deno.test({
  ...needs("probeFilters() finds per-listener filters on a kernel from 6.6 on", {
    ...canListen,
    "the kernel is older than 6.6": from66,
  }),
  fn() {
    const lib = openLibc()!;
    const before = sockets();
    assertEquals(probeFilters(lib), true);
    assertEquals(sockets(), before, "the probe's socket is closed");
  },
});

Deno.test({
  ...needs("a socket subscribed to execs alone receives execs alone, the child's among them", {
    ...canListen,
    "the kernel has no per-listener filters": from66,
  }),
  async fn() {
    const lib = openLibc()!;
    const connector = openConnector(lib, PROC_EVENT.EXEC);
    if (typeof connector === "string") throw new Error(connector);
    const events: ProcEvent[] = [];
    try {
      const child = new Deno.Command("true").spawn();
      await child.status;
      const buffer = new Uint8Array(4096);
      const seen = await waitFor(() => {
        for (
          let n = connector.receive(buffer, false);
          n > 0;
          n = connector.receive(buffer, false)
        ) {
          const event = parseProcEvent(buffer.subarray(0, n));
          if (event !== null) events.push(event);
        }
        return events.some((e) => e.kind === "exec" && e.pid === child.pid);
      }, 5_000);
      assertEquals(seen, true, `the child's exec among ${events.length} events`);
      assertEquals(events.filter((e) => e.kind !== "exec"), []);
    } finally {
      connector.close();
    }
  },
});

Deno.test({
  ...needs("a listener reports a child's fork, exec and exit, and stops with no overrun", {
    ...canListen,
  }),
  async fn() {
    const before = sockets();
    const events: ReadEvent[] = [];
    const listener = await listenProcEvents((event) => events.push(event));
    if (typeof listener === "string") throw new Error(listener);
    let end;
    try {
      const child = new Deno.Command("sh", { args: ["-c", "exec true long-enough-name"] }).spawn();
      await child.status;
      const kinds = () => events.filter((e) => e.tgid === child.pid).map((e) => e.kind).join(",");
      assertEquals(await waitFor(() => kinds().includes("exit"), 5_000), true, kinds());
      assertEquals(kinds(), "fork,exec,exec,exit"); // sh, then true
    } finally {
      end = await listener.stop();
    }
    assertEquals(end, { overruns: 0, failure: null });
    assertEquals(await waitFor(() => sockets() === before), true, "its sockets are closed");
  },
});

Deno.test({
  ...needs("a reader that fails after it started closes its sockets and says why", canListen),
  async fn() {
    const before = sockets();
    const worker = new Worker(
      new URL("../../../src/kernel/proc_events_worker.ts", import.meta.url),
      { type: "module" },
    );
    try {
      const messages: Record<string, unknown>[] = [];
      worker.onmessage = (message) => messages.push(message.data);
      // not a shared Int32Array: the reading loop throws at its first look at it
      worker.postMessage({ stop: "not an Int32Array" });
      const closed = await waitFor(() => messages.some((m) => m.closed), 5_000);
      assertEquals(closed, true, JSON.stringify(messages));
      // `taskstats`: null where exits carry its figures, else why not
      assertEquals(messages[0]?.ready, true);
      const last = messages.at(-1)!;
      assertEquals([last.closed, last.overruns], [true, 0]);
      assertEquals(typeof last.failure, "string");
      assertEquals(await waitFor(() => sockets() === before), true, "its sockets are closed");
    } finally {
      worker.terminate();
    }
  },
});
