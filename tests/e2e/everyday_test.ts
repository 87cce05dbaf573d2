// Everyday use at the edges: one error style, quiet pipes, terminal safety.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { writeFakeTree } from "../_helpers/fake_tree.ts";
import { descendantsOf, waitFor } from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const BROWSER = fixture("browser");
const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ERROR {3}procpath \S/;

Deno.test("every option error is one line in the log format, with its hint on that line", async () => {
  const cases: [string[], string][] = [
    [["query", "--foo"], "unknown option '--foo'"],
    [["qurey"], "unknown command 'qurey' (Did you mean query?)"],
    [
      ["record", "-i", "x", "-d", "a.sqlite"],
      "argument 'x' is invalid. expected a number of seconds",
    ],
    [["record"], "required option '-d, --database-file <database-file>' not specified"],
    [["query", "-f", "stat,nope"], 'unknown procfile "nope"'],
    [["plot", "-d", "x", "--formatter", "nope"], "expected one of"],
    [["watch", "-i", "1"], "required option '-c, --command <command>' not specified"],
    [["query", "--procfs-target", "threads"], 'expected "process" or "thread"'],
    [["--logging-level", "LOUD", "query"], "expected one of DEBUG"],
  ];
  for (const [args, message] of cases) {
    const { code, stderr, stdout } = await runProcpath(args);
    assertEquals([code, stdout], [2, ""], args.join(" "));
    const lines = stderr.trim().split("\n");
    assertEquals(lines.length, 1, stderr);
    assertEquals(LOG_LINE.test(lines[0]), true, lines[0]);
    assertIncludes(lines[0], message);
  }
});

Deno.test("a huge input is shortened in the error that quotes it", async () => {
  const filter = `$..children[?(@.stat.pid == ${"1 + ".repeat(20000)})]`;
  const { code, stderr } = await runProcpath(["query", "--procfs", BROWSER, filter]);
  assertEquals(code, 1);
  assertEquals(stderr.trim().split("\n").length, 1);
  assertEquals(stderr.length < 1000, true, `${stderr.length} characters`);
  assertIncludes(stderr, "characters)");
});

Deno.test("a closed stdout ends query silently: procpath query | head -1", async () => {
  const { code, stdout } = await new Deno.Command("bash", {
    args: [
      "-o",
      "pipefail",
      "-c",
      `scripts/procpath query --procfs ${BROWSER} -f stat,cmdline,status,io,fd,smaps_rollup -i 4 2>err.log | head -1; echo "status $?"; cat err.log; rm err.log`,
    ],
    cwd: repoPath(""),
  }).output();
  assertEquals(code, 0);
  assertEquals(new TextDecoder().decode(stdout), "[\nstatus 0\n");
});

Deno.test("control characters from process data reach log lines and terminals visibly, pipes unchanged", async () => {
  await withTempDir(async (dir) => {
    writeFakeTree(dir, [{ pid: 1, ppid: 0, comm: "evil\u001b]0;owned\u0007x" }]);
    const watched = await runProcpath([
      "watch",
      "--procfs",
      dir,
      "-q",
      "N=$..stat.comm",
      "-c",
      'echo "$N"',
      "-i",
      "1",
      "-r",
      "1",
    ]);
    assertEquals(logLines(watched.stderr), ["INFO №1: evil\\x1b]0;owned\\x07x"]);
    const piped = await runProcpath(["query", "--procfs", dir, "-d", ",", "$..stat.comm"]);
    assertEquals(piped.stdout, "evil\u001b]0;owned\u0007x\n");
    // a terminal: script(1) gives procpath a pseudo-terminal as stdout
    const { stdout } = await new Deno.Command("script", {
      args: ["-qec", `scripts/procpath query --procfs ${dir} -d , '$..stat.comm'`, "/dev/null"],
      cwd: repoPath(""),
    }).output();
    assertEquals(new TextDecoder().decode(stdout).trim(), "evil\\x1b]0;owned\\x07x");
  });
});

