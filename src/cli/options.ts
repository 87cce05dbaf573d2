import { OptionValueError } from "./spec.ts";
import { PROC_FILE_NAMES, procRoot } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import { parsePidList as parsePids } from "../text/pid_list.ts";
import { parseEnvironmentSpec } from "../shell/evaluate_environment.ts";
import type { EnvironmentSpec } from "../shell/evaluate_environment.ts";
import { LOG_LEVELS } from "./log.ts";
import { MomentError, parseMoment } from "../time/moment.ts";
import type { Moment } from "../time/moment.ts";
import type { LogLevel } from "./log.ts";

/** Default of `-f/--procfile-list`. */
export const DEFAULT_PROCFILES = "stat,cmdline";

/** Parses `-f`: comma-separated procfile names, trimmed; unknown names are rejected. */
export function parseProcfileList(text: string): ProcFileName[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(PROC_FILE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new OptionValueError(
      `unknown procfile ${unknown.map((n) => `"${n}"`).join(", ")}; valid: ${
        PROC_FILE_NAMES.join(", ")
      }`,
    );
  }
  if (names.length === 0) throw new OptionValueError("at least one procfile is needed");
  return [...new Set(names)] as ProcFileName[];
}

/** Parses `--procfs-target`: `process` or `thread`. */
export function parseTarget(text: string): ProcfsTarget {
  if (text !== "process" && text !== "thread") {
    throw new OptionValueError('expected "process" or "thread"');
  }
  return text;
}

/** Parses a non-negative integer option such as `-i/--indent`. */
export function parseNonNegativeInt(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new OptionValueError("expected a whole number");
  return Number(text);
}

/**
 * An option's parser from a parser of the value alone: what it throws becomes the
 * option's refusal (`OptionValueError`, reported with the option's flags, exit 2).
 */
export function optionParser<T, A extends unknown[]>(
  parse: (text: string, ...rest: A) => T,
): (text: string, ...rest: A) => T {
  return (text, ...rest) => {
    try {
      return parse(text, ...rest);
    } catch (error) {
      throw error instanceof OptionValueError
        ? error
        : new OptionValueError((error as Error).message);
    }
  };
}

/** Collects a repeatable `-e NAME=command` into a list, checking its form. */
export const collectEnvironment = optionParser(
  (text: string, previous: EnvironmentSpec[]): EnvironmentSpec[] => [
    ...previous,
    parseEnvironmentSpec(text),
  ],
);

/** Parses `--logging-level`: a Python logging level name, any case. */
export function parseLogLevel(text: string): LogLevel {
  const level = text.toUpperCase() === "WARN" ? "WARNING" : text.toUpperCase();
  if (!(level in LOG_LEVELS)) {
    throw new OptionValueError(`expected one of ${Object.keys(LOG_LEVELS).join(", ")}`);
  }
  return level as LogLevel;
}

/** Parses `--procfs` into the root it names, normalised once (trailing slashes, symlinks). */
export function parseProcRoot(text: string): ProcRoot {
  return procRoot(text);
}

/** Parses a duration in seconds (`-i 0.5`), zero allowed; returns seconds. */
export function parseSeconds(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    throw new OptionValueError("expected a number of seconds, 0 or more");
  }
  return value;
}

/**
 * Parses a database path (`record -d`): not empty, and not something SQLite cannot
 * open as a file (a directory, a FIFO, a device).
 */
export function parseDatabasePath(text: string): string {
  if (text.trim() === "") throw new OptionValueError("expected a file path, not an empty one");
  let info: Deno.FileInfo | null = null;
  try {
    info = Deno.statSync(text);
  } catch { /* a new file */ }
  if (info && !info.isFile) throw new OptionValueError(`"${text}" is not a regular file`);
  return text;
}

/** Parses a count such as `-r/--recnum`: a whole number, 1 or more. */
export function parsePositiveInt(text: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) {
    throw new OptionValueError("expected a whole number, 1 or more");
  }
  return Number(text);
}

/** Parses a comma-separated PID list (`-p 1,2, 3`): spaces tolerated, empty items skipped. */
export const parsePidList = optionParser(parsePids);

/** Collects a repeatable string option into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses `-a/-b`: `YYYY-MM-DDTHH:MM:SS` in UTC; returns unix seconds. */
export function parseUtcTime(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const ms = match
    ? Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!)
    : NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text) {
    throw new OptionValueError("expected a UTC time as YYYY-MM-DDTHH:MM:SS");
  }
  return ms / 1000;
}

/** Parses a finite number option such as `-e/--epsilon`. */
export function parseNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new OptionValueError("expected a number");
  }
  return value;
}

/** Parses a whole number, any sign (range checks come later, with the contract's messages). */
export function parseInteger(text: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new OptionValueError("expected a whole number");
  return Number(text);
}

/** Collects a repeatable `NAME=value` option (watch's `-q`), checking the name. */
export function collectNamedQuery(
  text: string,
  previous: { name: string; query: string }[],
): { name: string; query: string }[] {
  const at = text.indexOf("=");
  const name = at < 0 ? "" : text.slice(0, at);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new OptionValueError(`"${text}" is not NAME=JSONPath`);
  }
  return [...previous, { name, query: text.slice(at + 1) }];
}

/** Returns a parser accepting exactly one of `names` (`--style`, `--formatter`). */
export function parseChoice(names: readonly string[]): (text: string) => string {
  return (text) => {
    if (!names.includes(text)) {
      throw new OptionValueError(`expected one of ${names.join(", ")}`);
    }
    return text;
  };
}

/** Parses `--at` into a moment of a recording, reporting a bad one as the option's error. */
export function parseMomentOption(text: string): Moment {
  try {
    return parseMoment(text);
  } catch (error) {
    if (error instanceof MomentError) throw new OptionValueError(error.message);
    throw error;
  }
}
