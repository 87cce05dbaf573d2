/**
 * procpath's own command-line parser, driven by the command tables. It replaces a
 * general-purpose library because loading one through Deno's npm layer cost ~35 ms of
 * every start (see README, Performance); the grammar is the one users already type:
 * `-f VALUE`, `-fVALUE`, `--flag VALUE`, `--flag=VALUE`, grouped short switches (`-nh`),
 * `--` ending options, options anywhere among the arguments, and the program's own
 * options before the command's name.
 *
 * @module
 */
import { EXIT } from "../exit_codes.ts";
import { nearestWord } from "../text/nearest_word.ts";
import { flagNames, OptionValueError, takesValue } from "./spec.ts";
import type { AnyCommand, ArgumentValues, OptionSpec } from "./spec.ts";

/** What the parser rejected, for callers that word it their own way (`play`'s sections). */
export type ParseProblem =
  | { kind: "required"; option: string }
  | { kind: "unknown"; option: string }
  | { kind: "other" };

/** The parser's rejection of a command line, with its message and what it was; exit 2. */
export class ParseError extends Error {
  readonly exitCode = EXIT.usage;
  constructor(message: string, readonly problem: ParseProblem = { kind: "other" }) {
    super(message);
    this.name = "ParseError";
  }
}

/** What the user asked for: a command to run, help (of a command or the program), or the version. */
export type ParsedLine =
  | { kind: "run"; command: AnyCommand; args: ArgumentValues; options: object; globals: object }
  | { kind: "help"; command: AnyCommand | null }
  | { kind: "version" };

/** The program: its own options (before a command's name; `version` among them) and its commands. */
export interface ProgramSpec {
  readonly options: Record<string, OptionSpec<unknown>>;
  readonly commands: readonly AnyCommand[];
  /** Commands procpath runs for itself (a helper process): found by name, never listed. */
  readonly hidden?: readonly AnyCommand[];
}

/** The help switch every command and the program accept. */
export const HELP_FLAGS = "-h, --help";

type Lookup = Map<string, { key: string; spec: OptionSpec<unknown>; negated: boolean }>;

function lookupOf(options: Record<string, OptionSpec<unknown>>): Lookup {
  const lookup: Lookup = new Map();
  for (const [key, spec] of Object.entries(options)) {
    const { long, short } = flagNames(spec);
    const entry = { key, spec, negated: long.startsWith("--no-") };
    lookup.set(long, entry);
    if (short) lookup.set(short, entry);
  }
  return lookup;
}

/** Defaults first, so a repeatable option's parser receives the list it extends. */
function defaultsOf(options: Record<string, OptionSpec<unknown>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(options)) {
    if (spec.default !== undefined) {
      values[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    }
  }
  return values;
}

/** The closest candidate to a mistyped word, as ` (Did you mean X?)`, or nothing. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const best = nearestWord(typed.replace(/^-+/, ""), candidates, (c) => c.replace(/^-+/, ""));
  return best ? ` (Did you mean ${best}?)` : "";
}

/** Reads the options and positional words of one command's part of the line. */
function readOptions(
  options: Record<string, OptionSpec<unknown>>,
  argv: readonly string[],
  stopAtWord: boolean,
): {
  values: Record<string, unknown>;
  words: string[];
  /** The words after `--`, or `null` when there was none. */
  afterDashes: string[] | null;
  unknown: string[];
  help: boolean;
  rest: string[];
} {
  const lookup = lookupOf(options);
  const values = defaultsOf(options);
  const words: string[] = [];
  let afterDashes: string[] | null = null;
  const unknown: string[] = [];
  let help = false;
  const assign = (entry: ReturnType<Lookup["get"]> & object, value: string | undefined) => {
    const { key, spec } = entry;
    if (!takesValue(spec)) {
      values[key] = !entry.negated;
      return;
    }
    if (value === undefined) throw new ParseError(`option '${spec.flags}' argument missing`);
    if (!spec.parse) {
      values[key] = value;
      return;
    }
    try {
      values[key] = spec.parse(value, values[key]);
    } catch (error) {
      if (error instanceof OptionValueError) {
        throw new ParseError(
          `option '${spec.flags}' argument '${value}' is invalid. ${error.message}`,
        );
      }
      throw error;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      afterDashes = argv.slice(i + 1);
      break;
    }
    if (arg!.length < 2 || arg![0] !== "-") {
      if (stopAtWord) return { values, words, afterDashes, unknown, help, rest: argv.slice(i) };
      words.push(arg!);
      continue;
    }
    if (arg!.startsWith("--")) {
      const eq = arg!.indexOf("=");
      const name = eq < 0 ? arg : arg!.slice(0, eq);
      if (name === "--help") {
        help = true;
        continue;
      }
      const entry = lookup.get(name!);
      if (!entry) {
        unknown.push(arg!);
        continue;
      }
      if (eq >= 0 && !takesValue(entry.spec)) {
        throw new ParseError(`option '${entry.spec.flags}' takes no argument`);
      }
      assign(entry, eq >= 0 ? arg!.slice(eq + 1) : takesValue(entry.spec) ? argv[++i] : undefined);
      continue;
    }
    // short options: `-d ,`, `-d,`, and switches grouped as `-nh`
    for (let j = 1; j < arg!.length; j++) {
      const name = `-${arg![j]}`;
      if (name === "-h") {
        help = true;
        continue;
      }
      const entry = lookup.get(name);
      if (!entry) {
        unknown.push(j === 1 ? arg! : name);
        break;
      }
      if (takesValue(entry.spec)) {
        assign(entry, j + 1 < arg!.length ? arg!.slice(j + 1) : argv[++i]);
        break;
      }
      assign(entry, undefined);
    }
  }
  return { values, words, afterDashes, unknown, help, rest: [] };
}