Deno.test("capture saves what procpath reads, and the tree replays with --procfs", async () => {
  await withTempDir(async (dir) => {
    const files = "stat,cmdline,status,io,smaps_rollup";
    const captured = await runProcpath([
      "capture",
      "--procfs",
      BROWSER,
      "-f",
      files,
      `${dir}/cap`,
      "$..children[?(@.stat.pid == 108)]",
    ]);
    assertEquals(captured.code, 0, captured.stderr);
    assertIncludes(captured.stderr, `Captured 4 processes`); // 108 and its three children
    const query = ["-f", files, "$..children[?(@.stat.pid == 108)]"];
    const original = await runProcpath(["query", "--procfs", BROWSER, ...query]);
    const replayed = await runProcpath(["query", "--procfs", `${dir}/cap`, ...query]);
    assertEquals(replayed.stdout, original.stdout);
    assertEquals(Deno.statSync(`${dir}/cap/self/auxv`).isFile, true);

    // live: a spawned subtree
    const tree = new Deno.Command("sh", { args: ["-c", "sleep 30 & sleep 30 & wait"] }).spawn();
    await waitFor(() => descendantsOf(tree.pid).length === 2);
    const live = await runProcpath([
      "capture",
      `${dir}/live`,
      `$..children[?(@.stat.pid == ${tree.pid})]`,
    ]);
    assertEquals(live.code, 0, live.stderr);
    const pids = (args: string[]) =>
      runProcpath(["query", ...args, "-d", ",", `$..children[?(@.stat.pid == ${tree.pid})]..pid`]);
    const [now, replay] = [await pids([]), await pids(["--procfs", `${dir}/live`])];
    tree.kill("SIGKILL");
    await tree.status;
    assertEquals(replay.stdout, now.stdout);
    assertEquals(replay.stdout.split(",").length, 3);
    const again = await runProcpath(["capture", `${dir}/live`]);
    assertEquals(again.code, 1);
    assertIncludes(again.stderr, "it is not empty");
  });
});

Deno.test("--format pids prints each PID once, ascending, for strace -p, perf -p and kill", async () => {
  const pids = async (...args: string[]) =>
    await runProcpath(["query", "--procfs", BROWSER, ...args]);
  // values selected with ..pid come in tree order; pids sorts them
  const values = await pids("-d", ",", "$..children[?(@.stat.ppid == 1)]..pid");
  assertEquals(
    values.stdout,
    "100,101,102,103,104,105,106,107,108,111,112,113,109,110,114,115,130\n",
  );
  // ascending, and without the zombie 115 (as pidof: nothing can trace or signal it)
  const sorted = await pids("--format", "pids", "$..children[?(@.stat.ppid == 1)]..pid");
  assertEquals(
    sorted.stdout,
    "100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,130\n",
  );
  // whole nodes: with their subtrees, or (--no-subtree) the selected ones alone
  const nodes = await pids("--format", "pids", "$..children[?(@.stat.ppid == 1)]");
  assertEquals(nodes.stdout, sorted.stdout);
  const own = await pids(
    "--format",
    "pids-space",
    "--no-subtree",
    "$..children[?(@.stat.ppid == 1)]",
  );
  assertEquals(own.stdout, "100 130\n");
  const none = await pids("--format", "pids", "--fail-empty", "$..children[?(@.stat.pid == 9)]");
  assertEquals([none.code, none.stdout], [1, ""]);
  const names = await pids("--format", "pids", "$..comm");
  assertEquals(names.code, 1);
  assertIncludes(names.stderr, "must select process nodes or PIDs");
});

