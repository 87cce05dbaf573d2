// What a person reads: query's tree, table and CSV, and procpath top, live in tmux and
// in batch mode.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import {
  fixture,
  logLines,
  repoPath,
  runProcpath,
  spawnProcpath,
} from "../_helpers/run_procpath.ts";
import { readUntil, waitFor } from "../_helpers/processes.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";

const BROWSER = fixture("browser");
const hasTmux = installed("tmux");

Deno.test("query --format tree, table and csv show the selection readably", async () => {
  const tree = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "--format",
    "tree",
    "--columns",
    "state,rss",
    "$..children[?(@.stat.pid == 108)]",
  ]);
  assertEquals(tree.code, 0, tree.stderr);
  assertEquals(tree.stdout.split("\n").slice(0, 4), [
    "PROCESS              S  RSS_MIB",
    "108 Isolated Web Co  S    234.4",
    "└─ 111 python3 (x)   S      7.8",
    "   └─ 112 sh         S      0.4",
  ]);
  const table = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "--format",
    "table",
    "--columns",
    "pid,comm,rss",
    "--sort",
    "-rss",
    "--limit",
    "3",
  ]);
  assertEquals(
    table.stdout,
    [
      "PID  COMM             RSS_MIB",
      "100  firefox            351.6",
      "108  Isolated Web Co    234.4",
      "106  Web Content        195.3",
      "",
    ].join("\n"),
  );
  // as pgrep -a: only the matches, not what runs below them
  const matches = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "--format",
    "table",
    "--columns",
    "pid,cmdline",
    "--no-subtree",
    "$..children[?(@.cmdline =~ /isForBrowser tab/)]",
  ]);
  assertEquals(
    matches.stdout,
    [
      "PID  COMMAND",
      "106  /usr/lib/firefox/firefox -contentproc -isForBrowser tab",
      "107  /usr/lib/firefox/firefox -contentproc -isForBrowser tab",
      "110  /usr/lib/firefox/firefox -contentproc -isForBrowser tab",
      "",
    ].join("\n"),
  );
  const csv = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "--format",
    "csv",
    "--columns",
    "pid,status.vmrss,cmdline",
    "$..children[?(@.stat.pid == 111)]",
  ]);
  // status is read for the column although -f leaves it out
  assertEquals(csv.stdout.split("\n").slice(0, 2), [
    "pid,status.vmrss,cmdline",
    "111,8000,python3 -u helper.py",
  ]);
});

Deno.test("query says when nothing matched by its exit status with --fail-empty, and refuses bad views", async () => {
  const none = ["query", "--procfs", BROWSER, "$..children[?(@.stat.pid == 4040)]"];
  assertEquals((await runProcpath([...none, "--format", "tree"])).code, 0);
  const failing = await runProcpath([...none, "--format", "tree", "--fail-empty"]);
  assertEquals([failing.code, failing.stdout], [1, ""]);
  assertEquals((await runProcpath([...none, "-d", ",", "--fail-empty"])).code, 1);
  for (
    const [args, message] of [
      [["--format", "pie"], "expected one of json, tree, table, csv, tsv"],
      [["--format", "table", "--columns", "pid,bogus"], 'unknown column "bogus"'],
      [["--format", "table", "-d", ","], "-d and --format exclude each other"],
      [["--format", "tree", "$..stat"], "the JSONPath must select whole process nodes"],
    ] as [string[], string][]
  ) {
    const { code, stderr } = await runProcpath(["query", "--procfs", BROWSER, ...args]);
    assertEquals(code === 1 || code === 2, true, args.join(" "));
    assertEquals(logLines(stderr).length, 1, stderr);
    assertIncludes(stderr, message);
  }
});

/** CPU ticks (utime + stime) a process has used, from the kernel. */
function ticks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const clockTicks = Number(
  new TextDecoder().decode(new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync().stdout),
);

Deno.test({
  name: "top -b prints a block per interval, and a busy loop's CPU % matches the kernel's ticks",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const busy = new Deno.Command("sh", { args: ["-c", "while :; do :; done"] }).spawn();
    const top = spawnProcpath([
      "top",
      "-b",
      "-i",
      "1",
      "-r",
      "4",
      `$..children[?(@.stat.pid == ${busy.pid})]`,
    ]);
    // the kernel's own count between two consecutive blocks, taken as each block arrives
    const marks: { at: number; ticks: number; cpu: number }[] = [];
    let text = "";
    for await (const chunk of top.stdout.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (let end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n")) {
        // heading, the machine's two lines, header, row
        const [, , , header, row] = text.slice(0, end).split("\n");
        text = text.slice(end + 2);
        assertIncludes(header, "CPU%");
        const cells = row.trim().split(/\s+/);
        assertEquals(Number(cells[0]), busy.pid);
        marks.push({ at: performance.now(), ticks: ticks(busy.pid), cpu: Number(cells[3]) });
      }
    }
    assertEquals((await top.status).code, 0);
    busy.kill("SIGKILL");
    await busy.status;
    assertEquals(marks.length, 4);
    for (let i = 1; i < marks.length; i++) {
      const kernel = (marks[i].ticks - marks[i - 1].ticks) / clockTicks /
        ((marks[i].at - marks[i - 1].at) / 1000) * 100;
      assertEquals(
        Math.abs(marks[i].cpu - kernel) < 8,
        true,
        `block ${i}: top ${marks[i].cpu} vs kernel ${kernel.toFixed(1)}`,
      );
    }
  },
});

