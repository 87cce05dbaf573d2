/**
 * procpath(1), the man page in roff, generated from the command tables as the
 * completions and `docs/reference.md` are.
 *
 * @module
 */
import { optionsOf } from "./completion.ts";
import { REFERENCE_VERSION, VERSION } from "../version.ts";
import type { AnyCommand } from "./spec.ts";
import { KEY_HELP } from "../top/interaction.ts";

/**
 * Text as roff reads it: backslashes and hyphens escaped, a leading dot or quote made
 * text, and a break point (`\:`) after each comma inside a word, so that a long list
 * (`--columns`'s) wraps instead of overflowing the line, which troff warns about.
 */
const roff = (text: string) =>
  text.replace(/\\/g, "\\e").replace(/^([.'])/gm, "\\&$1").replace(/-/g, "\\-")
    .replace(/,(?=\S)/g, ",\\:");

/** The usage line of a command, from its table. */
export function usage(command: AnyCommand): string {
  const args = command.args.map((a) => {
    const name = a.variadic ? `${a.name}...` : a.name;
    return a.required ? `<${name}>` : `[${name}]`;
  });
  return ["[options]", ...args].join(" ");
}

/** Returns procpath(1), the man page, in roff, from the commands' tables. */
export function manPage(commands: readonly AnyCommand[]): string {
  const out = [
    `.TH PROCPATH 1 "" "procpath ${VERSION}" "User Commands"`,
    // left-aligned: a line of one long list (`--columns`) has no spaces to stretch
    ".ad l",
    ".SH NAME",
    "procpath \\- process tree analysis workbench",
    ".SH SYNOPSIS",
    `.B procpath
[\\-\\-logging\\-level LEVEL] COMMAND [OPTIONS] [ARGUMENTS]`,
    ".SH DESCRIPTION",
    roff(
      "procpath reads procfs into a process tree, selects processes with JSONPath, prints " +
        "them or runs SQL over them, records them into SQLite, plots recordings and runs " +
        `commands fed by queries. It follows the command lines, JSONPath dialect and database ` +
        `schema of Procpath ${REFERENCE_VERSION}.`,
    ),
    ".SH GLOBAL OPTIONS",
  ];
  const options = (command: AnyCommand | null) => {
    for (const o of optionsOf(command)) {
      out.push(".TP", `.B ${roff([o.short, o.long].filter(Boolean).join(", "))}`, roff(o.help));
    }
  };
  options(null);
  out.push(".SH COMMANDS");
  for (const command of commands) {
    out.push(`.SS ${command.name} ${roff(usage(command))}`, roff(command.summary));
    options(command);
    if (command.examples.length > 0) {
      out.push(".PP", "Examples:", ".nf", ...command.examples.map((line) => roff(line)), ".fi");
    }
  }
  // top's keys, from the table its help screen prints
  out.push(
    ".SH TOP KEYS",
    roff(
      "The keys of procpath top's live view and of its replay (top --recording), as its " +
        "help screen (h) lists them:",
    ),
  );
  for (const key of KEY_HELP) {
    const where = key.only === "live"
      ? " (live only)"
      : key.only === "replay"
      ? " (replay only)"
      : "";
    out.push(".TP", `.B ${roff(key.keys)}`, roff(key.does + where));
  }
  out.push(
    ".SH EXIT STATUS",
    roff(
      "0 on success (an empty result, a recording stopped by a signal, a closed stdout); " +
        "1 for every error a command raises; 2 for what the argument parser rejects; " +
        "watch --no-restart exits with the first failing command's status.",
    ),
    ".SH SEE ALSO",
    "ps(1), pstree(1), pgrep(1), proc(5)",
  );
  return out.join("\n") + "\n";
}