Deno.test("--name and --match select as pidof and pgrep -f do, expand to JSONPath, and exit 1 on nothing", async () => {
  const query = (...args: string[]) => runProcpath(["query", "--procfs", BROWSER, ...args]);
  // as pidof: the processes named so (with --no-subtree, those alone), the zombie 115 left out
  const tabs = await query("--name", "Web Content", "--no-subtree", "--format", "pids");
  assertEquals([tabs.code, tabs.stdout], [0, "106,107,110\n"]);
  // the same as the JSONPath the help shows
  const spelled = await query(
    "--no-subtree",
    "--format",
    "pids",
    '$..children[?(@.stat.comm == "Web Content")]',
  );
  assertEquals(spelled.stdout, tabs.stdout);
  // as pgrep -f, with their subtrees: python3 -u helper.py and what runs below it
  const helper = await query("--match", "helper\\.py$", "--format", "pids");
  assertEquals(helper.stdout, "111,112,113\n");
  const slash = await query("--match", "firefox/firefox -forkserver", "--format", "pids");
  assertEquals(slash.stdout, "114\n");
  // nothing selected: exit 1, as pgrep and pidof
  const none = await query("--name", "nginx");
  assertEquals([none.code, none.stdout], [1, ""]);
  const both = await query("--name", "sh", "$..children");
  assertEquals(both.code, 2);
  assertIncludes(both.stderr, "give one selection");
  const bad = await query("--match", "(");
  assertEquals(bad.code, 2);
  assertIncludes(bad.stderr, "not a regular expression");
  // top, record and inspect take them too, and say when nothing matches
  await withTempDir(async (dir) => {
    for (
      const args of [
        ["top", "-b", "-r", "1", "-i", "0.1", "--procfs", BROWSER, "--name", "nginx"],
        ["record", "-r", "1", "--procfs", BROWSER, "-d", `${dir}/r.sqlite`, "--name", "nginx"],
        ["inspect", "-w", "0.1", "--name", "no-such-name-xyz"],
      ]
    ) {
      const result = await runProcpath(args);
      assertEquals([result.code, logLines(result.stderr)], [1, [
        `ERROR No process matches --name ${args.at(-1)}`,
      ]], args[0]);
    }
    assertEquals([...Deno.readDirSync(dir)], []);
    const recorded = await runProcpath([
      "record",
      "-r",
      "1",
      "--procfs",
      BROWSER,
      "-d",
      `${dir}/r.sqlite`,
      "--name",
      "sleep",
    ]);
    assertEquals(recorded.code, 0, recorded.stderr);
  });
});

