import { REFERENCE_VERSION, VERSION } from "./version.ts";

if (import.meta.main) {
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    // answered before the program (and its argument parser) is loaded: a version check
    // costs little more than the runtime's own start
    console.log(`procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`);
    Deno.exit(0);
  }
  const { dropAllPermissions, realDeps, runCli } = await import("./cli/mod.ts");
  Deno.exit(await runCli(Deno.args, realDeps(dropAllPermissions)));
}
