import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { assignLanes } from "../../../src/report/lanes.ts";
import type { Span } from "../../../src/report/lanes.ts";

/** Whether every row's bars nest or follow one another, by brute force over all pairs. */
function nestsOnEveryRow(spans: Span[], lane: number[]): boolean {
  for (let a = 0; a < spans.length; a++) {
    for (let b = 0; b < spans.length; b++) {
      if (a === b || lane[a] !== lane[b]) continue;
      const x = spans[a]!, y = spans[b]!;
      const overlap = x.start < y.end && y.start < x.end;
      const nested = (x.start <= y.start && y.end <= x.end) ||
        (y.start <= x.start && x.end <= y.end);
      if (overlap && !nested) return false;
    }
  }
  return true;
}

Deno.test("assignLanes() keeps a child in its parent's bar, and an orphan that outlives it apart", () => {
  const spans: Span[] = [
    { start: 0, end: 100, parent: null }, // make
    { start: 10, end: 50, parent: 0 }, // cc
    { start: 11, end: 40, parent: 1 }, // cc1 inside cc
    { start: 20, end: 60, parent: 0 }, // a second cc at once
    { start: 90, end: 150, parent: 0 }, // a daemon outliving make
  ];
  const { lane, depth } = assignLanes(spans);
  assertEquals(lane, [0, 0, 0, 1, 1]);
  assertEquals(depth, [0, 1, 2, 0, 0]);
});

Deno.test("assignLanes() never lets bars partly overlap on a row (2,000 random trees)", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < 2000; round++) {
    const spans: Span[] = [{ start: 0, end: 1000, parent: null }];
    for (let i = 1; i < 12; i++) {
      const parent = Math.floor(random() * i);
      const start = spans[parent]!.start + Math.floor(random() * 200);
      spans.push({ start, end: start + Math.floor(random() * 400), parent });
    }
    const { lane } = assignLanes(spans);
    assert.ok(nestsOnEveryRow(spans, lane), JSON.stringify({ spans, lane }));
  }
});