Deno.test("top refuses a zero or negative interval in one line, and shows an empty selection as such", async () => {
  const empty = await runProcpath([
    "top",
    "-b",
    "-i",
    "0.2",
    "-r",
    "1",
    "$..children[?(@.stat.pid == 0)]",
  ]);
  assertEquals(empty.code, 0);
  assertIncludes(empty.stdout, "  0 processes  CPU 0.0% incl. exited\nup ");
  assertIncludes(empty.stdout, "\n    PID");
  for (const interval of ["0", "-1", "soon"]) {
    const { code, stderr } = await runProcpath(["top", "-b", "-i", interval]);
    assertEquals([code, logLines(stderr).length], [2, 1]);
    assertIncludes(stderr, "expected a number of seconds, more than 0");
  }
});

const screen = (session: string) => tmux("capture-pane", "-p", "-t", session);

Deno.test({
  ...needs(
    "top live in a terminal: keys switch views and sorts, resize redraws, q restores the screen",
    { "tmux is not installed": hasTmux },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const session = `procpath-top-${Date.now() % 100000}`;
    newSession(session, "-x", "100", "-y", "30", "-c", repoPath(""));
    try {
      tmux("send-keys", "-t", session, "clear; echo READY; scripts/procpath top -i 0.5", "Enter");
      await waitFor(() => screen(session).includes("CPU%▼"));
      const first = screen(session);
      // htop's columns but SHR
      assertIncludes(first, "    PID USER      PRI  NI  VIRT   RES S   CPU%▼  MEM%     TIME+");
      assertEquals(first.includes("READY"), false); // the alternate screen covers the shell
      tmux("send-keys", "-t", session, "t");
      await waitFor(() => /[├└]─ /.test(screen(session)));
      tmux("send-keys", "-t", session, "m");
      await waitFor(() => screen(session).includes("RES▼"));
      tmux("send-keys", "-t", session, "Z");
      await waitFor(() => screen(session).includes("PAUSED"));
      tmux("resize-window", "-t", session, "-x", "60");
      await waitFor(() => screen(session).split("\n").every((line) => line.length <= 60));
      tmux("resize-window", "-t", session, "-x", "30");
      await waitFor(() => screen(session).includes("terminal too small"));
      tmux("resize-window", "-t", session, "-x", "100");
      tmux("send-keys", "-t", session, "q");
      await waitFor(() => screen(session).includes("READY"));
      const after = screen(session);
      assertIncludes(after, "READY"); // the shell's screen is back
      assertEquals(after.includes("procpath top"), false);
    } finally {
      tmux("kill-session", "-t", session);
    }
  },
});

Deno.test({
  ...needs("the thread tree of a live multi-threaded process shows its threads, as pstree -pt", {
    "python3 is not installed": installed("python3"),
    "pstree is not installed": installed("pstree"),
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const child = new Deno.Command("python3", {
      args: [repoPath("tests/fixtures/inspect/hot_thread.py")],
      stdout: "piped",
    }).spawn();
    const { rest } = await readUntil(child.stdout, /ready/);
    try {
      const tree = await runProcpath([
        "query",
        "--format",
        "tree",
        "--procfs-target",
        "thread",
        `$..children[?(@.stat.pid == ${child.pid})]`,
      ]);
      assertEquals(tree.code, 0, tree.stderr);
      const ours = [...tree.stdout.matchAll(/\{([^}]+)\}\((\d+)\)/g)].map((m) => `${m[1]}(${m[2]})`)
        .sort();
      const pstree = new TextDecoder().decode(
        new Deno.Command("pstree", { args: ["-pt", String(child.pid)] }).outputSync().stdout,
      );
      const theirs = [...pstree.matchAll(/\{([^}]+)\}\((\d+)\)/g)].map((m) => `${m[1]}(${m[2]})`)
        .sort();
      assertEquals(ours.length, 3, tree.stdout);
      assertEquals(ours, theirs);
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await rest;
    }
  },
});
