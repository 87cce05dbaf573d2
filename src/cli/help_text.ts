/**
 * `--help` text, generated from the command tables: usage, arguments, options (with
 * defaults and required ones marked) and examples, in columns that fit the terminal.
 *
 * @module
 */
import { HELP_FLAGS } from "./parse_argv.ts";
import type { ProgramSpec } from "./parse_argv.ts";
import { takesValue } from "./spec.ts";
import type { AnyCommand, ArgumentSpec, OptionSpec } from "./spec.ts";

/** The narrowest description column worth keeping beside the terms, characters. */
const MIN_DESCRIPTION = 30;

type Item = [term: string, description: string];

/** Greedy word wrap of each line of `text` to `width` columns; a longer word keeps its own line. */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const raw of text.split("\n")) {
    let line = "";
    for (const word of raw.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** One section's items in two columns; below its term when the terminal is too narrow. */
function formatItems(items: readonly Item[], termWidth: number, width: number): string[] {
  const beside = width - termWidth - 4 >= MIN_DESCRIPTION;
  return items.flatMap(([term, description]) => {
    if (!description) return [`  ${term}`];
    if (!beside) {
      return [`  ${term}`, ...wrapWords(description, width - 6).map((l) => `      ${l}`)];
    }
    const [first, ...rest] = wrapWords(description, width - termWidth - 4);
    return [
      `  ${term.padEnd(termWidth)}  ${first}`,
      ...rest.map((l) => `${" ".repeat(termWidth + 4)}${l}`),
    ];
  });
}

function optionDescription(spec: OptionSpec<unknown>): string {
  let text = spec.help;
  const shown = spec.defaultText ??
    (spec.default === undefined || typeof spec.default === "boolean" ||
        (Array.isArray(spec.default) && spec.default.length === 0)
      ? undefined
      : typeof spec.default === "string"
      ? JSON.stringify(spec.default)
      : String(spec.default));
  if (shown !== undefined && takesValue(spec)) text += ` (default: ${shown})`;
  return spec.required ? `(required) ${text}` : text;
}

const argumentTerm = (arg: ArgumentSpec) => {
  const name = arg.variadic ? `${arg.name}...` : arg.name;
  return arg.required ? `<${name}>` : `[${name}]`;
};

/**
 * A command's usage words after its name: `[options] [query] [sql_query]`, with
 * `[-- COMMAND [ARGS...]]` in its own help when it runs one.
 */
export function commandUsage(spec: AnyCommand, withCommand = false): string {
  const options = Object.keys(spec.options).length > 0 ? ["[options]"] : [];
  const command = spec.command && withCommand
    ? [`[-- ${spec.command.name.toUpperCase()} [ARGS...]]`]
    : [];
  return [...options, ...spec.args.map(argumentTerm), ...command].join(" ");
}

function render(
  usage: string,
  description: string,
  sections: [title: string, items: Item[]][],
  after: string,
  width: number,
): string {
  const shown = sections.filter(([, items]) => items.length > 0);
  const termWidth = Math.max(...shown.flatMap(([, items]) => items.map(([term]) => term.length)));
  const blocks = [`Usage: ${usage}`, description];
  for (const [title, items] of shown) {
    blocks.push(`${title}:\n${formatItems(items, termWidth, width).join("\n")}`);
  }
  if (after) blocks.push(after);
  return `${blocks.join("\n\n")}\n`;
}

const HELP_ITEM: Item = [HELP_FLAGS, "display help for command"];

/** The `--help` text of one command at `width` columns. */
export function commandHelp(spec: AnyCommand, width: number): string {
  const args: Item[] = [
    ...spec.args.filter((a) => a.help).map((a): Item => [a.name, a.help]),
    ...(spec.command ? [[spec.command.name, spec.command.help] as Item] : []),
  ];
  const options: Item[] = Object.values(spec.options).map((o) => [o.flags, optionDescription(o)]);
  const examples = spec.examples.length > 0
    ? `Examples:\n${spec.examples.map((e) => `  ${e}`).join("\n")}`
    : "";
  return render(
    `procpath ${spec.name} ${commandUsage(spec, true)}`.trimEnd(),
    wrapWords(spec.summary, width).join("\n"),
    [["Arguments", args], ["Options", [...options, HELP_ITEM]]],
    examples,
    width,
  );
}

/** The program's `--help` text at `width` columns: its description, options and commands. */
export function programHelp(program: ProgramSpec, description: string, width: number): string {
  const options: Item[] = [
    ...Object.values(program.options).map((o): Item => [o.flags, optionDescription(o)]),
    HELP_ITEM,
  ];
  const commands: Item[] = [
    ...program.commands.map((c): Item => [`${c.name} ${commandUsage(c)}`.trimEnd(), c.summary]),
    ["help [command]", "display help for command"],
  ];
  return render(
    "procpath [options] [command]",
    description,
    [["Options", options], ["Commands", commands]],
    "",
    width,
  );
}
