import { assertEquals, assertIncludes } from "../../_helpers/assert.ts";
import { runCli } from "../../../src/cli/mod.ts";
import { chartTitle } from "../../../src/plot/mod.ts";
import { BUILTIN_QUERIES } from "../../../src/store/mod.ts";
import { captureDeps } from "../../_helpers/capture_deps.ts";
import { fixture } from "../../_helpers/run_procpath.ts";

async function plot(...args: string[]) {
  const deps = captureDeps();
  const code = await runCli(["plot", ...args], deps);
  return { code, stderr: deps.err.join("") };
}

let recorded: string | undefined;
async function database(): Promise<string> {
  if (recorded) return recorded;
  const dir = await Deno.makeTempDir();
  recorded = `${dir}/r.sqlite`;
  assertEquals(
    await runCli(
      ["record", "--procfs", fixture("browser"), "-d", recorded, "-r", "3", "-i", "0"],
      captureDeps(),
    ),
    0,
  );
  return recorded;
}

Deno.test("procpath plot validates in the reference's order with its messages", async () => {
  const db = await database();
  // 2 for what the argument parser rejects, 1 for what the command refuses (contract §1)
  const cases: [string[], string, number][] = [
    [["-d", db], "No query to plot", 1],
    [["-d", db, "-q", "foo", "-q", "rss", "-q", "cpu"], "Unknown query foo", 1],
    [
      ["-d", db, "-q", "rss", "-q", "cpu", "-q", "fd"],
      "More than 2 queries to plot on 2 Y axes",
      1,
    ],
    [["-d", db, "-q", "rss", "-w", "0"], "Moving average window must be a positive number", 1],
    [
      ["-d", db, "-q", "fd"],
      "'Open File Descriptors' requires the following procfiles missing in the database: fd",
      1,
    ],
    [["-d", db, "--custom-value-expr", "nope"], "SQL error: no such column: nope", 1],
    [["-d", db, "-q", "rss", "--style", "Nope"], "expected one of DefaultStyle, LightStyle", 2],
  ];
  for (const [args, message, expected] of cases) {
    const { code, stderr } = await plot(...args);
    assertEquals([code, stderr.trim().split("\n").length], [expected, 1], args.join(" "));
    assertIncludes(stderr, message);
  }
  const missing = await plot("-d", "/nonexistent.sqlite", "-q", "rss");
  assertEquals(missing.code, 1);
  assertIncludes(missing.stderr, 'Cannot open "/nonexistent.sqlite"');
});

Deno.test("procpath plot writes the chart with custom expressions and query files", async () => {
  const db = await database();
  const dir = await Deno.makeTempDir();
  Deno.writeTextFileSync(
    `${dir}/q.sql`,
    "SELECT ts, stat_pid pid, stat_rss value FROM record WHERE stat_pid = 100 ORDER BY stat_pid, record_id",
  );
  const out = `${dir}/p.svg`;
  const { code } = await plot(
    "-d",
    db,
    "-f",
    out,
    "--custom-value-expr",
    "stat_rss * 2",
    "--custom-query-file",
    `${dir}/q.sql`,
    "-p",
    "100,106",
  );
  assertEquals(code, 0);
  const svg = Deno.readTextFileSync(out);
  assertIncludes(svg, "<title>Custom expression vs Custom query</title>");
  assertEquals(svg.match(/class="line"/g)?.length, 3);
  assertIncludes(svg, 'data-title="№1 100 (firefox)"');
  assertIncludes(svg, 'data-title="№2 100 (firefox)"');
  // a time window outside the recording is one clear line, and the chart is left as it was
  const before = Deno.readTextFileSync(out);
  const after = await plot("-d", db, "-f", out, "-q", "rss", "-a", "2100-01-01T00:00:00");
  assertEquals(after.code, 1);
  assertIncludes(
    after.stderr,
    "No data to plot: the queries return no values with -a 2100-01-01T00:00:00",
  );
  assertEquals(Deno.readTextFileSync(out), before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("chartTitle() joins titles as the reference does", () => {
  const { rss, cpu, fd } = BUILTIN_QUERIES;
  assertEquals(chartTitle([rss], false), "Resident Set Size, MiB");
  assertEquals(chartTitle([rss, cpu], false), "Resident Set Size, MiB vs CPU Usage, %");
  assertEquals(
    chartTitle([rss, cpu, fd], true),
    "1. Resident Set Size, MiB; 2. CPU Usage, %; 3. Open File Descriptors",
  );
});

Deno.test("plot's axes: whole ticks for --formatter integer, a custom expression named by --title or itself", async () => {
  const db = await database();
  const dir = await Deno.makeTempDir();
  const out = `${dir}/p.svg`;
  const yLabels = () =>
    [...Deno.readTextFileSync(out).matchAll(/class="m yl"[^>]*>([^<]*)</g)].map((m) => m[1]);
  const axisTitle = () =>
    /rotate\(-90\)" text-anchor="middle">([^<]*)</.exec(Deno.readTextFileSync(out))![1];
  assertEquals((await plot("-d", db, "-f", out, "-q", "rss", "--formatter", "integer")).code, 0);
  assertEquals(yLabels().every((label) => /^[\d,]+$/.test(label)), true, yLabels().join(" "));
  assertEquals(
    (await plot("-d", db, "-f", out, "--custom-value-expr", "stat_rss * 2", "--title", "Doubled"))
      .code,
    0,
  );
  assertEquals(axisTitle(), "Doubled");
  assertEquals((await plot("-d", db, "-f", out, "--custom-value-expr", "stat_rss * 2")).code, 0);
  assertEquals(axisTitle(), "stat_rss * 2");
  const bad = await plot("-d", db, "-f", out, "-q", "rss", "--group-by", "nope");
  assertEquals(bad.code, 2);
  assertIncludes(bad.stderr, "expected one of pid, comm, subtree, cmdline:REGEX");
  await Deno.remove(dir, { recursive: true });
});
