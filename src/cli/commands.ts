import { captureCommand } from "./capture_command.ts";
import { completionCommand, manCommand } from "./help_commands.ts";
import { diffCommand } from "./diff_command.ts";
import { exploreCommand, exploreSqlCommand } from "./explore_command.ts";
import { backfillCommand, metricsCommand } from "./metrics_command.ts";
import { playCommand } from "./play_command.ts";
import { plotCommand } from "./plot_command.ts";
import { queryCommand } from "./query_command.ts";
import { recordCommand } from "./record_command.ts";
import type { AnyCommand } from "./spec.ts";
import { watchCommand } from "./watch_command.ts";
import { topCommand } from "./top_command.ts";
import { inspectCommand } from "./inspect_command.ts";

/** Every command of procpath, in the order `--help` lists them. */
export const COMMANDS: readonly AnyCommand[] = [
  queryCommand,
  recordCommand,
  plotCommand,
  exploreCommand,
  watchCommand,
  playCommand,
  topCommand,
  inspectCommand,
  diffCommand,
  metricsCommand,
  backfillCommand,
  captureCommand,
  completionCommand,
  manCommand,
];

/** Commands procpath starts for itself: runnable by name, absent from help and completions. */
export const HIDDEN_COMMANDS: readonly AnyCommand[] = [exploreSqlCommand];
