/**
 * The process-events connector read on a thread of its own: a Deno worker blocks in
 * `recv` and, the moment an exec or exit arrives, reads the process's command line,
 * `comm` or zombie `stat` — a process that lives a millisecond is usually still there
 * for a read made microseconds after its event, and rarely for one made after the
 * main thread's next turn. Each event goes to the main thread with what was read.
 *
 * Messages in: `{ stop: Int32Array over a SharedArrayBuffer }` (set [0] to 1 to stop).
 * Messages out: `{ ready: true, taskstats }` (`taskstats`: null when exits carry the
 * kernel's taskstats figures, else why not) or `{ refused: reason }`, then
 * `{ events: [...] }` batches, then `{ closed: true, overruns, failure }` — `failure`
 * the error that ended the reading early, or null. Whatever ends it, the sockets are
 * unsubscribed and closed.
 *
 * Taskstats (`taskstats.ts`), where the kernel lets procpath register, gives each exit
 * its exact CPU and peak RSS: its socket is drained just before a batch goes out, and
 * each exit in the batch takes its process's figure (`exit_figures.ts`). The kernel
 * queues a task's report before its exit event, so an exit drained has its report
 * queued; a batch held back `HOLD_NS` also lets a process's other threads, which may
 * exit just after its leader, be counted.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { openLibc } from "./libc.ts";
import type { Libc } from "./libc.ts";
import { openConnector, probeFilters } from "./connector.ts";
import type { Connector } from "./connector.ts";
import { parseProcEvent, PROC_EVENT } from "./parse_proc_event.ts";
import type { ProcEvent } from "./parse_proc_event.ts";
import { openTaskstats } from "./taskstats.ts";
import type { TaskstatsSocket } from "./taskstats.ts";
import { ExitFigures } from "./exit_figures.ts";
import type { ExitFigure } from "./exit_figures.ts";

/** An event with what the worker read of its process right away. */
export type ReadEvent = ProcEvent & {
  cmdline?: Uint8Array | undefined;
  comm?: string | undefined;
  stat?: string | undefined;
  /** An exit: the process's exact CPU and peak from the kernel's taskstats, where it reports. */
  figure?: ExitFigure | undefined;
};

const decoder = new TextDecoder();

const encoder = new TextEncoder();
const pathBuffer = new Uint8Array(64);
/** Grown while a file fills it (a command line may be 2 MiB and more). */
let fileBuffer = new Uint8Array(8192);
/** The most read of one file: what `MAX_PROCFILE_BYTES` allows a procfile. */
const MAX_BYTES = 16 << 20;
/** O_RDONLY | O_CLOEXEC: children are spawned while the file is open. */
const O_RDONLY_CLOEXEC = 0o2000000;
/**
 * Reads `/proc/<pid>/<name>` with libc directly (system calls, no runtime op), to its
 * end: the process may live only microseconds longer. `undefined` when it cannot be
 * read now — gone, not this user's, or out of descriptors: the tracker reads it again
 * from procfs, where a missing process, a denied file and an error are told apart,
 * instead of one failed read ending the listener.
 */
function readNow(lib: Libc, pid: number, name: string): Uint8Array | undefined {
  const { written } = encoder.encodeInto(`/proc/${pid}/${name}\0`, pathBuffer);
  const fd = lib.open(pathBuffer.subarray(0, written), O_RDONLY_CLOEXEC);
  if (fd < 0) return undefined;
  try {
    let length = 0;
    for (;;) {
      if (length === fileBuffer.length) {
        if (length >= MAX_BYTES) break;
        const grown = new Uint8Array(fileBuffer.length * 2);
        grown.set(fileBuffer);
        fileBuffer = grown;
      }
      const got = Number(
        lib.read(fd, fileBuffer.subarray(length), BigInt(fileBuffer.length - length)),
      );
      if (got < 0) return undefined;
      if (got === 0) break;
      length += got;
    }
    return length > 0 ? fileBuffer.slice(0, length) : undefined;
  } finally {
    lib.close(fd);
  }
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

/**
 * How long before the sockets are drained an event must have happened to go out in
 * this batch, ns: the kernel stamps an event before it queues it, and a task preempted
 * between the two queues it late.
 */
const HOLD_NS = 50_000_000n;

/** The kernel's `CLOCK_MONOTONIC`, the clock of the events' stamps, ns. */
function monotonic(lib: Libc): bigint {
  const time = new BigInt64Array(2);
  lib.clock_gettime(1, time);
  return time[0]! * 1_000_000_000n + time[1]!;
}

/** The CPUs whose exits taskstats reports to a listener: all there may be. */
function possibleCpus(): string {
  try {
    return Deno.readTextFileSync("/sys/devices/system/cpu/possible").trim();
  } catch {
    return `0-${Math.max(0, navigator.hardwareConcurrency - 1)}`;
  }
}

/** Events in the kernel's order (two sockets' events interleave): a fork before its exec. */
const byTime = (a: ReadEvent, b: ReadEvent) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0);

