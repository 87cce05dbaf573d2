/**
 * A listener on the kernel's process-events connector: every fork, exec and exit on
 * the machine, as they happen. Root may listen from the initial user and PID
 * namespaces; whether another user may depends on the kernel and its configuration
 * (Linux 6.18 here refuses uid 65534's `bind` with EPERM). A refusal (a container, a
 * kernel that says no) is reported as a reason instead of an error. The socket is read
 * by a worker (`proc_events_worker.ts`) that also reads each new program's command
 * line the moment its exec arrives; the main thread only receives batches.
 *
 * @module
 */
import { eventNamespaceProblem } from "./namespaces.ts";
import type { ReadEvent } from "./proc_events_worker.ts";

export type { ReadEvent };

/** How a listener ended. */
export interface ListenerEnd {
  /**
   * Times the kernel found a socket full and dropped events (read too slowly): one or
   * more events each time, how many is not known.
   */
  overruns: number;
  /** Why the listener stopped before it was asked to, or null. */
  failure: string | null;
}

/** A running listener. */
export interface ProcEventListener {
  /**
   * Null when exits carry the kernel's taskstats figures (exact CPU and peak RSS), else
   * the one-line reason they do not (`taskstats.ts`).
   */
  readonly taskstats: string | null;
  /** Stops listening; resolves with how it went (its sockets are closed by then). */
  stop(): Promise<ListenerEnd>;
}

/**
 * Starts listening and calls `onEvent` for each fork, exec, exit and comm change of a
 * process (threads are left out). Resolves to the listener, or to a one-line reason
 * why the kernel or the runtime refused.
 */
export function listenProcEvents(
  onEvent: (event: ReadEvent) => void,
): Promise<ProcEventListener | string> {
  const problem = eventNamespaceProblem();
  if (problem !== null) return Promise.resolve(problem);
  let worker: Worker;
  try {
    worker = new Worker(new URL("./proc_events_worker.ts", import.meta.url), { type: "module" });
  } catch (error) {
    return Promise.resolve(`no worker for the connector: ${(error as Error).message}`);
  }
  const stop = new Int32Array(new SharedArrayBuffer(4));
  let closed: (end: ListenerEnd) => void;
  const finished = new Promise<ListenerEnd>((resolve) => closed = resolve);
  return new Promise((resolve) => {
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      const failure = `the connector's reader failed: ${event.message}`;
      resolve(failure);
      closed({ overruns: 0, failure });
    };
    worker.onmessage = (message: MessageEvent) => {
      const data = message.data;
      if (data.events) { for (const event of data.events as ReadEvent[]) onEvent(event); }
      else if (data.ready) {
        resolve({
          taskstats: (data.taskstats as string | null | undefined) ?? null,
          async stop() {
            Atomics.store(stop, 0, 1);
            const end = await finished;
            worker.terminate();
            return end;
          },
        });
      } else if (data.refused) {
        worker.terminate();
        resolve(data.refused as string);
      } else if (data.closed) {
        closed({ overruns: data.overruns as number, failure: data.failure as string | null });
      }
    };
    worker.postMessage({ stop });
  });
}
