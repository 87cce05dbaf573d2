/** Maps values of a domain onto pixels, with the ticks to draw. */
export interface Scale {
  (value: number): number;
  ticks: number[];
  domain: [number, number];
  logarithmic: boolean;
}

const NICE = [1, 2, 5, 10];

/**
 * Returns about `count` round tick values (1, 2, 5 × 10^k steps) covering
 * `[min, max]`; with `integers`, steps of at least 1 (counts have no fractions).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { niceTicks } from "./scale.ts";
 * assert(niceTicks(0, 97, 5).join() === "0,20,40,60,80,100");
 * assert(niceTicks(0, 15, 6).join() === "0,5,10,15");
 * assert(niceTicks(0, 3, 6, true).join() === "0,1,2,3");
 * ```
 */
export function niceTicks(min: number, max: number, count: number, integers = false): number[] {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    return niceTicks(min - pad, max + pad, count, integers);
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = NICE.map((n) => n * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  if (integers) step = Math.max(1, Math.round(step));
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) {
    ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  }
  return ticks;
}

/** Creates a linear scale from `domain` onto `[from, to]` pixels, with nice ticks (whole with `integers`). */
export function linearScale(
  domain: [number, number],
  range: [number, number],
  tickCount = 6,
  integers = false,
): Scale {
  const ticks = niceTicks(domain[0], domain[1], tickCount, integers);
  const lo = ticks[0], hi = ticks[ticks.length - 1];
  const scale =
    ((v: number) => range[0] + (v - lo!) / (hi! - lo!) * (range[1] - range[0])) as Scale;
  scale.ticks = ticks;
  scale.domain = [lo!, hi!];
  scale.logarithmic = false;
  return scale;
}

/** Creates a log10 scale; values ≤ 0 are not drawable (callers skip them). */
export function logScale(domain: [number, number], range: [number, number]): Scale {
  const positive = [Math.max(domain[0], Number.MIN_VALUE), Math.max(domain[1], Number.MIN_VALUE)];
  const lo = Math.floor(Math.log10(positive[0]!));
  let hi = Math.ceil(Math.log10(positive[1]!));
  if (hi === lo) hi = lo + 1;
  const scale =
    ((v: number) => range[0] + (Math.log10(v) - lo) / (hi - lo) * (range[1] - range[0])) as Scale;
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  scale.ticks = ticks;
  scale.domain = [10 ** lo, 10 ** hi];
  scale.logarithmic = true;
  return scale;
}

const SECOND = 1, MINUTE = 60, HOUR = 3600, DAY = 86400;
const TIME_STEPS = [
  0.001,
  0.002,
  0.005,
  0.01,
  0.02,
  0.05,
  0.1,
  0.2,
  0.5,
  SECOND,
  2,
  5,
  10,
  15,
  30,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  91 * DAY,
  182 * DAY,
  365 * DAY,
];

/**
 * Returns at most `maxCount` time ticks (unix seconds) on round steps (1 s, 5 s,
 * 1 min, 1 h, 1 day …) covering `[start, end]`; a single instant gets one tick.
 */
export function timeTicks(start: number, end: number, maxCount: number): number[] {
  if (!(end > start)) return [start];
  const step = TIME_STEPS.find((s) => (end - start) / s <= Math.max(1, maxCount - 1)) ??
    Math.ceil((end - start) / maxCount / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end + 1e-9; t += step) {
    ticks.push(Number(t.toFixed(6)));
  }
  return ticks.length > 0 ? ticks : [start];
}
