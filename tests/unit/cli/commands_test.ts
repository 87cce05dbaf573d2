// The command tables are the one description of each command: these tests keep the
// parser, the help, playbooks and play -n in step with them.
import { assertEquals } from "../../_helpers/assert.ts";
import { captureDeps } from "../../_helpers/capture_deps.ts";
import { repoPath } from "../../_helpers/run_procpath.ts";
import { runCli } from "../../../src/cli/mod.ts";
import { loadCommands } from "../../../src/cli/commands.ts";

const { commands: COMMANDS } = await loadCommands(undefined);
import { parseCommandLine } from "../../../src/cli/parse_argv.ts";
import { dryRunKwargs, playbookSpec } from "../../../src/cli/play_command.ts";
import { optionKey, playbookKey, takesValue } from "../../../src/cli/spec.ts";

Deno.test("every option's key in its table is the name the parser gives it", () => {
  for (const command of COMMANDS) {
    for (const [key, spec] of Object.entries(command.options)) {
      assertEquals(optionKey(spec), key, `${command.name} ${spec.flags}`);
    }
  }
});

Deno.test("every playbook key of a playable command is an option its parser accepts", () => {
  const playable = COMMANDS.filter((c) => c.playable).map((c) => c.name);
  assertEquals(playable, ["query", "record", "plot", "watch"]);
  for (const command of COMMANDS.filter((c) => c.playable)) {
    const spec = playbookSpec(command);
    const byKey = new Map(Object.values(command.options).map((o) => [playbookKey(o), o]));
    for (const key of [...spec.flags, ...spec.repeatable, ...spec.options]) {
      const option = byKey.get(key);
      assertEquals(option !== undefined, true, `${command.name}: ${key}`);
      // a command line built from the key parses (required options given alongside)
      const required = Object.values(command.options)
        .filter((o) => o.required && o !== option)
        .flatMap((o) => [`--${playbookKey(o).replace(/_/g, "-")}`, "1"]);
      const value = takesValue(option!) ? [sample(key)] : [];
      const argv = [`--${key.replace(/_/g, "-")}`, ...value, ...required];
      parseCommandLine(command, argv); // throws when the parser does not know the key
    }
    assertEquals(spec.positional, command.args.map((a) => a.name));
  }
});

/** A value each option's parser accepts. */
function sample(key: string): string {
  const samples: Record<string, string> = {
    procfile_list: "stat",
    environment: "A=true",
    query: "Q=$..pid",
    procfs_target: "process",
    stop_signal: "SIGTERM",
    style: "DarkStyle",
    formatter: "integer",
    after: "2026-01-01T00:00:00",
    before: "2026-01-01T00:00:00",
    pid_list: "1,2",
    database_file: "x.sqlite",
    format: "table",
    columns: "pid,rss",
    sort: "-rss",
    rank_by: "max",
    at: "last",
    remote_label: "job=ci",
    remote_write: "http://127.0.0.1:9090/api/v1/write",
    group_by: "comm",
  };
  return samples[key] ?? "1";
}

Deno.test("play -n shows the reference's keyword arguments for each command", () => {
  const kwargs = (name: string, argv: string[]) => {
    const command = COMMANDS.find((c) => c.name === name)!;
    const { args, options } = parseCommandLine(command, argv);
    return Object.keys(dryRunKwargs(command, args, options as Record<string, unknown>)).sort();
  };
  assertEquals(kwargs("query", []), [
    "delimiter",
    "environment",
    "indent",
    "procfile_list",
    "procfs",
    "procfs_target",
    "query",
    "sql_query",
  ]);
  assertEquals(kwargs("record", ["-d", "x"]), [
    "database_file",
    "environment",
    "interval",
    "pid_list",
    "procfile_list",
    "procfs",
    "procfs_target",
    "query",
    "recnum",
    "reevalnum",
    "stop_without_result",
  ]);
  assertEquals(kwargs("plot", ["-d", "x"]), [
    "after",
    "before",
    "custom_query_file_list",
    "custom_value_expr_list",
    "database_file",
    "epsilon",
    "formatter",
    "logarithmic",
    "moving_average_window",
    "no_dots",
    "pid_list",
    "plot_file",
    "query_name_list",
    "relative_time",
    "share_y_axis",
    "style",
    "title",
  ]);
  assertEquals(kwargs("watch", ["-c", "true", "-i", "1"]), [
    "command_list",
    "environment",
    "interval",
    "kill_after",
    "no_restart",
    "procfile_list",
    "procfs",
    "procfs_target",
    "query_list",
    "repeat",
    "stop_signal",
  ]);
  assertEquals(
    kwargs("watch", ["-c", "true", "-i", "1", "--fan-out", "P"]).includes("fan_out"),
    true,
  );
});

Deno.test("every command's help matches its snapshot (tests/golden/help; UPDATE_GOLDEN=1 rewrites)", async () => {
  const previous = Deno.env.get("COLUMNS");
  Deno.env.set("COLUMNS", "100");
  try {
    for (const name of ["", ...COMMANDS.map((c) => c.name)]) {
      const deps = captureDeps();
      const code = await runCli(name ? [name, "--help"] : ["--help"], deps);
      assertEquals(code, 0, name);
      const text = deps.out.join("");
      const path = repoPath(`tests/golden/help/${name || "procpath"}.txt`);
      if (Deno.env.get("UPDATE_GOLDEN") === "1") Deno.writeTextFileSync(path, text);
      assertEquals(text, Deno.readTextFileSync(path), `help of ${name || "procpath"}`);
    }
  } finally {
    if (previous === undefined) Deno.env.delete("COLUMNS");
    else Deno.env.set("COLUMNS", previous);
  }
});

Deno.test("no command module holds domain logic: no iteration loop, SQL statement or /proc path", () => {
  for (const entry of Deno.readDirSync(repoPath("src/cli"))) {
    const text = Deno.readTextFileSync(repoPath(`src/cli/${entry.name}`))
      .replace(/^\s*(\/\/|\*|\/\*\*).*$/gm, ""); // comments may name them
    for (
      const pattern of [
        /for \(let count/,
        /\b(INSERT INTO|CREATE TABLE|FROM record\b(?!'))/,
        /"\/proc/,
      ]
    ) {
      assertEquals(pattern.test(text), false, `${entry.name}: ${pattern}`);
    }
  }
});
