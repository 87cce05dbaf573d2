import { EXIT } from "../exit_codes.ts";
import type { CommandSpec as PlaybookSpec } from "../playbook/mod.ts";
import { toPythonJson } from "../text/python_format.ts";
import { parseCommandLine, ParseError } from "./parse_argv.ts";
import { CommandError } from "./errors.ts";
import { collect } from "./options.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import { readUserFile } from "./read_user_file.ts";
import { defineCommand, flag, option, playbookKey, takesValue } from "./spec.ts";
import type { AnyCommand, ArgumentValues } from "./spec.ts";

/** How a command's table maps playbook keys to its command line. */
export function playbookSpec(command: AnyCommand): PlaybookSpec {
  const options = Object.values(command.options);
  return {
    positional: command.args.map((arg) => arg.name),
    flags: options.filter((o) => !takesValue(o)).map(playbookKey),
    repeatable: options.filter((o) => takesValue(o) && o.repeatable).map(playbookKey),
    options: options.filter((o) => takesValue(o) && !o.repeatable).map(playbookKey),
  };
}

/** The reference's keyword arguments of a parsed command, as `play -n` prints them. */
export function dryRunKwargs(
  command: AnyCommand,
  args: ArgumentValues,
  options: Record<string, unknown>,
): Record<string, unknown> {
  const kwargs: Record<string, unknown> = {};
  command.args.forEach((arg, i) => kwargs[arg.name] = args[i] ?? null);
  for (const [key, spec] of Object.entries(command.options)) {
    const value = options[key];
    const dryRun = spec.dryRun ?? {};
    // "set" means other than its default (absent, or false for a switch)
    const unset = Array.isArray(spec.default)
      ? Array.isArray(value) && value.length === 0 && spec.default.length === 0
      : spec.default !== undefined
      ? value === spec.default
      : value === undefined || value === false;
    if (dryRun.onlyWhenSet && unset) continue;
    kwargs[dryRun.name ?? playbookKey(spec)] = dryRun.value ? dryRun.value(value) : value ?? null;
  }
  return kwargs;
}

/** Turns the parser's complaint about a section into the reference's wording. */
function sectionError(error: ParseError): string {
  const problem = error.problem;
  if (problem.kind === "required") {
    return `Invalid section: the following arguments are required: ${problem.option}`;
  }
  if (problem.kind === "unknown") {
    return `Invalid section: unrecognized arguments: ${problem.option}`;
  }
  return `Invalid section: ${error.message}`;
}

/** `procpath play`: the command sections of an INI playbook, run through the commands' tables. */
export const playCommand = defineCommand({
  name: "play",
  summary: "Run the query, record, plot and watch sections of an INI playbook.",
  args: [{
    name: "target",
    help: "section names or fnmatch patterns (*, group1:*, *:plot)",
    required: true,
    variadic: true,
  }],
  options: {
    playbookFile: option({
      flags: "-f, --playbook-file <playbook-file>",
      help: "INI playbook",
      parse: (text: string) => text,
      required: true,
    }),
    listSections: flag("-l, --list-sections", "list the matching sections and stop"),
    dryRun: flag(
      "-n, --dry-run",
      "print each matching section's resolved options as JSON and stop",
    ),
    option: option({
      flags: "-o, --option <option>",
      help: "key=value overriding every section; repeatable",
      parse: collect,
      default: [] as string[],
      repeatable: true,
    }),
  },
  examples: [
    "procpath play -f web.ini -l '*'",
    "procpath play -f web.ini -n 'web:*'",
    "procpath play -f web.ini -o database_file=today.sqlite 'web:*'",
  ],
  /**
   * Lists, dry-runs or executes every command section matching the targets, each
   * parsed by its command's own table. Returns the exit code of the first section
   * that fails, else 0.
   */
  async run([targets], options, { deps, commands }) {
    const { commandOf, matchSections, parseIni, PlaybookSyntaxError, sectionArgv } = await import(
      "../playbook/mod.ts"
    );
    const ini = parseIni(readUserFile(options.playbookFile), options.playbookFile);
    const overrides = new Map<string, string>();
    for (const item of options.option) {
      const at = item.indexOf("=");
      if (at <= 0) throw new CommandError(`Cannot use option "${item}": expected key=value`);
      overrides.set(item.slice(0, at).trim().toLowerCase().replace(/-/g, "_"), item.slice(at + 1));
    }
    const sections = (targets as string[]).flatMap((target) =>
      matchSections(ini, target).filter((name) => commandOf(name))
    );
    if (sections.length === 0) throw new CommandError("No section matches the target(s)");
    if (options.listSections) {
      deps.writeOut(sections.map((name) => name + "\n").join(""));
      return EXIT.ok;
    }
    // a stop signal that ends one section ends the play, as the reference's
    // KeyboardInterrupt does: the sections after it are not run
    const stop = options.dryRun ? null : listenForStop();
    try {
      for (const [at, section] of sections.entries()) {
        if (stop?.requested) {
          const rest = sections.slice(at);
          deps.log.info(
            `Stopped: ${rest.length === 1 ? "section" : "sections"} ${rest.join(", ")} not run`,
          );
          return EXIT.ok;
        }
        const command = commands.find((c) => c.playable && c.name === commandOf(section))!;
        let argv: string[];
        let parsed: { args: ArgumentValues; options: object };
        try {
          argv = sectionArgv(ini, section, playbookSpec(command), overrides);
          parsed = parseCommandLine(command, argv);
        } catch (error) {
          if (error instanceof PlaybookSyntaxError) throw new CommandError(error.message);
          if (error instanceof ParseError) throw new CommandError(sectionError(error));
          throw new CommandError(`Invalid section: ${(error as Error).message}`, { cause: error });
        }
        deps.log.info(`Executing section ${section}`);
        if (options.dryRun) {
          const kwargs = dryRunKwargs(
            command,
            parsed.args,
            parsed.options as Record<string, unknown>,
          );
          deps.writeOut(toPythonJson(kwargs, 2) + "\n");
          continue;
        }
        // later sections may need what a query section would drop after its read
        const keep = { ...deps, dropPermissions: () => {} };
        const code = await command.run(parsed.args, parsed.options as never, {
          deps: keep,
          commands,
        });
        if (code !== 0) return code;
      }
      return EXIT.ok;
    } finally {
      stop?.dispose();
    }
  },
});
