import { Command, CommanderError } from "commander";
import { formatIsoTime } from "../plot/mod.ts";
import {
  commandOf,
  matchSections,
  parseIni,
  PlaybookSyntaxError,
  sectionArgv,
} from "../playbook/mod.ts";
import type { CommandSpec, Playable } from "../playbook/mod.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import type { CliDeps } from "./deps.ts";
import { createLogger } from "./log.ts";
import { CommandError } from "./errors.ts";
import type { ActionHooks } from "./hooks.ts";
import { collect } from "./options.ts";
import { readUserFile } from "./read_user_file.ts";
import type { PlotOptions } from "./plot_command.ts";
import { buildProgram } from "./program.ts";
import { PyFloat, toPythonJson } from "./python_format.ts";
import type { QueryOptions } from "./query_command.ts";
import type { RecordOptions } from "./record_command.ts";
import type { WatchOptions } from "./watch_command.ts";

/** Options of `procpath play`, as commander hands them over. */
export interface PlayOptions {
  playbookFile: string;
  listSections?: boolean;
  dryRun?: boolean;
  option: string[];
}

/** How each playable command's keys become its command line. */
export const COMMAND_SPECS: Record<Playable, CommandSpec> = {
  query: {
    positional: ["query", "sql_query"],
    flags: [],
    repeatable: ["environment"],
    options: ["procfile_list", "delimiter", "indent", "procfs", "procfs_target"],
  },
  record: {
    positional: ["query"],
    flags: ["stop_without_result"],
    repeatable: ["environment"],
    options: [
      "procfile_list",
      "database_file",
      "pid_list",
      "procfs",
      "procfs_target",
      "interval",
      "recnum",
      "reevalnum",
    ],
  },
  plot: {
    positional: [],
    flags: ["share_y_axis", "logarithmic", "no_dots", "relative_time"],
    repeatable: ["query_name", "custom_query_file", "custom_value_expr"],
    options: [
      "database_file",
      "plot_file",
      "after",
      "before",
      "pid_list",
      "style",
      "formatter",
      "title",
      "epsilon",
      "moving_average_window",
    ],
  },
  watch: {
    positional: [],
    flags: ["no_restart", "skip_empty"],
    repeatable: ["environment", "query", "command"],
    options: [
      "fan_out",
      "interval",
      "repeat",
      "stop_signal",
      "kill_after",
      "procfile_list",
      "procfs",
      "procfs_target",
    ],
  },
};

/** Adds `procpath play` to the program. */
export function registerPlay(program: Command, deps: CliDeps, hooks: ActionHooks) {
  program.command("play")
    .description("Run the query, record, plot and watch sections of an INI playbook.")
    .argument("<target...>", "section names or fnmatch patterns (*, group1:*, *:plot)")
    .requiredOption("-f, --playbook-file <playbook-file>", "INI playbook")
    .option("-l, --list-sections", "list the matching sections and stop")
    .option("-n, --dry-run", "print each matching section's resolved options as JSON and stop")
    .option("-o, --option <option>", "key=value overriding every section; repeatable", collect, [])
    .action(async (targets: string[], options: PlayOptions) => {
      if (hooks.capture) throw new CommandError("play cannot be played");
      hooks.done(await runPlayCommand(targets, options, deps));
    });
}

function environment(list: EnvironmentSpec[]): string[][] | null {
  return list.length > 0 ? list.map((e) => [e.name, e.command]) : null;
}
const orNull = <T>(value: T | undefined) => value ?? null;
const listOrNull = <T>(list: T[]) => list.length > 0 ? list : null;

