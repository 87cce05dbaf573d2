/**
 * The process-events connector read on a thread of its own: a Deno worker blocks in
 * `recv` and, the moment an exec or exit arrives, reads the process's command line,
 * `comm` or zombie `stat` — a process that lives a millisecond is usually still there
 * for a read made microseconds after its event, and rarely for one made after the
 * main thread's next turn. Each event goes to the main thread with what was read.
 *
 * Messages in: `{ stop: Int32Array over a SharedArrayBuffer }` (set [0] to 1 to stop).
 * Messages out: `{ ready: true }` or `{ refused: reason }`, then `{ events: [...] }`
 * batches, then `{ closed: true, lost }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { openLibc } from "./libc.ts";
import type { Libc } from "./libc.ts";
import { kernelFilters, openConnector } from "./connector.ts";
import { parseProcEvent, PROC_EVENT } from "./parse_proc_event.ts";
import type { ProcEvent } from "./parse_proc_event.ts";

/** An event with what the worker read of its process right away. */
export type ReadEvent = ProcEvent & {
  cmdline?: Uint8Array | undefined;
  comm?: string | undefined;
  stat?: string | undefined;
};

const decoder = new TextDecoder();

const encoder = new TextEncoder();
const pathBuffer = new Uint8Array(64);
const fileBuffer = new Uint8Array(8192);
const O_RDONLY = 0;

/**
 * Reads `/proc/<pid>/<name>` with libc directly (three system calls, no runtime op):
 * the process may live only microseconds longer. `undefined` when it is gone.
 */
function readNow(lib: Libc, pid: number, name: string): Uint8Array | undefined {
  const { written } = encoder.encodeInto(`/proc/${pid}/${name}\0`, pathBuffer);
  const fd = lib.open(pathBuffer.subarray(0, written), O_RDONLY);
  if (fd < 0) return undefined;
  let length = 0;
  for (;;) {
    const got = Number(
      lib.read(fd, fileBuffer.subarray(length), BigInt(fileBuffer.length - length)),
    );
    if (got <= 0 || (length += got) >= fileBuffer.length) break;
  }
  lib.close(fd);
  return length > 0 ? fileBuffer.slice(0, length) : undefined;
}

/** How often forks and exits are collected from their socket and events sent on, ms. */
const BATCH_MS = 100;

/** Reads what an event's process shows right away (an exec's command line, an exit's stat). */
function enrich(lib: Libc, event: ReadEvent): void {
  if (event.kind === "exec") {
    event.cmdline = readNow(lib, event.pid, "cmdline");
    // a kernel thread or a process that cleared its command line: its name at least
    const comm = event.cmdline ? undefined : readNow(lib, event.pid, "comm");
    if (comm) event.comm = decoder.decode(comm).trimEnd();
  } else if (event.kind === "exit") {
    const stat = readNow(lib, event.pid, "stat");
    if (stat) event.stat = decoder.decode(stat);
  }
}

self.onmessage = (message: MessageEvent<{ stop: Int32Array }>) => {
  const stop = message.data.stop;
  const lib = openLibc();
  if (lib === null) {
    self.postMessage({ refused: "libc cannot be reached through Deno's FFI" });
    return;
  }
  // where the kernel filters per listener, execs come alone on one socket and wake this
  // thread at once (the command line must be read before a short process is gone),
  // while forks and exits wait on another and are collected every BATCH_MS: a third of
  // the wake-ups. Elsewhere one socket brings everything.
  const filtered = kernelFilters();
  const immediate = openConnector(lib, filtered ? PROC_EVENT.EXEC : undefined);
  if (typeof immediate === "string") {
    self.postMessage({ refused: immediate });
    return;
  }
  const batched = filtered
    ? openConnector(lib, PROC_EVENT.FORK | PROC_EVENT.EXIT | PROC_EVENT.COMM)
    : null;
  if (typeof batched === "string") {
    immediate.close();
    self.postMessage({ refused: batched });
    return;
  }
  self.postMessage({ ready: true });
  const buffer = new Uint8Array(4096);
  let pending: ReadEvent[] = [];
  const take = (got: number) => {
    const event: ReadEvent | null = got > 0 ? parseProcEvent(buffer.subarray(0, got)) : null;
    if (event === null || event.pid !== event.tgid) return; // threads are left out
    enrich(lib, event);
    pending.push(event);
  };
  let last = performance.now();
  while (Atomics.load(stop, 0) === 0) {
    const got = immediate.receive(buffer);
    take(got);
    if (got > 0 && performance.now() - last < BATCH_MS) continue;
    if (batched) {
      for (let n = batched.receive(buffer, false); n > 0; n = batched.receive(buffer, false)) {
        take(n);
      }
    }
    if (pending.length > 0) {
      // the two sockets' events in the kernel's order: a fork before its exec
      pending.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
      self.postMessage({ events: pending });
      pending = [];
    }
    last = performance.now();
  }
  if (batched) {
    for (let n = batched.receive(buffer, false); n > 0; n = batched.receive(buffer, false)) take(n);
  }
  pending.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  if (pending.length > 0) self.postMessage({ events: pending });
  const lost = immediate.lost + (batched?.lost ?? 0);
  immediate.close();
  batched?.close();
  self.postMessage({ closed: true, lost });
};