Deno.test("--pid and --no-subtree select the same on query, top, record, watch, metrics and inspect", async () => {
  const query = (...args: string[]) => runProcpath(["query", "--procfs", BROWSER, ...args]);
  // a shorthand prints the tree a person reads; -n and -m are --name and --match
  const tree = await query("-m", "helper\\.py$");
  assertEquals(tree.code, 0, tree.stderr);
  assertEquals(tree.stdout.split("\n")[0].startsWith("111 "), true, tree.stdout);
  assertEquals(tree.stdout.trim().split("\n").length, 3);
  const json = await query("-n", "python3 (x)", "--format", "json", "--no-subtree");
  const nodes = JSON.parse(json.stdout) as { stat: { pid: number }; children?: unknown }[];
  assertEquals(nodes.map((n) => [n.stat.pid, n.children]), [[111, undefined]]);
  // --pid, with and without its subtree, as the JSONPath its help shows
  const withSubtree = await query("--pid", "111", "--format", "pids");
  assertEquals(withSubtree.stdout, "111,112,113\n");
  const alone = await query("--pid", "111,114", "--no-subtree", "--format", "pids");
  assertEquals(alone.stdout, "111,114\n");
  const spelled = await query("--format", "pids", "$..children[?(@.stat.pid in [111])]");
  assertEquals(spelled.stdout, withSubtree.stdout);
  const tooMany = await query("--pid", "111", "--name", "x");
  assertEquals(tooMany.code, 2);
  const notPid = await query("--pid", "11a");
  assertEquals([notPid.code, logLines(notPid.stderr).length], [2, 1]);
  assertIncludes(notPid.stderr, '"11a" in "11a" is not a PID');
  // top: one process, or three with its subtree
  for (const [extra, count] of [[[], 3], [["--no-subtree"], 1]] as const) {
    const top = await runProcpath([
      "top",
      "-b",
      "-r",
      "1",
      "-i",
      "0.1",
      "--procfs",
      BROWSER,
      "--pid",
      "111",
      ...extra,
    ]);
    assertIncludes(top.stdout, count === 1 ? "  1 process  " : ` ${count} processes`);
  }
  // record: the rows of the process alone
  await withTempDir(async (dir) => {
    const recorded = await runProcpath([
      "record",
      "-r",
      "1",
      "--procfs",
      BROWSER,
      "-d",
      `${dir}/r.sqlite`,
      "--pid",
      "111",
      "--no-subtree",
    ]);
    assertEquals(recorded.code, 0, recorded.stderr);
    const rows = await runProcpath([
      "query",
      "--recording",
      `${dir}/r.sqlite`,
      "--sql",
      "SELECT stat_pid FROM record",
      "-d",
      ",",
    ]);
    assertEquals(rows.stdout.trim(), '{"stat_pid": 111}');
    // watch: $PIDS, each once and ascending
    const watched = await runProcpath([
      "watch",
      "-i",
      "1",
      "-r",
      "1",
      "--procfs",
      BROWSER,
      "--pid",
      "111",
      "-c",
      "echo pids=$PIDS",
    ]);
    assertIncludes(watched.stderr, "pids=111,112,113");
    const none = await runProcpath([
      "watch",
      "-i",
      "1",
      "-r",
      "1",
      "-n",
      "no-such-xyz",
      "-c",
      "true",
    ]);
    assertEquals([none.code, logLines(none.stderr)], [1, [
      "ERROR No process matches --name no-such-xyz",
    ]]);
    // inspect: the test's own process alone, or with what it runs (a child it starts)
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      for (const [extra, count] of [[["--no-subtree"], 1], [[], 2]] as const) {
        const report = await runProcpath([
          "inspect",
          "-w",
          "0.1",
          "--format",
          "json",
          "--pid",
          String(Deno.pid),
          ...extra,
        ]);
        const pids = (JSON.parse(report.stdout).processes as { pid: number }[]).map((p) => p.pid);
        assertEquals(pids.includes(Deno.pid), true);
        assertEquals(pids.includes(child.pid), count === 2, pids.join());
      }
    } finally {
      child.kill();
      await child.status;
    }
    // metrics: a group named for the process, refused when it selects nothing
    const metrics = await runProcpath(["metrics", "-p", "0", "-n", "no-such-xyz"]);
    assertEquals([metrics.code, logLines(metrics.stderr)], [1, [
      "ERROR No process matches --name no-such-xyz",
    ]]);
  });
});

Deno.test("USER, %MEM and TTY columns read as ps prints them", async () => {
  const live = await runProcpath([
    "query",
    "--format",
    "table",
    "--no-subtree",
    "--columns",
    "pid,user,tty,mem",
    `$..children[?(@.stat.pid == ${Deno.pid})]`,
  ]);
  assertEquals(live.code, 0, live.stderr);
  const [header, row] = live.stdout.trim().split("\n");
  assertEquals(header.trim().split(/\s+/), ["PID", "USER", "TTY", "%MEM"]);
  const cells = row.trim().split(/\s+/);
  const me = new TextDecoder().decode(new Deno.Command("id", { args: ["-un"] }).outputSync().stdout)
    .trim();
  assertEquals(cells[1], me);
  assertEquals(Number(cells[3]) >= 0 && Number(cells[3]) < 100, true, row);
  // a captured tree is another machine's: its users stay numbers
  const replay = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "--format",
    "csv",
    "--no-subtree",
    "--columns",
    "pid,user,tty",
    "$..children[?(@.stat.pid == 1)]",
  ]);
  assertEquals(replay.stdout.trim().split("\n").at(-1), "1,1000,?");
});