self.onmessage = (message: MessageEvent<{ stop: Int32Array }>) => {
  const stop = message.data.stop;
  const lib = openLibc();
  if (lib === null) {
    self.postMessage({ refused: "libc cannot be reached through Deno's FFI" });
    return;
  }
  const sockets: Connector[] = [];
  let taskstats: TaskstatsSocket | null = null;
  const figures = new ExitFigures();
  let ready = false;
  let failure: string | null = null;
  let pending: ReadEvent[] = [];
  const buffer = new Uint8Array(4096);
  const take = (got: number) => {
    const event: ReadEvent | null = got > 0 ? parseProcEvent(buffer.subarray(0, got)) : null;
    if (event === null || event.pid !== event.tgid) return; // threads are left out
    enrich(lib, event);
    pending.push(event);
  };
  const drain = (socket: Connector) => {
    for (let n = socket.receive(buffer, false); n > 0; n = socket.receive(buffer, false)) take(n);
  };
  const refuse = (reason: string) => self.postMessage({ refused: reason });
  /** Sends `events` on, each exit of a process with its taskstats figure. */
  const send = (events: ReadEvent[]) => {
    if (taskstats !== null) {
      const now = performance.now();
      try {
        for (const task of taskstats.drain()) figures.add(task, now);
      } catch {
        // figures are a refinement: without them exits go on as without taskstats
        taskstats.close();
        taskstats = null;
      }
      for (const event of events) {
        if (event.kind === "exit") event.figure = figures.take(event.tgid, now);
      }
    }
    self.postMessage({ events });
  };
  try {
    // where the kernel filters per listener, execs come alone on one socket and wake this
    // thread at once (the command line must be read before a short process is gone),
    // while forks and exits wait on another and are collected every BATCH_MS: a third of
    // the wake-ups. Elsewhere one socket brings everything.
    const filtered = probeFilters(lib);
    if (typeof filtered === "string") return refuse(filtered);
    const immediate = openConnector(lib, filtered ? PROC_EVENT.EXEC : undefined);
    if (typeof immediate === "string") return refuse(immediate);
    sockets.push(immediate);
    const batched = filtered
      ? openConnector(lib, PROC_EVENT.FORK | PROC_EVENT.EXIT | PROC_EVENT.COMM)
      : null;
    if (typeof batched === "string") return refuse(batched);
    if (batched) sockets.push(batched);
    const opened = openTaskstats(lib, possibleCpus());
    if (typeof opened !== "string") taskstats = opened;
    self.postMessage({ ready: true, taskstats: typeof opened === "string" ? opened : null });
    ready = true;
    let last = performance.now();
    while (Atomics.load(stop, 0) === 0) {
      const got = immediate.receive(buffer);
      take(got);
      if (got > 0 && performance.now() - last < BATCH_MS) continue;
      // events go out in the kernel's order across both sockets: only those older than
      // HOLD_NS before both are drained, the rest wait a batch. An exec still queued
      // behind a machine's other execs went out after its process's fork and exit (the
      // tracker, its exit seen, dropped it: 18–41 of 300 /bin/true runs had no exec
      // row), and one drained just after its fork was drained went out before it
      const cut = batched ? monotonic(lib) - HOLD_NS : null;
      if (batched) {
        drain(batched);
        drain(immediate);
      }
      const due = cut === null ? pending : pending.filter((e) => e.ns <= cut);
      if (due.length > 0) {
        send(due.sort(byTime));
        pending = due.length === pending.length ? [] : pending.filter((e) => e.ns > cut!);
      }
      last = performance.now();
    }
    if (batched) drain(batched);
    drain(immediate);
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
    if (!ready) refuse(`the connector's reader failed: ${failure}`);
  } finally {
    // overruns before close: a closed socket counts nothing more
    const overruns = sockets.reduce((sum, socket) => sum + socket.overruns, 0);
    for (const socket of sockets) socket.close();
    if (ready) {
      if (pending.length > 0) send(pending.sort(byTime));
      self.postMessage({ closed: true, overruns, failure });
    }
    taskstats?.close();
  }
};
