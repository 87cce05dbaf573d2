/**
 * Moments in a recording, as users name them: `first`, `last`, a UTC time
 * (`2026-11-22T03:00:00`, as `plot -a` takes it, or with a zone: `…Z`, `…+01:00`),
 * a local time of day (`03:00`, `03:00:30`: the latest such time not after the last
 * sample), or an offset (`-10m` from the last sample, `+90s` from the first; units s,
 * m, h, d, combinable: `-1h30m`). Parsed once at the edge, resolved against a
 * recording's sample times.
 *
 * @module
 */
import { RunFailure } from "../exit_codes.ts";

/** A parsed moment. */
export type Moment =
  | { kind: "first" }
  | { kind: "last" }
  /** Unix seconds. */
  | { kind: "absolute"; seconds: number }
  /** Seconds from the last sample (negative) or the first (positive). */
  | { kind: "offset"; seconds: number; from: "first" | "last" }
  /** A local wall-clock time of day, seconds after midnight. */
  | { kind: "clock"; seconds: number };

/** Text that names no moment, or a moment the recording does not hold. */
export class MomentError extends RunFailure {}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const FORMS = "first, last, YYYY-MM-DDTHH:MM:SS (UTC; or with Z/±HH:MM), HH:MM[:SS] " +
  "(local time of day), or an offset like -10m, -1h30m (from the last sample), +90s " +
  "(from the first)";

/**
 * Parses a moment. Throws `MomentError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMoment } from "./moment.ts";
 * assert(parseMoment("-1h30m").kind === "offset");
 * assert.deepEqual(parseMoment("2026-11-22T03:00:00"), { kind: "absolute", seconds: 1795316400 });
 * ```
 */
export function parseMoment(text: string): Moment {
  const t = text.trim();
  if (t === "first" || t === "last") return { kind: t };
  const offset = /^([+-])((?:\d+(?:\.\d+)?[smhd])+)$/.exec(t);
  if (offset) {
    let seconds = 0;
    for (const [, amount, unit] of offset[2]!.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
      seconds += Number(amount) * UNITS[unit!]!;
    }
    return offset[1] === "-"
      ? { kind: "offset", seconds: -seconds, from: "last" }
      : { kind: "offset", seconds, from: "first" };
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h < 24 && m < 60 && s < 60) return { kind: "clock", seconds: h * 3600 + m * 60 + s };
  }
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?$/.exec(t);
  if (iso) {
    const ms = Date.parse(iso[1] + (iso[2] ?? "Z"));
    if (Number.isFinite(ms)) return { kind: "absolute", seconds: ms / 1000 };
  }
  throw new MomentError(`cannot read the moment ${JSON.stringify(text)}: expected ${FORMS}`);
}

/** The sample a moment resolves to, and how far the moment was from it. */
export interface ResolvedMoment {
  /** The sample time, unix seconds. */
  ts: number;
  index: number;
  /** The moment itself, unix seconds. */
  at: number;
}

/** Seconds from midnight, local time, of a unix time. */
function localClock(seconds: number): number {
  const date = new Date(seconds * 1000);
  return date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds() +
    date.getMilliseconds() / 1000;
}

/**
 * Resolves a moment to the sample at or before it among `times` (ascending unix
 * seconds). Throws `MomentError` when the recording is empty, or the moment lies
 * before its first sample or well after its last (more than two sample intervals).
 */
export function resolveMoment(moment: Moment, times: readonly number[]): ResolvedMoment {
  if (times.length === 0) throw new MomentError("the recording has no samples yet");
  const first = times[0]!, last = times[times.length - 1]!;
  let at: number;
  switch (moment.kind) {
    case "first":
      at = first;
      break;
    case "last":
      at = last;
      break;
    case "absolute":
      at = moment.seconds;
      break;
    case "offset":
      at = (moment.from === "last" ? last : first)! + moment.seconds;
      break;
    case "clock": {
      // the latest such time of day that is not after the last sample
      at = last! - ((localClock(last!) - moment.seconds + 86400) % 86400);
      break;
    }
  }
  const span = `${iso(first!)} to ${iso(last!)} UTC`;
  if (at < first!) throw new MomentError(`${iso(at)} UTC is before the recording (${span})`);
  const step = times.length > 1 ? (last! - first!) / (times.length - 1) : 1;
  if (at > last! + Math.max(1, 2 * step)) {
    throw new MomentError(`${iso(at)} UTC is after the recording (${span})`);
  }
  // the last sample at or before the moment
  let lo = 0, hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { ts: times[lo]!, index: lo, at };
}

/** A unix time as ISO 8601 UTC to the second (milliseconds when it has them). */
export function iso(seconds: number): string {
  const text = new Date(seconds * 1000).toISOString();
  return text.endsWith(".000Z") ? text.slice(0, 19) : text.slice(0, 23);
}
