/**
 * A count with its noun in agreement: `1 process`, `2 processes`, `0 threads`. The
 * plural is the noun with `s`, or `es` after s, x, z, ch and sh, unless given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { countOf } from "./plural.ts";
 * assert.deepEqual(
 *   [countOf(1, "process"), countOf(0, "process"), countOf(2, "thread"), countOf(1.5, "sample")],
 *   ["1 process", "0 processes", "2 threads", "1.5 samples"],
 * );
 * ```
 */
export function countOf(n: number, noun: string, plural?: string): string {
  if (n === 1) return `1 ${noun}`;
  return `${n} ${plural ?? (/(?:[sxz]|[cs]h)$/.test(noun) ? `${noun}es` : `${noun}s`)}`;
}
