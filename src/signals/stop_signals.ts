import { delay } from "../time/delay.ts";

/** Listens for SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) and lets a long-running command stop cleanly. */
export interface StopSignals {
  /** Set once a stop signal arrived. */
  readonly requested: boolean;
  /** Aborted on the first stop signal: pass it to child processes and waits. */
  readonly signal: AbortSignal;
  /** Aborted on a second stop signal: the user will not wait for a graceful stop. */
  readonly again: AbortSignal;
  /** Waits `ms` (any length, at least one turn of the event loop), or less when a stop signal arrives. */
  sleep(ms: number): Promise<void>;
  dispose(): void;
}

/** Starts listening; `dispose()` restores the default handlers. */
export function listenForStop(): StopSignals {
  const controller = new AbortController();
  const hurry = new AbortController();
  const handler = () => (controller.signal.aborted ? hurry : controller).abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return {
    get requested() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
    again: hurry.signal,
    sleep(ms) {
      return delay(ms, controller.signal);
    },
    dispose() {
      for (const signal of signals) Deno.removeSignalListener(signal, handler);
    },
  };
}
