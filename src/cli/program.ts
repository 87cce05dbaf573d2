import { Command, Help } from "commander";
import type { Option } from "commander";
import { REFERENCE_VERSION, VERSION } from "../version.ts";
import type { CliDeps } from "./deps.ts";
import type { ActionHooks } from "./hooks.ts";
import { parseChoice, parseLogLevel } from "./options.ts";
import { completionScript, manPage, SHELLS } from "./completion.ts";
import type { Shell } from "./completion.ts";
import { registerQuery } from "./query_command.ts";
import { registerRecord } from "./record_command.ts";
import { registerPlot } from "./plot_command.ts";
import { registerWatch } from "./watch_command.ts";
import { registerPlay } from "./play_command.ts";
import { registerCapture } from "./capture_command.ts";

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
    attempt(() => Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 0) || 80;
  return Math.max(40, Math.min(100, columns));
}

/** The narrowest description column worth keeping beside the terms, characters. */
const MIN_DESCRIPTION = 30;

/** Help text settings: the width above, required options marked, defaults as a user types them. */
const HELP = {
  minWidthToWrap: 20,
  // on a narrow terminal the description goes below its term, wrapped, instead of
  // running past the edge
  formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help) {
    const width = this.helpWidth ?? 80;
    if (!description || width - termWidth - 4 >= MIN_DESCRIPTION) {
      return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
    }
    const wrapped = helper.boxWrap(description, width - 6).replace(/\n/g, "\n      ");
    return `  ${term}\n      ${wrapped}`;
  },
  optionDescription(this: Help, option: Option): string {
    let text = Help.prototype.optionDescription.call(this, option);
    if (option.mandatory) text = `(required) ${text}`;
    const value = option.defaultValue;
    if (!Array.isArray(value)) return text;
    // repeatable options start empty; the procfile list reads as it is typed
    return value.length === 0
      ? text.replace(/ \(default: \[\]\)$/, "")
      : text.replace(/\(default: \[.*\]\)$/, `(default: ${value.join(",")})`);
  },
};

/** Two or three examples closing each command's help. */
const EXAMPLES: Record<string, string[]> = {
  query: [
    "procpath query -d , '$..children[?(@.stat.pid == 2610)]..pid'",
    "procpath query -f stat,status '$..children[?(@.stat.comm == \"nginx\")]' \\\n" +
    "    'SELECT SUM(status_vmrss) / 1024.0 mib FROM record'",
    "procpath query -e P='pgrep -o sshd' -i 2 '$..children[?(@.stat.pid == $P)]'",
  ],
  record: [
    "procpath record -i 1 -r 60 -d out.sqlite '$..children[?(@.stat.pid == 2610)]'",
    "procpath record -i 5 -f stat,cmdline,io -p 2610,2611 -d out.sqlite",
  ],
  plot: [
    "procpath plot -d out.sqlite -q rss -q cpu -f chart.svg",
    "procpath plot -d out.sqlite -q cpu -p 2610 -a 2026-11-21T09:00:00 -e 0.5",
  ],
  watch: [
    "procpath watch --no-restart -i 1 -c 'pytest' -c 'procpath record -d run.sqlite -i 1 \\\n" +
    "    --stop-without-result -p $WPS1'",
    "procpath watch -i 60 -q P='$..children[?(@.stat.comm == \"nginx\")].stat.pid' \\\n" +
    "    --fan-out P --skip-empty -c 'py-spy dump --pid $P'",
  ],
  capture: [
    "procpath capture -f stat,cmdline,status,io bug-1234 '$..children[?(@.stat.pid == 2610)]'",
    "procpath query --procfs bug-1234 -d , '$..children[?(@.stat.pid == 2610)]..pid'",
  ],
  completion: [
    "procpath completion bash > ~/.local/share/bash-completion/completions/procpath",
    "procpath completion fish > ~/.config/fish/completions/procpath.fish",
  ],
  man: ["procpath man | man -l -"],
  play: [
    "procpath play -f web.ini -l '*'",
    "procpath play -f web.ini -n 'web:*'",
    "procpath play -f web.ini -o database_file=today.sqlite 'web:*'",
  ],
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
    .version(`procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`, "--version")
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
  registerCapture(program, deps, hooks);
  program.command("completion")
    .description("Print the completion script of a shell (bash, zsh or fish).")
    .argument("<shell>", SHELLS.join(", "), parseChoice(SHELLS))
    .action((shell: Shell) => {
      deps.writeOut(completionScript(program, shell));
      hooks.done(0);
    });
  program.command("man")
    .description("Print procpath's manual page (roff), e.g. | man -l -")
    .action(() => {
      deps.writeOut(manPage(program, EXAMPLES));
      hooks.done(0);
    });
  const help = { ...HELP, helpWidth: helpWidth() };
  program.configureHelp(help);
  for (const command of program.commands) {
    command.exitOverride().configureOutput(output).configureHelp(help);
    const examples = EXAMPLES[command.name()];
    if (examples) {
      command.addHelpText("after", `\nExamples:\n${examples.map((e) => `  ${e}`).join("\n")}`);
    }
  }
  return program;
}
