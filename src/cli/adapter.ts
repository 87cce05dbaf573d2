/**
 * The one place that knows the argument parser (commander): it builds the parser of
 * each command from its table, and nothing else reads the library.
 *
 * @module
 */
import { Command, CommanderError, Help, InvalidArgumentError, Option } from "commander";
import type { OutputConfiguration } from "commander";
import { OptionValueError } from "./spec.ts";
import type { AnyCommand, ArgumentValues, OptionSpec } from "./spec.ts";

/** What the program does with a command the parser has read. */
export type OnParsed = (command: AnyCommand, args: ArgumentValues, options: object) => void;

/** Help settings the program gives every command (width, layout). */
export type HelpSettings = Partial<Help>;

/** The narrowest description column worth keeping beside the terms, characters. */
const MIN_DESCRIPTION = 30;

/** Help text settings: the width above, required options marked, defaults as a user types them. */
const HELP: Partial<Help> = {
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
    const text = Help.prototype.optionDescription.call(this, option)
      .replace(/ \(default: (\[\])?\)$/, ""); // a repeatable option starts empty: nothing to say
    return option.mandatory ? `(required) ${text}` : text;
  },
};

/** The help layout at `width` columns. */
export function helpSettings(width: number): HelpSettings {
  return { ...HELP, helpWidth: width };
}

/** The parser's rejection of a command line, with its message; exit 2. */
export class ParseError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ParseError";
  }
}

/** The parser's option for a table entry. */
export function toOption(spec: OptionSpec<unknown>): Option {
  const option = new Option(spec.flags, spec.help);
  if (spec.parse) {
    const parse = spec.parse;
    option.argParser((text: string, previous: unknown) => {
      try {
        return parse(text, previous);
      } catch (error) {
        if (error instanceof OptionValueError) throw new InvalidArgumentError(error.message);
        throw error;
      }
    });
  }
  if (spec.default !== undefined) option.default(spec.default, spec.defaultText);
  if (spec.required) option.makeOptionMandatory();
  return option;
}

/** Adds a command, as its table declares it, to a commander program. */
export function addCommand(
  program: Command,
  spec: AnyCommand,
  onParsed: OnParsed,
  settings: { help: HelpSettings; output: OutputConfiguration },
): Command {
  const command = program.command(spec.name).description(spec.summary);
  for (const arg of spec.args) {
    const name = arg.variadic ? `${arg.name}...` : arg.name;
    command.argument(arg.required ? `<${name}>` : `[${name}]`, arg.help);
  }
  for (const option of Object.values(spec.options)) command.addOption(toOption(option));
  command.exitOverride().configureOutput(settings.output).configureHelp(settings.help);
  if (spec.examples.length > 0) {
    command.addHelpText(
      "after",
      `\nExamples:\n${spec.examples.map((e) => `  ${e}`).join("\n")}`,
    );
  }
  command.action((...values: unknown[]) => {
    const options = values[spec.args.length] as object;
    onParsed(spec, values.slice(0, spec.args.length) as ArgumentValues, options);
  });
  return command;
}

/**
 * Parses a command line for one command alone (a playbook section), returning its
 * arguments and options. Throws `ParseError` with the parser's message.
 */
export function parseCommandLine(
  spec: AnyCommand,
  argv: readonly string[],
): { args: ArgumentValues; options: object } {
  let parsed: { args: ArgumentValues; options: object } | undefined;
  const program = new Command("procpath").exitOverride();
  const silent = { writeOut: () => {}, writeErr: () => {}, outputError: () => {} };
  program.configureOutput(silent);
  addCommand(program, spec, (_, args, options) => parsed = { args, options }, {
    help: {},
    output: silent,
  });
  try {
    program.parse([spec.name, ...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      throw new ParseError(error.message.replace(/^error: /, ""));
    }
    throw error;
  }
  return parsed!;
}

/** The attribute name the parser gives an option (the table's key must equal it). */
export function attributeName(spec: OptionSpec<unknown>): string {
  return new Option(spec.flags).attributeName();
}
