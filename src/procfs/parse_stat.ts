import { ProcfsSyntaxError } from "./errors.ts";
import type { Stat } from "./types.ts";

/** Stat field names in output order (the reference's schema order). */
export const STAT_FIELDS = [
  "pid",
  "comm",
  "state",
  "ppid",
  "pgrp",
  "session",
  "tty_nr",
  "tpgid",
  "flags",
  "minflt",
  "cminflt",
  "majflt",
  "cmajflt",
  "utime",
  "stime",
  "cutime",
  "cstime",
  "priority",
  "nice",
  "num_threads",
  "itrealvalue",
  "starttime",
  "vsize",
  "rss",
  "delayacct_blkio_ticks",
  "guest_time",
  "cguest_time",
] as const satisfies readonly (keyof Stat)[];

// Scratch space for one line's integers: parsing thousands of lines per snapshot
// should not allocate more than the record it returns.
const ints = new Float64Array(24);
let intEnd = 0;
// exact values of the integers past 2^53 − 1 (`vsize` of a huge mapping), by slot
const bigs: (bigint | undefined)[] = new Array(24);
let anyBig = false;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

const SPACE = 32;
const NEWLINE = 10;

/** The text of `bytes[start, end)`: ASCII without a decoder call (most names are). */
function textOf(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) return decoder.decode(bytes.subarray(start, end));
  }
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/** Parses the integer that starts at `at` into `ints[slot]`; sets `intEnd` past it. */
function readInt(bytes: Uint8Array, at: number, slot: number): void {
  let i = at;
  const negative = bytes[i] === 45; // "-"
  if (negative) i++;
  let value = 0;
  const start = i;
  for (let code = bytes[i]!; code >= 48 && code <= 57; code = bytes[++i]!) {
    value = value * 10 + (code - 48);
  }
  if (i === start) {
    const shown = textOf(bytes, at, Math.min(bytes.length, at + 20));
    throw new ProcfsSyntaxError(`Cannot parse stat: "${shown}" is not an integer`);
  }
  ints[slot] = negative ? -value : value;
  if (value > Number.MAX_SAFE_INTEGER) {
    bigs[slot] = BigInt(textOf(bytes, at, i));
    anyBig = true;
  }
  intEnd = i;
}

/**
 * Parses the text of `/proc/<pid>/stat` into the 27 fields the reference keeps.
 * Times are clock ticks, `rss` is pages, `vsize` bytes. `comm` is found between the
 * first " (" and the last ") ", so it may hold spaces and parentheses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStat } from "./parse_stat.ts";
 * const stat = parseStat("42 (a) b) S 1 42 42 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 99 4096 7");
 * assert(stat.comm === "a) b" && stat.ppid === 1 && stat.rss === 7);
 * ```
 */
export function parseStat(text: string): Stat {
  return parseStatBytes(encoder.encode(text));
}

/**
 * {@link parseStat} of the file's bytes, as read: no decoding of the whole line (the
 * command name is decoded alone, as UTF-8 with replacement characters).
 */
export function parseStatBytes(bytes: Uint8Array): Stat {
  const length = bytes.length;
  let open = -1;
  for (let i = 0; i + 1 < length; i++) {
    if (bytes[i] === SPACE && bytes[i + 1] === 40) { // " ("
      open = i;
      break;
    }
  }
  let close = -1;
  for (let i = length - 2; i >= 0; i--) {
    if (bytes[i] === 41 && bytes[i + 1] === SPACE) { // ") "
      close = i;
      break;
    }
  }
  if (open <= 0 || close < open) throw new ProcfsSyntaxError("Cannot parse stat: no comm");
  if (anyBig) {
    bigs.fill(undefined);
    anyBig = false;
  }
  readInt(bytes, 0, 0);
  const pid = ints[0];
  if (intEnd !== open) throw new ProcfsSyntaxError("Cannot parse stat: bad pid");
  let stateEnd = close + 2;
  while (stateEnd < length && bytes[stateEnd] !== SPACE) stateEnd++;
  if (stateEnd >= length) {
    throw new ProcfsSyntaxError("Cannot parse stat: 3 fields, expected at least 24");
  }
  // fields 4 (ppid) .. 24 (rss) into slots 0..20; 25 .. 41 skipped; 42 .. 44 into 21..23
  let fields = 0;
  let at = stateEnd + 1;
  for (let field = 4; field <= 44; field++) {
    if (at >= length || bytes[at] === NEWLINE) break;
    if (field >= 25 && field <= 41) {
      while (at < length && bytes[at] !== SPACE) at++;
      at++;
    } else {
      readInt(bytes, at, field <= 24 ? field - 4 : field - 21);
      at = intEnd + 1;
    }
    fields = field;
  }
  if (fields < 24) {
    throw new ProcfsSyntaxError(`Cannot parse stat: ${fields} fields, expected at least 24`);
  }
  const late = (slot: number, field: number) => fields >= field ? ints[slot]! : null;
  const stat: Stat = {
    pid: pid!,
    comm: textOf(bytes, open + 2, close),
    state: textOf(bytes, close + 2, stateEnd),
    ppid: ints[0]!,
    pgrp: ints[1]!,
    session: ints[2]!,
    tty_nr: ints[3]!,
    tpgid: ints[4]!,
    flags: ints[5]!,
    minflt: ints[6]!,
    cminflt: ints[7]!,
    majflt: ints[8]!,
    cmajflt: ints[9]!,
    utime: ints[10]!,
    stime: ints[11]!,
    cutime: ints[12]!,
    cstime: ints[13]!,
    priority: ints[14]!,
    nice: ints[15]!,
    num_threads: ints[16]!,
    itrealvalue: ints[17]!,
    starttime: ints[18]!,
    vsize: ints[19]!,
    rss: ints[20]!,
    delayacct_blkio_ticks: late(21, 42),
    guest_time: late(22, 43),
    cguest_time: late(23, 44),
  };
  if (anyBig) {
    // slot n holds field STAT_FIELDS[n + 3] (pid, comm and state come first)
    const exact = stat as unknown as Record<string, unknown>;
    bigs.forEach((value, slot) => {
      if (value !== undefined && exact[STAT_FIELDS[slot + 3]!] !== null) {
        exact[STAT_FIELDS[slot + 3]!] = value;
      }
    });
  }
  return stat;
}
