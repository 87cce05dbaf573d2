import { InvalidArgumentError } from "commander";
import { PROC_FILE_NAMES } from "../procfs/mod.ts";
import type { ProcFileName, ProcfsTarget } from "../procfs/mod.ts";
import { parseEnvironmentSpec } from "../shell/mod.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import { LOG_LEVELS } from "./log.ts";
import type { LogLevel } from "./log.ts";

/** Default of `-f/--procfile-list`. */
export const DEFAULT_PROCFILES = "stat,cmdline";

/** Parses `-f`: comma-separated procfile names, trimmed; unknown names are rejected. */
export function parseProcfileList(text: string): ProcFileName[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !(PROC_FILE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown procfile ${unknown.map((n) => `"${n}"`).join(", ")}; valid: ${
        PROC_FILE_NAMES.join(", ")
      }`,
    );
  }
  if (names.length === 0) throw new InvalidArgumentError("at least one procfile is needed");
  return [...new Set(names)] as ProcFileName[];
}

/** Parses `--procfs-target`: `process` or `thread`. */
export function parseTarget(text: string): ProcfsTarget {
  if (text !== "process" && text !== "thread") {
    throw new InvalidArgumentError('expected "process" or "thread"');
  }
  return text;
}

/** Parses a non-negative integer option such as `-i/--indent`. */
export function parseNonNegativeInt(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError("expected a whole number");
  return Number(text);
}

/** Collects a repeatable `-e NAME=command` into a list, checking its form. */
export function collectEnvironment(text: string, previous: EnvironmentSpec[]): EnvironmentSpec[] {
  try {
    return [...previous, parseEnvironmentSpec(text)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** Parses `--logging-level`: a Python logging level name, any case. */
export function parseLogLevel(text: string): LogLevel {
  const level = text.toUpperCase() === "WARN" ? "WARNING" : text.toUpperCase();
  if (!(level in LOG_LEVELS)) {
    throw new InvalidArgumentError(`expected one of ${Object.keys(LOG_LEVELS).join(", ")}`);
  }
  return level as LogLevel;
}

/** Strips trailing slashes from `--procfs` (keeping `/` itself). */
export function parseProcfsPath(text: string): string {
  return text.length > 1 ? text.replace(/\/+$/, "") || "/" : text;
}
