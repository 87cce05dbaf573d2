import type { Point } from "./types.ts";

/**
 * Returns the distance from `p0` to the line through `p1` and `p2`; when those
 * coincide, the distance from `p0` to `p1`.
 */
export function lineDistance(p0: Point, p1: Point, p2: Point): number {
  const dx = p2[0] - p1[0], dy = p2[1] - p1[1];
  if (dx === 0 && dy === 0) return Math.hypot(p0[0] - p1[0], p0[1] - p1[1]);
  return Math.abs(dy * p0[0] - dx * p0[1] + p2[0] * p1[1] - p2[1] * p1[0]) / Math.hypot(dx, dy);
}

/**
 * Ramer–Douglas–Peucker decimation: keeps the points that deviate from the chord of
 * their neighbours by more than `epsilon` (strictly), in value units with x in
 * seconds. Fewer than 3 points are returned as they are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decimate } from "./transform.ts";
 * assert(decimate([[0, 0], [1, 0.1], [2, 0]], 0.5).length === 2);
 * assert(decimate([[1, 1], [1, 1], [1, 1]], 0).length === 2);
 * ```
 */
export function decimate(points: readonly Point[], epsilon: number): Point[] {
  if (points.length < 3) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  // an explicit stack: recursion depth would follow the series length on a worst case
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [first, last] = stack.pop()!;
    let max = -1, index = -1;
    for (let i = first + 1; i < last; i++) {
      const distance = lineDistance(points[i]!, points[first]!, points[last]!);
      if (distance > max) {
        max = distance;
        index = i;
      }
    }
    if (index >= 0 && max > epsilon) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

/**
 * Centred moving average over `window` points: each output point has the x of point
 * `i + ⌊window/2⌋` and the mean y of points `i … i + window − 1`, so `len − window + 1`
 * points come out (none when the window is longer than the series).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { movingAverage } from "./transform.ts";
 * const out = movingAverage([[1, 1], [2, 3], [3, 5], [4, 7]], 2);
 * assert(JSON.stringify(out) === "[[2,2],[3,4],[4,6]]");
 * ```
 */
export function movingAverage(points: readonly Point[], window: number): Point[] {
  if (!(window > 0)) throw new RangeError("Moving average window must be a positive number");
  const out: Point[] = [];
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    sum += points[i]![1];
    if (i >= window) sum -= points[i - window]![1];
    if (i >= window - 1) {
      const start = i - window + 1;
      out.push([points[start + Math.floor(window / 2)]![0], sum / window]);
    }
  }
  return out;
}

/**
 * Pixel-aware thinning: of the points that fall in one pixel column of the output,
 * keeps the first, the lowest, the highest and the last (in their order), which
 * draws the same line as all of them. `toPixel` maps x to a pixel column.
 */
export function thinToPixels(points: readonly Point[], toPixel: (x: number) => number): Point[] {
  if (points.length <= 4) return points.slice();
  const out: Point[] = [];
  let column = NaN, bucket: Point[] = [];
  const flush = () => {
    if (bucket.length <= 4) {
      out.push(...bucket);
      return;
    }
    let lo = bucket[0], hi = bucket[0];
    for (const p of bucket) {
      if (p[1] < lo![1]) lo = p;
      if (p[1] > hi![1]) hi = p;
    }
    const kept = new Set([bucket[0], lo, hi, bucket[bucket.length - 1]]);
    out.push(...bucket.filter((p) => kept.has(p)));
  };
  for (const point of points) {
    const c = Math.round(toPixel(point[0]));
    if (c !== column) {
      flush();
      bucket = [];
      column = c;
    }
    bucket.push(point);
  }
  flush();
  return out;
}
