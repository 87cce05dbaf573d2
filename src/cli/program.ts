import { REFERENCE_VERSION, VERSION } from "../version.ts";
import type { ProgramSpec } from "./parse_argv.ts";
import { parseLogLevel } from "./options.ts";
import type { AnyCommand, OptionSpec } from "./spec.ts";
import { terminalSize } from "./terminal.ts";
import type { LogLevel } from "./log.ts";

/** The options every invocation takes, besides each command's own. */
export const GLOBAL_OPTIONS: readonly OptionSpec<unknown>[] = [
  { flags: "--version", help: "print procpath's version and the Procpath version it follows" },
  { flags: "--logging-level <logging-level>", help: "DEBUG, INFO, WARNING or ERROR" },
];

/** The program's description in `procpath --help`. */
export const BANNER = String.raw`
 ___ _ __ ___   ___ _ __   __ _| |_| |__
| '_ \ '__/ _ \ / __| '_ \ / _' | __| '_ \
| |_) | | | (_) | (__| |_) | (_| | |_| | | |
| .__/|_|  \___/ \___| .__/ \__,_|\__|_| |_|
|_|                  |_|
a process tree analysis workbench`.replace(/^\n/, "");

/** What `--version` prints. */
export const VERSION_LINE = `procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`;

/**
 * The help's width: the terminal's columns (or `COLUMNS`), at most 100 as the
 * reference's argparse, 80 when neither is known.
 */
export function helpWidth(): number {
  const attempt = (read: () => number) => {
    try {
      return read();
    } catch {
      return 0; // no permission to read COLUMNS, or no terminal
    }
  };
  const columns = attempt(() => Number(Deno.env.get("COLUMNS") ?? 0)) ||
    attempt(() => Deno.stdout.isTerminal() ? terminalSize()?.columns ?? 0 : 0) || 80;
  return Math.max(40, Math.min(100, columns));
}

/** The program's own options, given before a command's name: `--logging-level`. */
export interface GlobalOptions {
  loggingLevel: LogLevel;
}

/** The program as the parser reads it: its options (from the completion table) and commands. */
export function programSpec(
  commands: readonly AnyCommand[],
  hidden: readonly AnyCommand[] = [],
): ProgramSpec {
  const [version, loggingLevel] = GLOBAL_OPTIONS;
  const options: Record<keyof GlobalOptions | "version", OptionSpec<unknown>> = {
    version: version!,
    loggingLevel: { ...loggingLevel, parse: parseLogLevel, default: "INFO" } as OptionSpec<unknown>,
  };
  return { options, commands, hidden };
}
