/**
 * The declarative description of procpath's commands: each command is one object —
 * its name, summary, arguments, options and `run` — and everything else derives from
 * it: parsing and `--help` (parse_argv.ts, help_text.ts), playbook keys and
 * `play -n`'s keyword arguments, shell completions and the man page. Nothing here
 * knows the parsing library.
 *
 * @module
 */
import { UsageFailure } from "../exit_codes.ts";
import type { CliDeps } from "./deps.ts";

/** A value the option's parser refuses; the command-line parser reports it with the option's flags. */
export class OptionValueError extends UsageFailure {}

/** How `play -n` shows an option, as the reference's keyword argument. */
export interface DryRunSpec<T> {
  /** The keyword's name; the long flag in snake case by default (`--pid-list` → `pid_list`). */
  name?: string | undefined;
  /** The keyword's value; by default the parsed value, `null` when absent. */
  value?: (value: T) => unknown;
  /** Procpath's own options appear only when used, so the reference's kwargs stay as they were. */
  onlyWhenSet?: boolean;
}

/** One option of a command. */
export interface OptionSpec<T> {
  /** The flags as a user types them: `-f, --procfile-list <procfile-list>`, `--no-dots`. */
  readonly flags: string;
  readonly help: string;
  /** Parses one occurrence, given the value so far (repeatable options collect). */
  readonly parse?: (text: string, previous: T) => T;
  readonly default?: T;
  /** How `--help` shows the default when not as `String(default)`. */
  readonly defaultText?: string;
  readonly required?: boolean;
  /** Given more than once, it accumulates (a playbook then takes one value per line). */
  readonly repeatable?: boolean;
  readonly dryRun?: DryRunSpec<T> | undefined;
}

/** A positional argument. */
export interface ArgumentSpec {
  /** Its name, also its playbook key (`sql_query`). */
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
  /** Takes every remaining word (`play`'s targets). */
  readonly variadic?: boolean;
}

/** The value an option has once parsed: defaulted and required ones are always there. */
type ValueOf<S> = S extends OptionSpec<infer T> ? T : never;
type Present<S> = S extends { default: unknown } ? true : S extends { required: true } ? true
: false;

/** The parsed options of a command, typed from its table. */
export type OptionsOf<O> = {
  [K in keyof O]: Present<O[K]> extends true ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

/** Positional argument values in declaration order: a word, the words of a variadic one, or absent. */
export type ArgumentValues = readonly (string | string[] | undefined)[];

/** What a running command gets besides its arguments. */
export interface RunContext {
  deps: CliDeps;
  /** Every command of the program (`play` runs the others through their tables). */
  commands: readonly AnyCommand[];
}

/** One command. */
export interface CommandSpec<O extends Options> {
  readonly name: string;
  readonly summary: string;
  readonly args: readonly ArgumentSpec[];
  readonly options: O;
  /** Two or three command lines that close its `--help`. */
  readonly examples: readonly string[];
  /** Whether a playbook section (`name:<command>`) can run it. */
  readonly playable?: boolean;
  /**
   * A command line to run, given after `--` (`record -- make -j2`): its words come as
   * one more argument value after the declared ones, absent without `--`.
   */
  readonly command?: { readonly name: string; readonly help: string };
  run(args: ArgumentValues, options: OptionsOf<O>, context: RunContext): Promise<number> | number;
}

// deno-lint-ignore no-explicit-any -- a table holds options of every value type
type Options = Record<string, OptionSpec<any>>;

/** Any command, as the registry holds them. */
export type AnyCommand = CommandSpec<Options>;

/** Declares a command; its `run` gets options typed from the table. */
export function defineCommand<O extends Options>(spec: CommandSpec<O>): AnyCommand {
  return spec as unknown as AnyCommand;
}

/** Declares an option taking a value, typed by its parser. */
export function option<T>(spec: OptionSpec<T> & { default: T }): OptionSpec<T> & { default: T };
export function option<T>(
  spec: OptionSpec<T> & { required: true },
): OptionSpec<T> & { required: true };
export function option<T>(spec: OptionSpec<T>): OptionSpec<T>;
export function option<T>(spec: OptionSpec<T>): OptionSpec<T> {
  return spec;
}

/** Declares a switch: `true` when given, else absent. */
export function flag(
  flags: string,
  help: string,
  dryRun?: DryRunSpec<boolean>,
): OptionSpec<boolean> {
  return { flags, help, dryRun };
}

/** Declares a `--no-x` switch: `true` unless given. */
export function negatedFlag(
  flags: string,
  help: string,
  dryRun?: DryRunSpec<boolean>,
): OptionSpec<boolean> & { default: boolean } {
  return { flags, help, dryRun, default: true };
}

/** The long flag of an option (`--procfile-list`), and its short one when it has one. */
export function flagNames(
  spec: OptionSpec<unknown>,
): { long: string; short?: string | undefined } {
  const long = /--[a-z][a-z0-9-]*/.exec(spec.flags)![0];
  const short = /(^|\s)(-[a-zA-Z])\b/.exec(spec.flags)?.[2];
  return { long, short };
}

/** Whether an option takes a value (`<value>` in its flags). */
export const takesValue = (spec: OptionSpec<unknown>) => spec.flags.includes("<");

/** The option's key in a playbook and in `play -n`: the long flag in snake case. */
export const playbookKey = (spec: OptionSpec<unknown>) =>
  flagNames(spec).long.slice(2).replace(/-/g, "_");

/**
 * The key an option has in a command's table and in its parsed options: the long flag
 * in camel case, without a `no-` prefix (`--procfile-list` → `procfileList`,
 * `--no-subtree` → `subtree`).
 */
export const optionKey = (spec: OptionSpec<unknown>) =>
  flagNames(spec).long.slice(2).replace(/^no-/, "").replace(
    /-([a-z0-9])/g,
    (_, c) => c.toUpperCase(),
  );
