import { REFERENCE_VERSION, VERSION } from "./version.ts";

if (import.meta.main) {
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    // answered before the program (and its argument parser) is loaded: a version check
    // costs little more than the runtime's own start
    console.log(`procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`);
    Deno.exit(0);
  }
  // before the parent can be gone, and before any child could see the launcher's
  // variable; loaded with the command line's modules, not before --version's answer
  const callerLimits = import("./kernel/caller_limits.ts").then((m) => m.rememberCallerLimits());
  if (Deno.args.includes("query")) {
    // the query's engine loads in the same wave as the command line's modules instead of
    // in a second one once `query` runs: module loading waits on the file system (median
    // time to the engine loaded: 15 ms instead of 20)
    import("./cli/query_command.ts").catch(() => {});
    import("./query/mod.ts").catch(() => {});
    import("./snapshot/mod.ts").catch(() => {});
    import("./store/flatten.ts").catch(() => {});
    import("./shell/evaluate_environment.ts").catch(() => {});
  }
  const { dropAllPermissions, realDeps, runCli } = await import("./cli/mod.ts");
  await callerLimits;
  Deno.exit(await runCli(Deno.args, realDeps(dropAllPermissions)));
}
