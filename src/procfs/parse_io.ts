import { ProcfsSyntaxError } from "./errors.ts";
import type { Io } from "./types.ts";

/** Io field names in schema order; all are required. */
export const IO_FIELDS = [
  "rchar",
  "wchar",
  "syscr",
  "syscw",
  "read_bytes",
  "write_bytes",
  "cancelled_write_bytes",
] as const satisfies readonly (keyof Io)[];

/**
 * Parses `/proc/<pid>/io` (`key: value` lines) into byte and syscall counters.
 * Every one of the seven fields must be present.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIo } from "./parse_io.ts";
 * const io = parseIo("rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\ncancelled_write_bytes: 7\n");
 * assert(io.read_bytes === 5);
 * ```
 */
export function parseIo(text: string): Io {
  const io: Record<string, number | bigint | null> = {};
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const at = line.indexOf(": ");
    if (at < 0) throw new ProcfsSyntaxError(`Cannot parse io line "${line}"`);
    const key = line.slice(0, at);
    if ((IO_FIELDS as readonly string[]).includes(key)) {
      const text = line.slice(at + 2);
      const value = Number(text);
      if (!Number.isInteger(value)) throw new ProcfsSyntaxError(`Cannot parse io line "${line}"`);
      // counters run up to 2^64 − 1: past 2^53 − 1 only a bigint holds them exactly
      io[key] = Number.isSafeInteger(value) ? value : BigInt(text.trim());
    }
  }
  const missing = IO_FIELDS.filter((name) => !(name in io));
  if (missing.length > 0) throw new ProcfsSyntaxError(`Cannot parse io: missing ${missing}`);
  const ordered: Record<string, number | bigint | null> = {};
  for (const name of IO_FIELDS) ordered[name] = io[name]!;
  return ordered as unknown as Io;
}
