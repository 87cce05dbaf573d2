/**
 * Parses a comma-separated PID list (`1,2, 3`): spaces tolerated, empty items skipped.
 * Throws an `Error` naming the item that is no PID.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePidList } from "./pid_list.ts";
 * assert(parsePidList(" 1,2,, 3").join() === "1,2,3");
 * ```
 */
export function parsePidList(text: string): number[] {
  const items = text.split(",").map((item) => item.trim()).filter((item) => item !== "");
  const bad = items.find((item) => !/^\d+$/.test(item));
  if (bad !== undefined) throw new Error(`"${bad}" in "${text}" is not a PID`);
  return items.map(Number);
}
