import { CommanderError } from "commander";
import { EnvironmentError } from "../shell/mod.ts";
import { OutputClosed } from "./deps.ts";
import type { CliDeps } from "./deps.ts";
import { UsageError } from "./errors.ts";
import { buildProgram } from "./program.ts";

/**
 * Maps an error to procpath's exit code, as the reference's: 2 for what the argument
 * parser rejects (commander's errors and `UsageError`), 0 for help and version, and 1
 * for everything a command raises.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof UsageError || error instanceof OutputClosed) return error.exitCode;
  return 1;
}

/** Returns the one-line message for an error, with a hint where one helps. */
export function describeError(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    const denied = error.message.replace(/, run again with.*$/, "");
    if (/access to "\/proc/.test(denied)) {
      return `${denied}: Deno denies /proc without --allow-all; run procpath with -A ` +
        "(or use --procfs DIR with --allow-read=DIR)";
    }
    return `${denied}: run procpath with the permissions its README lists for this command`;
  }
  if (error instanceof EnvironmentError || error instanceof UsageError) return error.message;
  if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
    return `Cannot read: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs procpath with `argv` and returns the exit code. Never exits and never throws:
 * every failure becomes one line on stderr.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let code = 0;
  try {
    const program = buildProgram(deps, { done: (result) => code = result });
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      deps.log.error("the following arguments are required: command");
      return 2;
    }
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    const exitCode = exitCodeFor(error);
    if (!(error instanceof CommanderError || error instanceof OutputClosed)) {
      deps.log.error(describeError(error));
    }
    return exitCode;
  }
}
