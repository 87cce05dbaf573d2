/**
 * How the command of `record -- COMMAND` ended, in words: the status a shell would give,
 * with the signal named where one ended it.
 *
 * @module
 */
import { SIGNAL_NUMBERS } from "../shell/signal_names.ts";

const NAMES = new Map(Object.entries(SIGNAL_NUMBERS).map(([name, number]) => [number, name]));

/**
 * Returns "exited with status 139 (killed by SIGSEGV)" when `signal` ended the command;
 * for a status of 128 + N it returned itself (a shell reporting a program it ran), a
 * hint that signal N likely ended that program; else "exited with status N".
 * `afterStop` says a stop signal was passed on to it first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeExit } from "./exit_text.ts";
 * assert.equal(describeExit(139, "SIGSEGV"), "exited with status 139 (killed by SIGSEGV)");
 * assert.equal(
 *   describeExit(139, null),
 *   "exited with status 139 (128 + 11: a program it ran was likely killed by SIGSEGV)",
 * );
 * assert.equal(describeExit(3, null, true), "exited with status 3 after a stop signal");
 * ```
 */
export function describeExit(status: number, signal: string | null, afterStop = false): string {
  const text = `exited with status ${status}${afterStop ? " after a stop signal" : ""}`;
  if (signal !== null) return `${text} (killed by ${signal})`;
  const hinted = status > 128 ? NAMES.get(status - 128) : undefined;
  return hinted === undefined
    ? text
    : `${text} (128 + ${status - 128}: a program it ran was likely killed by ${hinted})`;
}
