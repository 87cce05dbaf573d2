import { dropAllPermissions, realDeps, runCli } from "./cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, realDeps(dropAllPermissions)));
}
