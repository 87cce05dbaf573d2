/**
 * A listener on the kernel's process-events connector: every fork, exec and exit on
 * the machine, as they happen. Unprivileged since Linux 6.6 for a listener in the
 * initial user and PID namespaces; refused elsewhere (a container, an older kernel),
 * which `listenProcEvents` reports as a reason instead of an error. The socket is read
 * by a worker (`proc_events_worker.ts`) that also reads each new program's command
 * line the moment its exec arrives; the main thread only receives batches.
 *
 * @module
 */
import { eventNamespaceProblem } from "./namespaces.ts";
import type { ReadEvent } from "./proc_events_worker.ts";

export type { ReadEvent };

/** A running listener. */
export interface ProcEventListener {
  /** Stops listening; resolves with the events the kernel dropped (read too slowly). */
  stop(): Promise<number>;
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
  let closed: (lost: number) => void;
  const finished = new Promise<number>((resolve) => closed = resolve);
  return new Promise((resolve) => {
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      resolve(`the connector's reader failed: ${event.message}`);
      closed(0);
    };
    worker.onmessage = (message: MessageEvent) => {
      const data = message.data;
      if (data.events) { for (const event of data.events as ReadEvent[]) onEvent(event); }
      else if (data.ready) {
        resolve({
          async stop() {
            Atomics.store(stop, 0, 1);
            const lost = await finished;
            worker.terminate();
            return lost;
          },
        });
      } else if (data.refused) {
        worker.terminate();
        resolve(data.refused as string);
      } else if (data.closed) closed(data.lost as number);
    };
    worker.postMessage({ stop });
  });
}
