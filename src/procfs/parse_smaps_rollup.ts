import { ProcfsSyntaxError } from "./errors.ts";
import type { SmapsRollup } from "./types.ts";

/** smaps_rollup field names (lower-cased kernel keys) in schema order; values in kB. */
export const SMAPS_ROLLUP_FIELDS = [
  "rss",
  "pss",
  "shared_clean",
  "shared_dirty",
  "private_clean",
  "private_dirty",
  "referenced",
  "anonymous",
  "lazyfree",
  "anonhugepages",
  "shmempmdmapped",
  "shared_hugetlb",
  "private_hugetlb",
  "swap",
  "swappss",
  "locked",
] as const;

const KNOWN = new Set<string>(SMAPS_ROLLUP_FIELDS);

/** Returns a smaps_rollup record whose every field is `null`. */
export function emptySmapsRollup(): SmapsRollup {
  return Object.fromEntries(SMAPS_ROLLUP_FIELDS.map((name) => [name, null]));
}

/**
 * Parses `/proc/<pid>/smaps_rollup` into kB values. An empty file (kernel threads)
 * gives all `null`; the first line (the address range) is skipped; unknown keys are
 * ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSmapsRollup } from "./parse_smaps_rollup.ts";
 * const r = parseSmapsRollup("00400000-7fff [rollup]\nRss:   10 kB\nPss:    4 kB\nPss_Anon: 1 kB\n");
 * assert(r.rss === 10 && r.pss === 4 && r.swap === null);
 * ```
 */
export function parseSmapsRollup(text: string): SmapsRollup {
  const rollup = emptySmapsRollup();
  const lines = text.toLowerCase().split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const at = line!.indexOf(":");
    if (at < 0) continue;
    const key = line!.slice(0, at);
    if (!KNOWN.has(key)) continue;
    const value = line!.slice(at + 1).trim();
    const number = Number(value.slice(0, value.lastIndexOf(" ")));
    if (!Number.isInteger(number) || value.lastIndexOf(" ") < 0) {
      throw new ProcfsSyntaxError(`Cannot parse smaps_rollup line "${line}"`);
    }
    rollup[key] = number;
  }
  return rollup;
}