/**
 * Parses one command's words (everything after its name): its options, then its
 * positional arguments. Returns `help: true` when `-h`/`--help` was given. Throws
 * `ParseError` with the message a user sees; checks run in a fixed order: option
 * values as read, then required options, unknown options, argument counts.
 */
export function parseCommandArgv(
  spec: AnyCommand,
  argv: readonly string[],
  commandAfterDashes = true,
): { args: ArgumentValues; options: object; help: boolean } {
  const { values, words: before, afterDashes, unknown, help } = readOptions(
    spec.options,
    argv,
    false,
  );
  if (help) return { args: [], options: values, help: true };
  // without a command to run, the words after `--` are arguments (a playbook's argv
  // puts its positional values there, whatever they look like)
  const runs = spec.command !== undefined && commandAfterDashes;
  const words = runs || afterDashes === null ? before : [...before, ...afterDashes];
  for (const [key, option] of Object.entries(spec.options)) {
    if (option.required && values[key] === undefined) {
      // a word where the command takes none is likely the option's value without its flag
      // (`procpath report RUN.sqlite`)
      const names = flagNames(option);
      const hint = spec.args.length === 0 && words.length === 1 && takesValue(option)
        ? `; did you mean: procpath ${spec.name} ${names.short ?? names.long} ${words[0]}`
        : "";
      throw new ParseError(`required option '${option.flags}' not specified${hint}`, {
        kind: "required",
        option: flagNames(option).long.replace(/^--/, ""),
      });
    }
  }
  if (unknown.length > 0) {
    const flags = Object.values(spec.options).map((o) => flagNames(o).long);
    throw new ParseError(
      `unknown option '${unknown[0]}'${didYouMean(unknown[0]!, [...flags, "--help"])}`,
      { kind: "unknown", option: unknown[0]! },
    );
  }
  const args: (string | string[] | undefined)[] = [];
  let next = 0;
  for (const arg of spec.args) {
    if (arg.variadic) {
      args.push(words.slice(next));
      next = words.length;
      if (arg.required && (args.at(-1) as string[]).length === 0) {
        throw new ParseError(`missing required argument '${arg.name}'`);
      }
      continue;
    }
    if (next < words.length) args.push(words[next++]);
    else if (arg.required) throw new ParseError(`missing required argument '${arg.name}'`);
    else args.push(undefined);
  }
  if (next < words.length) {
    const count = spec.args.length;
    throw new ParseError(
      `too many arguments for '${spec.name}'. Expected ${count} argument${
        count === 1 ? "" : "s"
      } but got ${words.length}: ${words.join(", ")}.`,
    );
  }
  if (spec.command) {
    if (runs && afterDashes !== null && afterDashes.length === 0) {
      throw new ParseError(`missing the ${spec.command.name} to run after '--'`);
    }
    args.push(runs ? afterDashes ?? undefined : undefined);
  }
  return { args, options: values, help: false };
}

/**
 * The command word of a line (`query` in `procpath --logging-level DEBUG query …`), or
 * `undefined` when the global options fail to parse or there is none: what to load
 * before the line is parsed for real.
 */
export function commandWordOf(program: ProgramSpec, argv: readonly string[]): string | undefined {
  try {
    return readOptions(program.options, argv, true).rest[0];
  } catch {
    return undefined;
  }
}

/**
 * Parses a whole command line: the program's options, the command's name (or `help
 * [command]`), and the command's words. Throws `ParseError`.
 */
export function parseProgramArgv(program: ProgramSpec, argv: readonly string[]): ParsedLine {
  const global = readOptions(program.options, argv, true);
  const { version, ...globals } = global.values;
  if (global.unknown.length > 0) {
    const flags = Object.values(program.options).map((o) => flagNames(o).long);
    throw new ParseError(
      `unknown option '${global.unknown[0]}'${didYouMean(global.unknown[0]!, flags)}`,
    );
  }
  if (global.help) return { kind: "help", command: null };
  if (version) return { kind: "version" };
  const [name, ...rest] = global.rest;
  if (name === undefined) throw new ParseError("the following arguments are required: command");
  const find = (word: string) => {
    const command = [...program.commands, ...program.hidden ?? []].find((c) => c.name === word);
    if (command) return command;
    const names = [...program.commands.map((c) => c.name), "help"];
    throw new ParseError(`unknown command '${word}'${didYouMean(word, names)}`);
  };
  if (name === "help") {
    if (rest.length > 1) throw new ParseError("too many arguments for 'help'");
    return { kind: "help", command: rest.length === 0 ? null : find(rest[0]!) };
  }
  const command = find(name);
  const parsed = parseCommandArgv(command, rest);
  if (parsed.help) return { kind: "help", command };
  return { kind: "run", command, args: parsed.args, options: parsed.options, globals };
}

/**
 * Parses the command line of a command run for another (a playbook section): as
 * `parseCommandArgv`, with help refused as an unknown option.
 */
export function parseCommandLine(
  spec: AnyCommand,
  argv: readonly string[],
): { args: ArgumentValues; options: object } {
  const parsed = parseCommandArgv(spec, argv, false);
  if (parsed.help) {
    throw new ParseError("unknown option '--help'", { kind: "unknown", option: "--help" });
  }
  return parsed;
}
