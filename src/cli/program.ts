import { Command } from "commander";
import { REFERENCE_VERSION, VERSION } from "../version.ts";
import { addCommand, helpSettings, toOption } from "./adapter.ts";
import type { OnParsed } from "./adapter.ts";
import type { CliDeps } from "./deps.ts";
import { terminalSize } from "./terminal.ts";
import { parseLogLevel } from "./options.ts";
import type { AnyCommand } from "./spec.ts";
import { GLOBAL_OPTIONS } from "./completion.ts";

const BANNER = String.raw`
 ___ _ __ ___   ___ _ __   __ _| |_| |__
| '_ \ '__/ _ \ / __| '_ \ / _' | __| '_ \
| |_) | | | (_) | (__| |_) | (_| | |_| | | |
| .__/|_|  \___/ \___| .__/ \__,_|\__|_| |_|
|_|                  |_|
a process tree analysis workbench
`;

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

/**
 * Builds the program from the command tables: global options, the banner, one parser
 * per command. `onParsed` receives the command the user chose, with its arguments
 * and options; the program runs nothing itself.
 */
export function buildProgram(
  deps: CliDeps,
  commands: readonly AnyCommand[],
  onParsed: OnParsed,
): Command {
  // the parser's errors read like every other error: one line in the log format, with
  // its "Did you mean" hint on that line
  const output = {
    writeOut: deps.writeOut,
    writeErr: deps.writeErr,
    outputError: (text: string) => deps.log.error(text.replace(/^error: /, "").trim()),
  };
  const help = helpSettings(helpWidth());
  const [version, loggingLevel] = GLOBAL_OPTIONS;
  const program = new Command("procpath")
    .description(BANNER.replace(/^\n/, ""))
    .version(`procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`, version.flags)
    .addOption(toOption({ ...loggingLevel, parse: parseLogLevel, default: "INFO" }))
    .configureOutput(output)
    .configureHelp(help)
    .showHelpAfterError(false)
    .exitOverride()
    .hook("preAction", (root) => {
      deps.log.level = root.opts().loggingLevel;
    });
  for (const command of commands) addCommand(program, command, onParsed, { help, output });
  return program;
}
