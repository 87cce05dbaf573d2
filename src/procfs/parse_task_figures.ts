/**
 * Parsers of the few fields `inspect` reads from a task's `status` and a descriptor's
 * `fdinfo`, twice per thread and descriptor of a window. Pure: text in, figures out.
 *
 * @module
 */

/** The fields of `status` inspect uses, as numbers (`Uid` its first: the real uid). */
export interface StatusFigures {
  uid: number | null;
  voluntary: number;
  involuntary: number;
  /** VmSwap, kB; `null` where absent (kernel threads). */
  swapKb: number | null;
}

/**
 * Parses the four `status` fields inspect needs. Not `parseStatus`: that builds all
 * 55 fields (26 µs a call warm, 250 µs in the few cold calls of one inspect, measured)
 * and inspect reads `status` for every thread twice; this takes 3.5 µs warm.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStatusFigures } from "./parse_task_figures.ts";
 * assert.deepEqual(
 *   parseStatusFigures("Uid:\t1000\t1000\t1000\t1000\nVmSwap:\t  12 kB\nvoluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t2\n"),
 *   { uid: 1000, voluntary: 5, involuntary: 2, swapKb: 12 },
 * );
 * ```
 */
export function parseStatusFigures(text: string): StatusFigures {
  const figures: StatusFigures = { uid: null, voluntary: 0, involuntary: 0, swapKb: null };
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    const key = line.slice(0, colon);
    const value = () => Number(/\d+/.exec(line.slice(colon + 1))?.[0] ?? NaN);
    if (key === "Uid") figures.uid = value();
    else if (key === "VmSwap") figures.swapKb = value();
    else if (key === "voluntary_ctxt_switches") figures.voluntary = value();
    else if (key === "nonvoluntary_ctxt_switches") figures.involuntary = value();
  }
  return figures;
}

/** A descriptor's file position and access mode, from its `fdinfo`. */
export interface FdinfoFigures {
  /** `pos:`, bytes. */
  position: number | null;
  /** The access mode of `flags:` (`O_RDONLY` 0, `O_WRONLY` 1, `O_RDWR` 2). */
  access: number | null;
}

/**
 * Parses the `pos:` and `flags:` lines of an `fdinfo` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFdinfo } from "./parse_task_figures.ts";
 * assert.deepEqual(parseFdinfo("pos:\t4096\nflags:\t02000001\nmnt_id:\t16\n"), { position: 4096, access: 1 });
 * ```
 */
export function parseFdinfo(text: string): FdinfoFigures {
  const pos = /^pos:\s*(\d+)/m.exec(text);
  const flags = /^flags:\s*([0-7]+)/m.exec(text);
  return {
    position: pos ? Number(pos[1]) : null,
    access: flags ? parseInt(flags[1]!, 8) & 3 : null,
  };
}
