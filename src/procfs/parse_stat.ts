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

// Positions, counted in the tokens after "comm) " (token 0 is state, proc(5) field 3),
// of the integer fields from ppid (field 4) to rss (field 24), then fields 42..44.
const FIRST_INT_TOKEN = 1;
const RSS_TOKEN = 21;
const DELAYACCT_TOKEN = 39;

function toInt(token: string, field: string): number {
  const value = Number(token);
  if (!Number.isInteger(value) || token === "") {
    throw new ProcfsSyntaxError(`Cannot parse stat field ${field}: "${token}"`);
  }
  return value;
}

/**
 * Parses the text of `/proc/<pid>/stat` into the 27 fields the reference keeps.
 * Times are clock ticks, `rss` is pages, `vsize` bytes. `comm` is found between the
 * first " (" and the last ") ", so it may hold spaces and parentheses.
 *
 * @example
 * ```ts
 * import { parseStat } from "./parse_stat.ts";
 * const stat = parseStat("42 (a) b) S 1 42 42 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 99 4096 7");
 * console.assert(stat.comm === "a) b" && stat.ppid === 1 && stat.rss === 7);
 * ```
 */
export function parseStat(text: string): Stat {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(") ");
  if (open <= 0 || close < open) throw new ProcfsSyntaxError("Cannot parse stat: no comm");
  const rest = text.slice(close + 2).trimEnd().split(" ");
  if (rest.length < RSS_TOKEN + 1) {
    throw new ProcfsSyntaxError(
      `Cannot parse stat: ${rest.length + 2} fields, expected at least 24`,
    );
  }
  const stat = {
    pid: toInt(text.slice(0, open), "pid"),
    comm: text.slice(open + 2, close),
    state: rest[0],
  } as Record<string, number | string | null>;
  for (let i = FIRST_INT_TOKEN; i <= RSS_TOKEN; i++) {
    const name = STAT_FIELDS[i + 2];
    stat[name] = toInt(rest[i], name);
  }
  for (let i = 0; i < 3; i++) {
    const token = rest[DELAYACCT_TOKEN + i];
    const name = STAT_FIELDS[24 + i];
    stat[name] = token === undefined ? null : toInt(token, name);
  }
  return stat as unknown as Stat;
}
