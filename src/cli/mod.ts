export { describeError, exitCodeFor, runCli } from "./run_cli.ts";
export { realDeps } from "./deps.ts";
export type { CliDeps } from "./deps.ts";
export { dropAllPermissions } from "./permissions.ts";
