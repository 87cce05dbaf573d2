/**
 * Every command of procpath, each loaded only when a command line needs it: `procpath
 * query …` loads the query command's module alone (and what it imports), not the
 * modules of the thirteen others and their engines — about 45 ms of a 190 ms start on a
 * small host (see the README's start-up figures). Help, completions, the man page,
 * playbooks and a mistyped command name load them all.
 *
 * @module
 */
import type { AnyCommand } from "./spec.ts";

type Loader = () => Promise<AnyCommand>;

/** The commands' modules by name, in the order `--help` lists them. */
const LOADERS: Readonly<Record<string, Loader>> = {
  query: () => import("./query_command.ts").then((m) => m.queryCommand),
  record: () => import("./record_command.ts").then((m) => m.recordCommand),
  plot: () => import("./plot_command.ts").then((m) => m.plotCommand),
  explore: () => import("./explore_command.ts").then((m) => m.exploreCommand),
  watch: () => import("./watch_command.ts").then((m) => m.watchCommand),
  play: () => import("./play_command.ts").then((m) => m.playCommand),
  top: () => import("./top_command.ts").then((m) => m.topCommand),
  inspect: () => import("./inspect_command.ts").then((m) => m.inspectCommand),
  diff: () => import("./diff_command.ts").then((m) => m.diffCommand),
  metrics: () => import("./metrics_command.ts").then((m) => m.metricsCommand),
  backfill: () => import("./metrics_command.ts").then((m) => m.backfillCommand),
  capture: () => import("./capture_command.ts").then((m) => m.captureCommand),
  export: () => import("./export_command.ts").then((m) => m.exportCommand),
  report: () => import("./report_command.ts").then((m) => m.reportCommand),
  compare: () => import("./compare_command.ts").then((m) => m.compareCommand),
  convert: () => import("./convert_command.ts").then((m) => m.convertCommand),
  completion: () => import("./help_commands.ts").then((m) => m.completionCommand),
  man: () => import("./help_commands.ts").then((m) => m.manCommand),
};

/** Commands procpath starts for itself: runnable by name, absent from help and completions. */
const HIDDEN_LOADERS: Readonly<Record<string, Loader>> = {
  "__explore-sql": () => import("./explore_command.ts").then((m) => m.exploreSqlCommand),
};

/** Commands that act on the others' tables, so need every one of them. */
const NEEDS_ALL = new Set(["play", "completion", "man"]);

/** The commands a run has: the listed ones and the hidden ones. */
export interface CommandSet {
  commands: readonly AnyCommand[];
  hidden: readonly AnyCommand[];
}

/**
 * Loads the commands a command line whose command word is `name` needs: that command
 * alone when it is one that stands alone, every command otherwise (no word, `help`, a
 * typo to suggest a name for, or a command that reads the others' tables).
 */
export async function loadCommands(name: string | undefined): Promise<CommandSet> {
  if (name !== undefined && !NEEDS_ALL.has(name)) {
    const loader = LOADERS[name] ?? HIDDEN_LOADERS[name];
    if (loader) {
      const command = await loader();
      return name in LOADERS
        ? { commands: [command], hidden: [] }
        : { commands: [], hidden: [command] };
    }
  }
  const [commands, hidden] = await Promise.all([
    Promise.all(Object.values(LOADERS).map((load) => load())),
    Promise.all(Object.values(HIDDEN_LOADERS).map((load) => load())),
  ]);
  return { commands, hidden };
}
