import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { readUntil, waitFor } from "../_helpers/processes.ts";
import { sql } from "../_helpers/sqlite.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

function playbook(dir: string): string {
  const path = `${dir}/play.ini`;
  Deno.writeTextFileSync(
    path,
    `
# record a branch of the fixture, then plot it
[fixture]
procfs: ${fixture("browser")}
environment:
  ROOT=echo 108 | \\
    xargs -I{} echo {}

[branch:query]
extends: fixture
query: $..children[?(@.stat.pid == $ROOT)]..pid
delimiter: ,

[branch:record]
extends: fixture
database_file: ${dir}/out.sqlite
pid_list: $ROOT
interval: 0
recnum: 3

[branch:plot]
database_file: ${dir}/out.sqlite
plot_file: ${dir}/rss.svg
query_name:
  rss
  cpu
no_dots: yes

[helper]
interval: 1
`,
  );
  return path;
}

Deno.test("procpath play lists and dry-runs sections with inheritance and continuation lines", async () => {
  await withTempDir(async (dir) => {
    const path = playbook(dir);
    const list = await runProcpath(["play", "-f", path, "-l", "branch:*", "*:plot"]);
    assertEquals([list.code, list.stdout], [
      0,
      "branch:query\nbranch:record\nbranch:plot\nbranch:plot\n",
    ]);
    const dry = await runProcpath(["play", "-f", path, "-n", "*:record", "-o", "recnum=5"]);
    assertEquals(dry.code, 0);
    assertEquals(JSON.parse(dry.stdout), {
      database_file: `${dir}/out.sqlite`,
      environment: [["ROOT", "echo 108 | xargs -I{} echo {}"]],
      interval: 0,
      pid_list: "$ROOT",
      procfile_list: ["stat", "cmdline"],
      procfs: fixture("browser"),
      procfs_target: "process",
      query: "",
      recnum: 5,
      reevalnum: null,
      stop_without_result: false,
    });
    assertIncludes(dry.stdout, '"interval": 0.0,');
    assertEquals(logLines(dry.stderr), ["INFO Executing section branch:record"]);
  });
});

Deno.test("procpath play runs a playbook that queries, records, then plots", async () => {
  await withTempDir(async (dir) => {
    const path = playbook(dir);
    const { code, stdout, stderr } = await runProcpath(["play", "-f", path, "branch:*"]);
    assertEquals(code, 0, stderr);
    assertEquals(stdout, "108,111,112,113\n");
    assertEquals(logLines(stderr).filter((l) => l.includes("Executing")), [
      "INFO Executing section branch:query",
      "INFO Executing section branch:record",
      "INFO Executing section branch:plot",
    ]);
    assertEquals(sql(`${dir}/out.sqlite`, "SELECT COUNT(*) n FROM record")[0].n, 3 * 6);
    assertIncludes(
      Deno.readTextFileSync(`${dir}/rss.svg`),
      "Resident Set Size, MiB vs CPU Usage, %",
    );
  });
});

Deno.test("procpath play rejects bad playbooks with one line", async () => {
  await withTempDir(async (dir) => {
    const cases: [string, string[], string][] = [
      ["x: 1\n", ["*"], "File contains no section headers."],
      ["[a:query]\nbroken\n", ["*"], "Source contains parsing errors:"],
      ["[a:query]\nbogus: 1\n", ["*"], "Invalid section: unrecognized arguments: --bogus 1"],
      [
        "[a:record]\ninterval: 1\n",
        ["*"],
        "Invalid section: the following arguments are required: database-file",
      ],
      ["[a:query]\n", ["nothing*"], "No section matches the target(s)"],
      ["[a:watch]\ncommand: echo \\\ninterval: 1\n", ["*"], "Line continuation end expected"],
      [
        "[a:watch]\ncommand: true\ninterval: 1\nstop_signal: SIGFOO\n",
        ["*"],
        "expected a signal name",
      ],
    ];
    for (const [text, targets, message] of cases) {
      Deno.writeTextFileSync(`${dir}/bad.ini`, text);
      const { code, stderr } = await runProcpath(["play", "-f", `${dir}/bad.ini`, ...targets]);
      assertEquals([code, stderr.trim().split("\n").length], [1, 1], text);
      assertIncludes(stderr, message);
    }
    const missing = await runProcpath(["play", "-f", `${dir}/missing.ini`, "*"]);
    assertEquals(missing.code, 1);
    assertIncludes(missing.stderr, `Cannot read "${dir}/missing.ini"`);
  });
});

Deno.test({
  name: "procpath play: a stop signal during one section ends the play, as the reference's Ctrl+C",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    Deno.writeTextFileSync(
      `${dir}/stop.ini`,
      `[a:record]
database_file: ${dir}/a.sqlite
interval: 0.1
pid_list: ${Deno.pid}

[b:watch]
command: touch ${dir}/b-ran
interval: 0.1
repeat: 1
`,
    );
    const child = spawnProcpath(["play", "-f", `${dir}/stop.ini`, "*"]);
    const { rest } = await readUntil(child.stderr, /Executing section a:record\n/);
    // a sample is committed: the record section runs
    assertEquals(
      await waitFor(() => {
        try {
          return sql(`${dir}/a.sqlite`, "SELECT COUNT(*) n FROM record")[0]!.n as number > 0;
        } catch {
          return false;
        }
      }),
      true,
    );
    Deno.kill(child.pid, "SIGINT");
    const { code } = await child.status;
    const stderr = await rest;
    assertEquals(code, 0, stderr);
    assertIncludes(stderr, "INFO    procpath Stopped: section b:watch not run");
    assertEquals(existsSync(`${dir}/b-ran`), false);
    await Deno.remove(dir, { recursive: true });
  },
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
