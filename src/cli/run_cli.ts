import { CommanderError } from "commander";
import { EnvironmentError } from "../shell/evaluate_environment.ts";
import { LIVE_PROCFS } from "../procfs/proc_root.ts";
import { COMMANDS } from "./commands.ts";
import { OutputClosed } from "./deps.ts";
import type { CliDeps } from "./deps.ts";
import { buildProgram } from "./program.ts";
import type { AnyCommand, ArgumentValues } from "./spec.ts";

/**
 * Maps an error to procpath's exit code, as the reference's: what an error says of
 * itself (`exitCode`: 2 for what the argument parser rejects, 0 for a closed stdout),
 * 0 for help and version, else 1.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  const code = (error as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === "number" ? code : 1;
}

/** Returns the one-line message for an error, with a hint where one helps. */
export function describeError(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    const denied = error.message.replace(/, run again with.*$/, "");
    if (denied.includes(`access to "${LIVE_PROCFS}`)) {
      return `${denied}: Deno denies /proc without --allow-all; run procpath with -A ` +
        "(or use --procfs DIR with --allow-read=DIR)";
    }
    return `${denied}: run procpath with the permissions its README lists for this command`;
  }
  if (error instanceof EnvironmentError) return error.message;
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
  try {
    let chosen: { command: AnyCommand; args: ArgumentValues; options: object } | undefined;
    const program = buildProgram(deps, COMMANDS, (command, args, options) => {
      chosen = { command, args, options };
    });
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      deps.log.error("the following arguments are required: command");
      return 2;
    }
    await program.parseAsync([...argv], { from: "user" });
    if (!chosen) return 0;
    return await chosen.command.run(chosen.args, chosen.options as never, {
      deps,
      commands: COMMANDS,
    });
  } catch (error) {
    const exitCode = exitCodeFor(error);
    if (!(error instanceof CommanderError || error instanceof OutputClosed)) {
      deps.log.error(describeError(error));
    }
    return exitCode;
  }
}
