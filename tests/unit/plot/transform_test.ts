import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { decimate, lineDistance, movingAverage, thinToPixels } from "../../../src/plot/mod.ts";
import type { Point } from "../../../src/plot/mod.ts";

Deno.test("lineDistance() is perpendicular, or Euclidean when the line is a point", () => {
  assertEquals(lineDistance([0, 1], [-1, 0], [1, 0]), 1);
  assertEquals(lineDistance([3, 4], [0, 0], [0, 0]), 5);
  assertEquals(Math.abs(lineDistance([1, 1], [0, 0], [2, 2])) < 1e-12, true);
});

Deno.test("decimate() follows Ramer–Douglas–Peucker with a strict >", () => {
  assertEquals(decimate([], 1), []);
  assertEquals(decimate([[1, 1], [2, 2]], 0), [[1, 1], [2, 2]]);
  assertEquals(decimate([[1, 1], [1, 1], [1, 1]], 0), [[1, 1], [1, 1]]);
  const line: Point[] = [[0, 0], [1, 0.1], [2, -0.1], [3, 5], [4, 6], [5, 7], [6, 8.1], [7, 9], [
    8,
    9,
  ], [9, 9]];
  assertEquals(decimate(line, 1), [[0, 0], [2, -0.1], [3, 5], [7, 9], [9, 9]]);
  assertEquals(decimate(line, 0).length, 8); // [4, 6] and [8, 9] lie on their chords
  assertEquals(decimate(line, 100), [[0, 0], [9, 9]]);
  // exactly ε away is kept out (strict >)
  assertEquals(decimate([[0, 0], [1, 1], [2, 0]], 1), [[0, 0], [2, 0]]);
});

Deno.test("decimate() handles 100,000 points without deep recursion", () => {
  const points: Point[] = Array.from({ length: 100_000 }, (_, i) => [i, Math.sin(i / 500) * 100]);
  const out = decimate(points, 0.5);
  assertEquals(out.length > 10 && out.length < 5000, true, String(out.length));
});

Deno.test("movingAverage() is centred, yields len − n + 1 points and rejects n ≤ 0", () => {
  const points: Point[] = [[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]];
  assertEquals(movingAverage(points, 1), points);
  assertEquals(movingAverage(points, 2), [[2, 1.5], [3, 2.5], [4, 3.5], [5, 4.5]]);
  assertEquals(movingAverage(points, 3), [[2, 2], [3, 3], [4, 4]]);
  assertEquals(movingAverage(points, 6), []);
  assertThrows(() => movingAverage(points, 0), RangeError);
});

Deno.test("thinToPixels() keeps first, lowest, highest and last of each pixel column", () => {
  const points: Point[] = [[0, 5], [0.1, 1], [0.2, 9], [0.3, 4], [0.4, 6], [1, 3]];
  assertEquals(thinToPixels(points, (x) => x), [[0, 5], [0.1, 1], [0.2, 9], [0.4, 6], [1, 3]]);
});
