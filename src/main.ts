import { REFERENCE_VERSION, VERSION } from "./version.ts";

/**
 * Set by `scripts/procpath` for Deno alone: it builds the module graph of a dynamic
 * `import()` when it runs instead of before the first line. Without it Deno reads and
 * analyses every module any command could load (222 of them, about 10 ms of every start,
 * `--version` included) although a command loads its own; with it `query` builds the
 * graph of the 76 it runs. Only for runs allowed to read the source: a module loaded
 * late needs read access to its file, which a replay with `--allow-read=DIR` lacks.
 */
const LAZY_IMPORTS_VARIABLE = "DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS";

if (import.meta.main) {
  if (Deno.args.length === 1 && Deno.args[0] === "--version") {
    // answered before the program (and its argument parser) is loaded: a version check
    // costs little more than the runtime's own start
    console.log(`procpath ${VERSION} (follows Procpath ${REFERENCE_VERSION})`);
    Deno.exit(0);
  }
  // for Deno alone: a program procpath starts (a Deno script under `record --`, explore's
  // SQL process with read access to the recording alone) loads as it would without it;
  // without access to the environment (a replay with narrow flags) it is not the
  // launcher's, which runs with -A, and asking would prompt
  const env = { name: "env", variable: LAZY_IMPORTS_VARIABLE } as const;
  if (Deno.permissions.querySync(env).state === "granted") Deno.env.delete(LAZY_IMPORTS_VARIABLE);
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
