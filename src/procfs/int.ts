import type { Int } from "./types.ts";

/**
 * Returns a procfs integer (a number, or a bigint past 2^53 − 1) as a number for
 * arithmetic such as rates and MiB, `null` for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toNumber } from "./int.ts";
 * assert(toNumber(7) === 7 && toNumber(2n ** 60n) === 2 ** 60 && toNumber(null) === null);
 * ```
 */
export function toNumber(value: Int | unknown): number | null {
  if (typeof value === "number") return value;
  return typeof value === "bigint" ? Number(value) : null;
}
