import { assertEquals, assertIncludes } from "../../_helpers/assert.ts";
import { runCli } from "../../../src/cli/mod.ts";
import { captureDeps } from "../../_helpers/capture_deps.ts";
import { fixture } from "../../_helpers/run_procpath.ts";

const BROWSER = fixture("browser");

async function query(...args: string[]) {
  const deps = captureDeps();
  const code = await runCli(["query", "--procfs", BROWSER, ...args], deps);
  return { code, stdout: deps.out.join(""), stderr: deps.err.join(""), dropped: deps.dropped };
}

Deno.test("procpath query prints pids of a subtree joined by commas", async () => {
  const { code, stdout, dropped } = await query(
    "-d",
    ",",
    "$..children[?(@.stat.pid == 111)]..pid",
  );
  assertEquals([code, stdout, dropped], [0, "111,112,113\n", 1]);
});

Deno.test("procpath query prints whole nodes as sorted, indented JSON", async () => {
  const { code, stdout } = await query("-i", "2", "$..children[?(@.stat.pid == 113)]");
  assertEquals(code, 0);
  const [node] = JSON.parse(stdout);
  assertEquals(Object.keys(node), ["cmdline", "stat"]);
  assertEquals(node.cmdline, "sleep 100");
  assertEquals(Object.keys(node.stat), Object.keys(node.stat).sort());
  assertIncludes(stdout, '\n  {\n    "cmdline": "sleep 100",\n');
});

Deno.test("procpath query without a JSONPath prints the forest: roots are the processes without a visible parent", async () => {
  const { stdout } = await query();
  const roots = JSON.parse(stdout);
  assertEquals(roots.map((r: { stat: { pid: number } }) => r.stat.pid), [1, 2, 500]);
  assertEquals(roots[0].children.map((c: { stat: { pid: number } }) => c.stat.pid), [100, 130]);
});

Deno.test("procpath query runs SQL over the selected nodes", async () => {
  const { code, stdout } = await query(
    "$..children[?(@.stat.pid == 108)]",
    "SELECT SUM(stat_rss) / 1024.0 * 4 total, COUNT(*) n FROM record",
  );
  assertEquals([code, stdout], [0, '[{"n": 4, "total": 242.890625}]\n']);
});

Deno.test("procpath query SQL sees every procfile's columns and the meta table", async () => {
  const { code, stdout } = await query(
    "-f",
    "stat,cmdline,io,status,fd,smaps_rollup",
    "$..children[?(@.stat.pid == 111)]",
    "SELECT stat_comm, status_sigign, status_uid, fd_reg, smaps_rollup_pss, io_read_bytes, " +
      "(SELECT value FROM meta WHERE key = 'page_size') page_size FROM record ORDER BY stat_pid LIMIT 1",
  );
  assertEquals(code, 0);
  assertEquals(JSON.parse(stdout), [{
    fd_reg: 2,
    io_read_bytes: 454656,
    page_size: "4096",
    smaps_rollup_pss: 4000,
    stat_comm: "python3 (x)",
    status_sigign: 18446744073709551615,
    status_uid: "[1000,1000,1000,1000]",
  }]);
  assertIncludes(stdout, '"status_sigign": 18446744073709551615');
});

Deno.test("procpath query templates the query with -e variables", async () => {
  const { code, stdout } = await query(
    "-e",
    "C1=echo 109",
    "-e",
    "C2=echo $((${C1} + 4))",
    "-d",
    ",",
    "$..children[?(@.stat.pid in [$C1, $C2])].stat.comm",
  );
  assertEquals([code, stdout], [0, "(a) b),sleep\n"]);
});

Deno.test("procpath query prints nothing for an empty delimited result and [] for empty JSON", async () => {
  assertEquals((await query("-d", ",", "$..children[?(@.stat.pid == 4040)]")).stdout, "");
  assertEquals((await query("$..children[?(@.stat.pid == 4040)]")).stdout, "[]\n");
});

Deno.test("procpath query exits 1 on a bad JSONPath, filter or SQL and 2 on a bad option, with one line", async () => {
  const cases: [string[], string, number][] = [
    [["!@#$"], 'Cannot parse query "!@#$": expected "$" at position 0', 1],
    [["$..children[?(@.stat.pid == )]"], "Cannot parse filter", 1],
    [["$..children[?(Deno.exit(3))]"], 'method "exit" is not allowed', 1],
    [["$..children[?(@.stat.pid == 1)]", "SELEC 1"], 'SQL error: near "SELEC": syntax error', 1],
    [["$..pid", "SELECT 1"], "the JSONPath must select whole process nodes", 1],
    [
      ["-f", "stat,foo"],
      'unknown procfile "foo"; valid: stat, cmdline, io, status, fd, smaps_rollup',
      2,
    ],
    [["--procfs-target", "threads"], 'expected "process" or "thread"', 2],
  ];
  for (const [args, message, expected] of cases) {
    const { code, stderr, stdout } = await query(...args);
    assertEquals(
      [code, stdout, stderr.trim().split("\n").length],
      [expected, "", 1],
      args.join(" "),
    );
    assertIncludes(stderr, message);
  }
});

Deno.test("procpath query warns when an -e command fails and exits 1 when the procfs root is unreadable", async () => {
  // the reference ignores an -e command's status (contract §8); procpath says it once
  const failing = await query(
    "-e",
    "C1=echo 2; exit 3",
    "-d",
    ",",
    "$..children[?(@.stat.pid == $C1)].stat.pid",
  );
  assertEquals([failing.code, failing.stdout], [0, "2\n"]);
  assertIncludes(
    failing.stderr,
    'Command of C1 "echo 2; exit 3" exited with code 3; using its output',
  );
  const multiLine = await query(
    "-e",
    'C1=printf "2\\n3"',
    "-d",
    ",",
    "$..children[?(@.stat.pid == $C1)].stat.pid",
  );
  assertEquals([multiLine.code, multiLine.stdout], [0, "2\n"]);
  const deps = captureDeps();
  assertEquals(await runCli(["query", "--procfs", "/nonexistent/proc"], deps), 1);
  assertIncludes(deps.err.join(""), "Cannot read: No such file or directory");
});
