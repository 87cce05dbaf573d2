/**
 * procpath's exit statuses, in one place: the reference's (argparse's 2 for a wrong
 * command line, 1 for a failed run) and the classic tools' (pgrep's 1 for nothing
 * matched; a shell's 126, 127 and 128+N for a command procpath runs). Every error
 * class names its status from here; `exitCodeFor` maps any error to one.
 *
 * @module
 */

/** The statuses procpath exits with. */
export const EXIT = {
  /** Done; also a closed standard output (`procpath query | head -1`). */
  ok: 0,
  /**
   * The run failed: input only the user can fix (a query that selects no whole process,
   * a file that is not a recording), a refusal by the system, or a shorthand selection
   * that matched nothing (as pgrep and pidof).
   */
  failure: 1,
  /** The command line is wrong: an unknown option, a bad value, a missing argument. */
  usage: 2,
  /** `record -- COMMAND`: the command exists but cannot be executed. */
  cannotExecute: 126,
  /** `record -- COMMAND`: no such command. */
  notFound: 127,
} as const;

/** An exit status of `EXIT`. */
export type ExitCode = typeof EXIT[keyof typeof EXIT];

/** The status of a command killed by signal `signal` (a shell's 128 + N). */
export function signalled(signal: number): number {
  return 128 + signal;
}

/**
 * The exit status of an error: what it says of itself (`exitCode`), else a failed run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXIT, exitCodeFor } from "./exit_codes.ts";
 * assert.equal(exitCodeFor(Object.assign(new Error("x"), { exitCode: EXIT.usage })), 2);
 * assert.equal(exitCodeFor(new Error("x")), 1);
 * ```
 */
export function exitCodeFor(error: unknown): number {
  const code = (error as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === "number" ? code : EXIT.failure;
}

/**
 * An error that fails the run (exit 1): input only the user can fix, or a refusal by the
 * system. Subclasses name what failed; the error's `name` is its class's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeFor, RunFailure, UsageFailure } from "./exit_codes.ts";
 * class PlotError extends RunFailure {}
 * class ColumnError extends UsageFailure {}
 * assert.deepEqual([new PlotError("x").name, exitCodeFor(new PlotError("x"))], ["PlotError", 1]);
 * assert.equal(exitCodeFor(new ColumnError("y")), 2);
 * ```
 */
export class RunFailure extends Error {
  readonly exitCode: number = EXIT.failure;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An error in what the command line asks for (exit 2). */
export class UsageFailure extends RunFailure {
  override readonly exitCode: number = EXIT.usage;
}
