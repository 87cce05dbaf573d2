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
import { openConnector } from "./proc_events.ts";
import { parseProcEvent } from "./parse_proc_event.ts";
import type { ProcEvent } from "./parse_proc_event.ts";

/** An event with what the worker read of its process right away. */
export type ReadEvent = ProcEvent & { cmdline?: Uint8Array; comm?: string; stat?: string };

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

self.onmessage = (message: MessageEvent<{ stop: Int32Array }>) => {
  const stop = message.data.stop;
  const lib = openLibc();
  const connector = lib === null ? "libc cannot be reached through Deno's FFI" : openConnector(lib);
  if (typeof connector === "string" || lib === null) {
    self.postMessage({ refused: connector });
    return;
  }
  self.postMessage({ ready: true });
  const buffer = new Uint8Array(4096);
  let batch: ReadEvent[] = [];
  let last = performance.now();
  while (Atomics.load(stop, 0) === 0) {
    const got = connector.receive(buffer);
    if (got > 0) {
      const event: ReadEvent | null = parseProcEvent(buffer.subarray(0, got));
      if (event !== null && event.pid === event.tgid) {
        if (event.kind === "exec") {
          event.cmdline = readNow(lib, event.pid, "cmdline");
          // a kernel thread or a process that cleared its command line: its name at least
          const comm = event.cmdline ? undefined : readNow(lib, event.pid, "comm");
          if (comm) event.comm = decoder.decode(comm).trimEnd();
        } else if (event.kind === "exit") {
          const stat = readNow(lib, event.pid, "stat");
          if (stat) event.stat = decoder.decode(stat);
        }
        batch.push(event);
      }
    }
    // batches of up to 50 ms keep the main thread's work per event small
    if (batch.length > 0 && (got <= 0 || performance.now() - last > 50 || batch.length >= 256)) {
      self.postMessage({ events: batch });
      batch = [];
      last = performance.now();
    }
  }
  if (batch.length > 0) self.postMessage({ events: batch });
  const lost = connector.lost;
  connector.close();
  self.postMessage({ closed: true, lost });
};
