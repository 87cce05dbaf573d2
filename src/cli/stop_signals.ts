/** Listens for SIGINT, SIGTERM and SIGHUP (a closed terminal or ssh session) and lets a long-running command stop cleanly. */
export interface StopSignals {
  /** Set once a stop signal arrived. */
  readonly requested: boolean;
  /** Aborted on the first stop signal: pass it to child processes and waits. */
  readonly signal: AbortSignal;
  /** Waits `ms`, or less when a stop signal arrives. */
  sleep(ms: number): Promise<void>;
  dispose(): void;
}

/** Starts listening; `dispose()` restores the default handlers. */
export function listenForStop(): StopSignals {
  const controller = new AbortController();
  const handler = () => controller.abort();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return {
    get requested() {
      return controller.signal.aborted;
    },
    signal: controller.signal,
    sleep(ms) {
      if (controller.signal.aborted || ms <= 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          controller.signal.removeEventListener("abort", done);
          resolve();
        }
        controller.signal.addEventListener("abort", done);
      });
    },
    dispose() {
      for (const signal of signals) Deno.removeSignalListener(signal, handler);
    },
  };
}
