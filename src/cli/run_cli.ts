import { EnvironmentError } from "../shell/evaluate_environment.ts";
import { EXIT, exitCodeFor } from "../exit_codes.ts";
import { LIVE_PROCFS } from "../procfs/proc_root.ts";
import { loadCommands } from "./commands.ts";
import { OutputClosed } from "./deps.ts";
import type { CliDeps } from "./deps.ts";
import { commandWordOf, parseProgramArgv } from "./parse_argv.ts";
import { BANNER, helpWidth, programSpec, VERSION_LINE } from "./program.ts";
import type { GlobalOptions } from "./program.ts";

export { exitCodeFor };

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
    const word = commandWordOf(programSpec([]), argv);
    const { commands, hidden } = await loadCommands(word);
    const program = programSpec(commands, hidden);
    if (argv.length === 0) {
      // help text loads only when it is shown
      const { programHelp } = await import("./help_text.ts");
      deps.writeErr(programHelp(program, BANNER, helpWidth()));
      deps.log.error("the following arguments are required: command");
      return EXIT.usage;
    }
    const parsed = parseProgramArgv(program, argv);
    switch (parsed.kind) {
      case "help": {
        const { commandHelp, programHelp } = await import("./help_text.ts");
        deps.writeOut(
          parsed.command
            ? commandHelp(parsed.command, helpWidth())
            : programHelp(program, BANNER, helpWidth()),
        );
        return EXIT.ok;
      }
      case "version":
        deps.writeOut(`${VERSION_LINE}\n`);
        return EXIT.ok;
    }
    deps.log.level = (parsed.globals as GlobalOptions).loggingLevel;
    return await parsed.command.run(parsed.args, parsed.options as never, {
      deps,
      commands,
    });
  } catch (error) {
    if (!(error instanceof OutputClosed)) deps.log.error(describeError(error));
    return exitCodeFor(error);
  }
}
