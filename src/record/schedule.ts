/**
 * Drift-free timing of periodic work on a monotonic clock: iteration n is due at
 * anchor + n·interval. When an iteration overruns its slot, the next one starts at
 * once and the schedule re-anchors there, so one slow sample does not make the
 * following ones bunch up.
 */
export class Schedule {
  #anchor: number;
  #done = 0;

  /** `intervalMs` between iteration starts; `startMs` is the first start (monotonic ms). */
  constructor(readonly intervalMs: number, startMs: number) {
    this.#anchor = startMs;
  }

  /**
   * Records that an iteration finished at `nowMs` and returns how long to wait,
   * in ms, before the next one, and whether this iteration overran its slot.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Schedule } from "./schedule.ts";
   * const schedule = new Schedule(1000, 0);
   * assert(schedule.next(300).waitMs === 700);
   * assert(schedule.next(1250).waitMs === 750); // due at 2000, not 2250
   * assert(schedule.next(3500).overran);       // due at 3000: start now
   * ```
   */
  next(nowMs: number): { waitMs: number; overran: boolean } {
    this.#done++;
    const due = this.#anchor + this.#done * this.intervalMs;
    if (nowMs <= due) return { waitMs: due - nowMs, overran: false };
    this.#anchor = nowMs;
    this.#done = 0;
    return { waitMs: 0, overran: this.intervalMs > 0 };
  }
}
