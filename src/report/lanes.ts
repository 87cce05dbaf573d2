/**
 * Rows for lifetimes drawn as nested bars: a process goes on its parent's row, inside
 * the parent's bar, when it fits there (it lives within the parent's lifetime and no
 * sibling is drawn there at the same time); otherwise on the first row free at its
 * start, or a new one. On every row bars nest or follow one another and never partly
 * overlap — the rule of the Trace Event Format's slices that Perfetto enforces.
 *
 * @module
 */

/** A lifetime to place: `start ≤ end` in any unit; `parent` indexes the same list. */
export interface Span {
  start: number;
  end: number;
  parent: number | null;
}

/** Where each span goes. */
export interface LaneLayout {
  /** The row of each span, by index. */
  lane: number[];
  /** The span that opened each row (its first bar at depth 0). */
  heads: number[];
  /** Each span's nesting depth on its row (0 for a bar nested in none). */
  depth: number[];
}

/**
 * Returns rows for `spans` such that on each row any two bars either nest or do not
 * overlap (touching ends allowed).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignLanes } from "./lanes.ts";
 * // a parent, two children at once (the second cannot nest beside the first), a grandchild
 * const layout = assignLanes([
 *   { start: 0, end: 10, parent: null },
 *   { start: 1, end: 5, parent: 0 },
 *   { start: 2, end: 6, parent: 0 },
 *   { start: 2, end: 3, parent: 1 },
 * ]);
 * assert.deepEqual(layout.lane, [0, 0, 1, 0]);
 * assert.deepEqual(layout.depth, [0, 1, 0, 2]);
 * ```
 */
export function assignLanes(spans: readonly Span[]): LaneLayout {
  const order = spans.map((_, i) => i).sort((a, b) =>
    spans[a]!.start - spans[b]!.start || spans[b]!.end - spans[a]!.end || a - b
  );
  const lane = new Array<number>(spans.length).fill(-1);
  const depth = new Array<number>(spans.length).fill(0);
  const heads: number[] = [];
  /** Each row's open bars, outermost first. */
  const stacks: number[][] = [];
  /** Closes the bars of a row that ended by `at`. */
  const settle = (stack: number[], at: number) => {
    while (stack.length > 0 && spans[stack[stack.length - 1]!]!.end <= at) stack.pop();
  };
  for (const i of order) {
    const span = spans[i]!;
    let row = -1;
    const parent = span.parent;
    if (parent !== null && lane[parent]! >= 0) {
      const stack = stacks[lane[parent]!]!;
      settle(stack, span.start);
      const top = stack[stack.length - 1];
      if (top === parent && span.end <= spans[parent]!.end) row = lane[parent]!;
    }
    if (row < 0) {
      for (let r = 0; r < stacks.length; r++) {
        settle(stacks[r]!, span.start);
        if (stacks[r]!.length === 0) {
          row = r;
          break;
        }
      }
    }
    if (row < 0) {
      row = stacks.length;
      stacks.push([]);
    }
    const stack = stacks[row]!;
    if (stack.length === 0 && heads[row] === undefined) heads[row] = i;
    depth[i] = stack.length;
    stack.push(i);
    lane[i] = row;
  }
  return { lane, heads, depth };
}
