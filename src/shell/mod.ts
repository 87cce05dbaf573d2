export {
  buildEnvironmentScript,
  EnvironmentError,
  evaluateEnvironment,
  parseEnvironmentSpec,
} from "./evaluate_environment.ts";
export type { EnvironmentSpec } from "./evaluate_environment.ts";
export { forwardLines, spawnShell } from "./spawn_shell.ts";
export { SIGNAL_NAMES } from "./signal_names.ts";
export type { Shell, ShellOutput } from "./spawn_shell.ts";
export { terminateShells } from "./terminate.ts";
export type { TerminateOptions } from "./terminate.ts";
export { becomeSubreaper, reapOrphan } from "./subreaper.ts";
export { startWatchdog } from "./watchdog.ts";
export type { Watchdog } from "./watchdog.ts";
