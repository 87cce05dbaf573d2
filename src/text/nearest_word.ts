/** The Damerau–Levenshtein distance of two short words (transpositions count one). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Returns the candidate a mistyped word most likely meant — within 40 % of its length
 * in edits (at least one), or a candidate it is the start of (three letters or more) —
 * or `undefined`. `nameOf` gives the part of a candidate compared (without `--`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearestWord } from "./nearest_word.ts";
 * assert.equal(nearestWord("chilren", ["children", "cmdline"]), "children");
 * assert.equal(nearestWord("xyz", ["children", "cmdline"]), undefined);
 * ```
 */
export function nearestWord(
  typed: string,
  candidates: readonly string[],
  nameOf: (candidate: string) => string = (c) => c,
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const name = nameOf(candidate);
    const distance = editDistance(typed, name);
    const prefix = typed.length >= 3 && name.startsWith(typed);
    if (
      (distance <= Math.max(1, Math.floor(name.length * 0.4)) || prefix) && distance < bestDistance
    ) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
