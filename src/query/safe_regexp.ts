import { quoteInput } from "../text/visible.ts";
import { QuerySyntaxError } from "./errors.ts";

/**
 * Whether a regular expression's source holds a backreference (`\1`, `\k<name>`).
 * V8 falls back to its linear-time engine when a pattern backtracks too much
 * (procpath runs with that flag), but not for patterns with backreferences, which
 * can take exponential time on a command line an attacker chooses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hasBackreference } from "./safe_regexp.ts";
 * assert(hasBackreference("^(a+)\\1$") && hasBackreference("(?<x>a)\\k<x>"));
 * assert(!hasBackreference("\\\\1 (a+)+$"));
 * ```
 */
export function hasBackreference(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== "\\") continue;
    const next = source[i + 1] ?? "";
    if (/[1-9]/.test(next) || source.startsWith("k<", i + 1)) return true;
    i++; // an escaped character, a backslash included
  }
  return false;
}

/** Builds a filter's regular expression from pattern text; refuses backreferences. */
export function safeRegExp(pattern: string, flags = ""): RegExp {
  if (hasBackreference(pattern)) throw backreferenceError(pattern);
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    throw new QuerySyntaxError(
      `Cannot use pattern ${quoteInput(pattern)}: ${(error as Error).message}`,
      {
        expression: pattern,
        position: 0,
      },
    );
  }
}

/** The error for a pattern with a backreference. */
export function backreferenceError(pattern: string): QuerySyntaxError {
  return new QuerySyntaxError(
    `Cannot use pattern ${quoteInput(pattern)}: backreferences are not supported ` +
      "(they can take exponential time)",
    { expression: pattern, position: 0 },
  );
}
