/** The longest delay `setTimeout` honours, ms; past it the timer fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms` milliseconds (any length: long waits go in pieces), or as soon
 * as `signal` aborts. Even a zero wait goes through the timer queue, so a loop that
 * awaits it lets signal listeners and I/O run between its turns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delay } from "./delay.ts";
 * const start = performance.now();
 * await delay(20);
 * assert(performance.now() - start >= 19);
 * ```
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const until = performance.now() + Math.max(0, ms);
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      timer = setTimeout(tick, Math.min(MAX_TIMER_MS, Math.max(0, until - performance.now())));
    };
    const tick = () => (performance.now() >= until ? done() : arm());
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done);
    arm();
  });
}
