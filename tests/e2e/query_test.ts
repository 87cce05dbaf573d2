import { assertEquals } from "../_helpers/assert.ts";
import { bakedFlags, fixture, logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const BROWSER = fixture("browser");

Deno.test("procpath query replays a captured procfs with read access to it alone", async () => {
  const { code, stdout, stderr } = await runProcpath(
    ["query", "--procfs", BROWSER, "-d", ",", "$..children[?(@.stat.pid == 108)]..pid"],
    { flags: ["--no-prompt", `--allow-read=${BROWSER}`] },
  );
  assertEquals([code, stdout, stderr], [0, "108,111,112,113\n", ""]);
});

Deno.test("procpath query SQL replays with read access to the procfs alone", async () => {
  const { code, stdout } = await runProcpath(
    [
      "query",
      "--procfs",
      BROWSER,
      "$..children[?(@.stat.pid == 100)]",
      "SELECT SUM(stat_rss) / 1024.0 * 4 total FROM record",
    ],
    { flags: ["--no-prompt", `--allow-read=${BROWSER}`] },
  );
  assertEquals([code, stdout], [0, '[{"total": 1426.484375}]\n']);
});

Deno.test("scripts/procpath runs with the baked flags, the same the compile task uses", async () => {
  const config = JSON.parse(Deno.readTextFileSync(repoPath("deno.json")));
  const compile: string[] = config.tasks.compile.split(/\s+/);
  assertEquals(compile.slice(2, 2 + bakedFlags().length), bakedFlags());
  assertEquals(bakedFlags(), [
    "--allow-all",
    "--no-prompt",
    "--v8-flags=--enable-experimental-regexp-engine-on-excessive-backtracks,--expose-gc,--max-semi-space-size=8",
  ]);
  const { code, stdout } = await runProcpath(["--version"]);
  assertEquals([code, stdout], [0, "procpath 0.8.0 (follows Procpath 1.14.0)\n"]);
  assertEquals(config.version, "0.8.0"); // src/version.ts says the same
});

Deno.test("procpath query output feeds jq-style sums: RSS of a subtree in KiB", async () => {
  const { stdout } = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "$..children[?(@.stat.pid == 108)]",
  ]);
  const rssSum = (node: { stat: { rss: number }; children?: unknown[] }): number =>
    node.stat.rss + (node.children ?? []).reduce((s: number, c) => s + rssSum(c as never), 0);
  assertEquals(JSON.parse(stdout).map(rssSum)[0] / 1024 * 4, 242.890625);
});

Deno.test("procpath query warns once per empty procfile and never prints a stack trace", async () => {
  const { code, stderr } = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "-f",
    "stat,status",
    "-d",
    ",",
    "$..children[?(@.stat.pid == 130)].status.name",
  ]);
  assertEquals(code, 0);
  assertEquals(stderr, "");
  const bad = await runProcpath(["query", "--procfs", BROWSER, "$..children[?(@.stat.pid == 1]"]);
  assertEquals(bad.code, 1);
  assertEquals(logLines(bad.stderr).length, 1);
  assertEquals(bad.stderr.includes("    at "), false);
});

Deno.test("a filter cannot write a file or run a command", async () => {
  const target = await Deno.makeTempDir();
  for (
    const filter of [
      `Deno.writeTextFileSync('${target}/pwned', 'x')`,
      `@.constructor.constructor('Deno.writeTextFileSync("${target}/pwned", "x")')()`,
      `globalThis.Deno.run({cmd: ['touch', '${target}/pwned']})`,
    ]
  ) {
    const { code } = await runProcpath(["query", "--procfs", BROWSER, `$..children[?(${filter})]`]);
    assertEquals(code, 1, filter);
  }
  const inert = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "$..children[?(@.constructor or @.__proto__)]",
  ]);
  assertEquals([inert.code, inert.stdout], [0, "[]\n"]);
  assertEquals([...Deno.readDirSync(target)].length, 0);
  await Deno.remove(target, { recursive: true });
});

Deno.test("a playbook's query section prints a sorted table: its empty sql_query is no SQL", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/p.ini`,
      `[top:query]\nprocfs: ${BROWSER}\nformat: table\ncolumns: pid,rss\nsort: -rss\nlimit: 2\n`,
    );
    const { code, stdout, stderr } = await runProcpath(["play", "-f", `${dir}/p.ini`, "top:query"]);
    assertEquals(code, 0, stderr);
    const rows = stdout.trim().split("\n").slice(1).map((line) => line.trim().split(/\s+/));
    // the largest first: stat's rss of the fixture, in MiB
    const all = await runProcpath([
      "query",
      "--procfs",
      BROWSER,
      "--format",
      "csv",
      "--columns",
      "pid,rss",
    ]);
    const largest = all.stdout.trim().split("\n").slice(1).map((line) =>
      line.split(",").map(Number)
    )
      .sort((a, b) => b[1]! - a[1]!).slice(0, 2).map(([pid]) => String(pid));
    assertEquals(rows.map(([pid]) => pid), largest);
  });
});
