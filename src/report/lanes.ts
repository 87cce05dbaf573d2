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
  // rows in use by when their outermost bar ends, and rows free by index: the first free
  // row is found without looking at every row (a whole machine has thousands)
  const busy = new Heap<[number, number]>((a, b) => a[0] - b[0] || a[1] - b[1]);
  const free = new Heap<number>((a, b) => a - b);
  /** Closes the bars of a row that ended by `at`. */
  const settle = (stack: number[], at: number) => {
    while (stack.length > 0 && spans[stack[stack.length - 1]!]!.end <= at) stack.pop();
  };
  for (const i of order) {
    const span = spans[i]!;
    while (busy.size > 0 && busy.peek()![0] <= span.start) {
      const [, row] = busy.pop()!;
      stacks[row] = [];
      free.push(row);
    }
    let row = -1;
    const parent = span.parent;
    if (parent !== null && lane[parent]! >= 0) {
      const stack = stacks[lane[parent]!]!;
      settle(stack, span.start);
      const top = stack[stack.length - 1];
      if (top === parent && span.end <= spans[parent]!.end) row = lane[parent]!;
    }
    if (row < 0) {
      row = free.size > 0 ? free.pop()! : stacks.length;
      if (row === stacks.length) stacks.push([]);
      heads[row] ??= i;
      busy.push([span.end, row]);
    }
    const stack = stacks[row]!;
    depth[i] = stack.length;
    stack.push(i);
    lane[i] = row;
  }
  return { lane, heads, depth };
}

/** A binary heap, least first by `before`. */
class Heap<T> {
  readonly #items: T[] = [];
  constructor(readonly before: (a: T, b: T) => number) {}

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    for (let at = items.length - 1; at > 0;) {
      const up = (at - 1) >> 1;
      if (this.before(items[at]!, items[up]!) >= 0) break;
      [items[at], items[up]] = [items[up]!, items[at]!];
      at = up;
    }
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let at = 0;;) {
      const left = 2 * at + 1, right = left + 1;
      let least = at;
      if (left < items.length && this.before(items[left]!, items[least]!) < 0) least = left;
      if (right < items.length && this.before(items[right]!, items[least]!) < 0) least = right;
      if (least === at) break;
      [items[at], items[least]] = [items[least]!, items[at]!];
      at = least;
    }
    return top;
  }
}
