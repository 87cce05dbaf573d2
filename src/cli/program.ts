import { Command, Help } from "commander";
import type { Option } from "commander";
import { PROCPATH_VERSION } from "../store/mod.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { parseLogLevel } from "./options.ts";
import { registerQuery } from "./query_command.ts";
import { registerRecord } from "./record_command.ts";
import { registerPlot } from "./plot_command.ts";
import { registerWatch } from "./watch_command.ts";
import { registerPlay } from "./play_command.ts";

const BANNER = String.raw`
 ___ _ __ ___   ___ _ __   __ _| |_| |__
| '_ \ '__/ _ \ / __| '_ \ / _' | __| '_ \
| |_) | | | (_) | (__| |_) | (_| | |_| | | |
| .__/|_|  \___/ \___| .__/ \__,_|\__|_| |_|
|_|                  |_|
a process tree analysis workbench
`;

/** Help text settings: 100 columns, and defaults shown as a user types them. */
const HELP = {
  helpWidth: 100,
  optionDescription(this: Help, option: Option): string {
    const text = Help.prototype.optionDescription.call(this, option);
    const value = option.defaultValue;
    if (!Array.isArray(value)) return text;
    // repeatable options start empty; the procfile list reads as it is typed
    return value.length === 0
      ? text.replace(/ \(default: \[\]\)$/, "")
      : text.replace(/\(default: \[.*\]\)$/, `(default: ${value.join(",")})`);
  },
};

/**
 * Builds the commander program. Only wiring lives here: each subcommand's
 * `register*` attaches its options and calls `done` with the command's exit code.
 */
export function buildProgram(deps: CliDeps, hooks: ActionHooks): Command {
  // the parser's errors read like every other error: one line in the log format, with
  // its "Did you mean" hint on that line
  const output = {
    writeOut: deps.writeOut,
    writeErr: deps.writeErr,
    outputError: (text: string) => deps.log.error(text.replace(/^error: /, "").trim()),
  };
  const program = new Command("procpath")
    .description(BANNER.replace(/^\n/, ""))
    .version(PROCPATH_VERSION, "--version")
    .option(
      "--logging-level <logging-level>",
      "DEBUG, INFO, WARNING or ERROR",
      parseLogLevel,
      "INFO",
    )
    .configureOutput(output)
    .configureHelp(HELP)
    .showHelpAfterError(false)
    .exitOverride()
    .hook("preAction", (root) => {
      deps.log.level = root.opts().loggingLevel;
    });
  registerQuery(program, deps, hooks);
  registerRecord(program, deps, hooks);
  registerPlot(program, deps, hooks);
  registerWatch(program, deps, hooks);
  registerPlay(program, deps, hooks);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(output).configureHelp(HELP);
  }
  return program;
}
