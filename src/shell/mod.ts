export {
  buildEnvironmentScript,
  EnvironmentError,
  evaluateEnvironment,
  parseEnvironmentSpec,
} from "./evaluate_environment.ts";
export type { EnvironmentSpec } from "./evaluate_environment.ts";
export { forwardLines, SIGNAL_NAMES, spawnShell } from "./spawn_shell.ts";
export type { Shell, ShellOutput } from "./spawn_shell.ts";
export { terminateShells } from "./terminate.ts";
export type { TerminateOptions } from "./terminate.ts";
export { becomeSubreaper, reapOrphan } from "./subreaper.ts";
export { startWatchdog } from "./watchdog.ts";
export type { Watchdog } from "./watchdog.ts";