/** The reference's keyword arguments of a parsed command, as `play -n` prints them. */
export function commandKwargs(
  command: Playable,
  args: (string | undefined)[],
  options: object,
): Record<string, unknown> {
  switch (command) {
    case "query": {
      const o = options as QueryOptions;
      return {
        query: orNull(args[0]),
        sql_query: orNull(args[1]),
        procfile_list: o.procfileList,
        delimiter: orNull(o.delimiter),
        indent: orNull(o.indent),
        environment: environment(o.environment),
        procfs: o.procfs,
        procfs_target: o.procfsTarget,
      };
    }
    case "record": {
      const o = options as RecordOptions;
      return {
        query: orNull(args[0]),
        procfile_list: o.procfileList,
        environment: environment(o.environment),
        database_file: o.databaseFile,
        pid_list: orNull(o.pidList),
        procfs: o.procfs,
        procfs_target: o.procfsTarget,
        interval: new PyFloat(o.interval),
        recnum: orNull(o.recnum),
        reevalnum: orNull(o.reevalnum),
        stop_without_result: Boolean(o.stopWithoutResult),
      };
    }
    case "plot": {
      const o = options as PlotOptions;
      return {
        database_file: o.databaseFile,
        plot_file: o.plotFile,
        query_name_list: listOrNull(o.queryName),
        custom_query_file_list: listOrNull(o.customQueryFile),
        custom_value_expr_list: listOrNull(o.customValueExpr),
        after: o.after === undefined ? null : formatIsoTime(o.after),
        before: o.before === undefined ? null : formatIsoTime(o.before),
        pid_list: orNull(o.pidList),
        share_y_axis: Boolean(o.shareYAxis),
        logarithmic: Boolean(o.logarithmic),
        style: orNull(o.style),
        formatter: orNull(o.formatter),
        title: orNull(o.title),
        no_dots: !o.dots,
        relative_time: Boolean(o.relativeTime),
        epsilon: o.epsilon === undefined ? null : new PyFloat(o.epsilon),
        moving_average_window: orNull(o.movingAverageWindow),
      };
    }
    case "watch": {
      const o = options as WatchOptions;
      return {
        environment: environment(o.environment),
        query_list: listOrNull(o.query.map((q) => [q.name, q.query])),
        command_list: o.command,
        interval: new PyFloat(o.interval),
        repeat: orNull(o.repeat),
        no_restart: !o.restart,
        stop_signal: o.stopSignal,
        kill_after: new PyFloat(o.killAfter),
        procfile_list: o.procfileList,
        procfs: o.procfs,
        procfs_target: o.procfsTarget,
        // procpath's own options appear only when used, so the reference's kwargs stay as they were
        ...(o.fanOut !== undefined && { fan_out: o.fanOut }),
        ...(o.skipEmpty && { skip_empty: true }),
      };
    }
  }
}

/** Turns commander's complaint about a section into the reference's wording. */
function sectionError(error: CommanderError): string {
  const message = error.message.replace(/^error: /, "");
  const required = /required option '(?:-\w, )?--([\w-]+)/.exec(message);
  if (required) return `Invalid section: the following arguments are required: ${required[1]}`;
  const unknown = /unknown option '([^']+)'/.exec(message);
  if (unknown) return `Invalid section: unrecognized arguments: ${unknown[1]}`;
  return `Invalid section: ${message}`;
}

/** Parses a section's command line with the real parser and returns what it parsed. */
async function parseSection(command: Playable, argv: string[], deps: CliDeps) {
  let captured: { args: (string | undefined)[]; options: object } | undefined;
  // the parser's own messages are turned into play's one line below
  const quiet = {
    ...deps,
    writeErr: () => {},
    writeOut: () => {},
    log: createLogger(() => {}, () => new Date()),
  };
  const program = buildProgram(quiet, {
    done: () => {},
    capture: (_name, args, options) => captured = { args, options },
  });
  try {
    await program.parseAsync([command, ...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) throw new CommandError(sectionError(error));
    throw new CommandError(`Invalid section: ${(error as Error).message}`);
  }
  return captured!;
}

/**
 * Runs `procpath play`: lists, dry-runs or executes every command section matching
 * the targets, each parsed by the same parser as the command line. Returns the exit
 * code of the first section that fails, else 0.
 */
export async function runPlayCommand(
  targets: string[],
  options: PlayOptions,
  deps: CliDeps,
): Promise<number> {
  const ini = parseIni(readUserFile(options.playbookFile), options.playbookFile);
  const overrides = new Map<string, string>();
  for (const item of options.option) {
    const at = item.indexOf("=");
    if (at <= 0) throw new CommandError(`Cannot use option "${item}": expected key=value`);
    overrides.set(item.slice(0, at).trim().toLowerCase().replace(/-/g, "_"), item.slice(at + 1));
  }
  const sections = targets.flatMap((target) =>
    matchSections(ini, target).filter((name) => commandOf(name))
  );
  if (sections.length === 0) throw new CommandError("No section matches the target(s)");
  if (options.listSections) {
    deps.writeOut(sections.map((name) => name + "\n").join(""));
    return 0;
  }
  for (const section of sections) {
    const command = commandOf(section)!;
    let argv: string[];
    try {
      argv = sectionArgv(ini, section, COMMAND_SPECS[command], overrides);
    } catch (error) {
      if (error instanceof PlaybookSyntaxError) throw new CommandError(error.message);
      throw error;
    }
    const parsed = await parseSection(command, argv, deps);
    deps.log.info(`Executing section ${section}`);
    if (options.dryRun) {
      deps.writeOut(toPythonJson(commandKwargs(command, parsed.args, parsed.options), 2) + "\n");
      continue;
    }
    let code = 0;
    // later sections may need what a query section would drop after its read
    const keep = { ...deps, dropPermissions: () => {} };
    await buildProgram(keep, { done: (result) => code = result }).parseAsync([command, ...argv], {
      from: "user",
    });
    if (code !== 0) return code;
  }
  return 0;
}
