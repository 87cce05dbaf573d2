// Recordings as a time machine: query a recorded moment as if it were /proc, SQL over
// the whole recording, replay in top (driven in tmux), and what changed between moments.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import {
  fixture,
  logLines,
  repoPath,
  runProcpath,
  spawnProcpath,
} from "../_helpers/run_procpath.ts";
import { writeFakeTree } from "../_helpers/fake_tree.ts";
import { syntheticRecording } from "../_helpers/synthetic_recording.ts";
import { spawnGroup, waitFor } from "../_helpers/processes.ts";
import { sql } from "../_helpers/sqlite.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";

const BROWSER = fixture("browser");
const ALL_FILES = "stat,cmdline,io,status,fd,smaps_rollup";

/** Records one sample of `procfs` (every procfile) and returns the recording's path. */
async function recordOnce(procfs: string, dir: string, files = ALL_FILES): Promise<string> {
  const db = `${dir}/once.sqlite`;
  const { code, stderr } = await runProcpath([
    "record",
    "--procfs",
    procfs,
    "-f",
    files,
    "-r",
    "1",
    "-d",
    db,
  ]);
  assertEquals(code, 0, stderr);
  return db;
}

const QUERIES = [
  [],
  ["$..children[?(@.stat.pid == 108)]"],
  ["-d", ",", "$..children[?(@.stat.comm == 'Web Content')]..pid"],
  ["$..status.vmrss"],
  ["-i", "2", "$..children[?(@.stat.pid == 111)]"],
  ["--format", "tree", "--columns", "pid,ppid,state,threads,rss,cpu_time,cmdline"],
  ["--format", "table", "--sort", "-rss", "--columns", "pid,ppid,rss,uss,read_bytes,cmdline"],
  ["--format", "csv", "--columns", "pid,comm,status.uid,status.sigign,fd.reg,io.read_bytes"],
  ["$..children[?(@.stat.pid == 100)]", "SELECT COUNT(*) n, SUM(stat_rss) rss FROM record"],
];

Deno.test("query on a recorded moment prints what query on the same procfs prints", async () => {
  const dir = await Deno.makeTempDir();
  const hostile = `${dir}/hostile`;
  writeFakeTree(hostile, [
    { pid: 1, ppid: 0, comm: "init" },
    { pid: 7, ppid: 1, comm: "a) b", cmdline: 'x\0"quoted" \\back\0' },
    { pid: 9, ppid: 7, comm: "évier", cmdline: "évier\0-n\0" },
  ]);
  for (const [procfs, files] of [[BROWSER, ALL_FILES], [hostile, "stat,cmdline"]]) {
    const db = await recordOnce(procfs, dir, files);
    for (const args of QUERIES) {
      if (procfs === hostile && args.some((a) => /uss|read_bytes|status|fd\./.test(a))) continue;
      const live = await runProcpath(["query", "--procfs", procfs, "-f", files, ...args]);
      const recorded = await runProcpath(["query", "--recording", db, ...args]);
      assertEquals(recorded.code, live.code, args.join(" "));
      assertEquals(recorded.stdout, live.stdout, `${procfs} ${args.join(" ")}`);
      assertEquals(recorded.stderr, "", args.join(" "));
    }
    await Deno.remove(db);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("query on a recorded moment of a live tree matches the live query of that tree", async () => {
  const dir = await Deno.makeTempDir();
  // a group of its own: the subshell's sleep is ended with the rest, not orphaned
  const tree = spawnGroup(["sh", "-c", "sleep 300 & sleep 300 & (sleep 300 & wait) & wait"]);
  try {
    await waitFor(() => {
      const out = new Deno.Command("pgrep", { args: ["-P", String(tree.pid)] }).outputSync();
      return new TextDecoder().decode(out.stdout).trim().split("\n").length >= 3;
    });
    const selector = `$..children[?(@.stat.pid == ${tree.pid})]`;
    const db = `${dir}/live.sqlite`;
    assertEquals((await runProcpath(["record", "-r", "1", "-d", db, selector])).code, 0);
    for (
      const args of [[selector], ["-d", ",", `${selector}..pid`], [
        "--format",
        "tree",
        "--columns",
        "pid,ppid,comm,cmdline",
        selector,
      ]]
    ) {
      const live = await runProcpath(["query", ...args]);
      const recorded = await runProcpath(["query", "--recording", db, ...args]);
      // a recording of a selection holds that subtree, whose root's parent is not recorded
      assertEquals(recorded.stdout, live.stdout, args.join(" "));
    }
  } finally {
    await tree.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("moments: --at picks the sample at or before it and says which on stderr", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/m.sqlite`;
  const rec = syntheticRecording(db, ["stat", "cmdline"]);
  const insert = rec.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, cmdline) VALUES (?, ?, ?, ?, ?)",
  );
  const t0 = Date.UTC(2026, 10, 22, 3, 0, 0) / 1000;
  for (let i = 0; i < 5; i++) {
    insert.run(t0 + 60 * i, 1, 0, "init", "init");
    if (i >= 2) insert.run(t0 + 60 * i, 50 + i, 1, `late${i}`, `late ${i}`);
  }
  rec.close();
  const pids = async (...at: string[]) => {
    const { stdout, stderr, code } = await runProcpath([
      "query",
      "--recording",
      db,
      ...at,
      "-d",
      ",",
      "$..pid",
    ]);
    return { pids: stdout.trim(), stderr, code };
  };
  assertEquals((await pids()).pids, "1,54");
  assertEquals((await pids("--at", "first")).pids, "1");
  assertEquals((await pids("--at", "2026-11-22T03:02:00")).pids, "1,52");
  const between = await pids("--at", "2026-11-22T03:02:59Z");
  assertEquals(between.pids, "1,52");
  assertIncludes(
    between.stderr,
    "sample 3 of 5, at 2026-11-22T03:02:00 UTC (59.0 s before 2026-11-22T03:02:59)",
  );
  assertEquals((await pids("--at", "-2m")).pids, "1,52");
  assertEquals((await pids("--at", "+61s")).pids, "1");
  for (
    const [at, message] of [
      [
        "2026-11-22T02:00:00",
        "2026-11-22T02:00:00 UTC is before the recording (2026-11-22T03:00:00 to 2026-11-22T03:04:00 UTC)",
      ],
      ["2026-11-23T03:00:00", "is after the recording"],
      ["yesterday", 'cannot read the moment "yesterday": expected first, last'],
    ]
  ) {
    const { code, stderr } = await pids("--at", at);
    assertEquals([code, logLines(stderr).length], [at === "yesterday" ? 2 : 1, 1], at);
    assertIncludes(stderr, message);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--sql runs one read-only statement over the whole recording, as JSON or a table", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/r.sqlite`;
  assertEquals(
    (await runProcpath(["record", "--procfs", BROWSER, "-r", "3", "-i", "0", "-d", db])).code,
    0,
  );
  const sql = "SELECT COUNT(DISTINCT ts) samples, COUNT(*) n, MAX(stat_pid) top FROM record";
  const json = await runProcpath(["query", "--recording", db, "--sql", sql]);
  assertEquals(JSON.parse(json.stdout), [{ samples: 3, n: 66, top: 500 }]);
  const table = await runProcpath(["query", "--recording", db, "--sql", sql, "--format", "table"]);
  assertEquals(table.stdout, "samples   n  top\n      3  66  500\n");
  const csv = await runProcpath([
    "query",
    "--recording",
    db,
    "--sql",
    "SELECT stat_comm FROM record WHERE stat_pid = 109 LIMIT 1",
    "--format",
    "csv",
  ]);
  assertEquals(csv.stdout.split("\n")[0], "stat_comm");
  const before = await Deno.readFile(db);
  for (
    const [statement, message] of [
      ["DELETE FROM record", "delete is not allowed"],
      ["SELECT 1; SELECT 2", "one statement at a time"],
      ["ATTACH 'x.db' AS x", "is not allowed"],
    ]
  ) {
    const refused = await runProcpath(["query", "--recording", db, "--sql", statement]);
    assertEquals([refused.code, logLines(refused.stderr).length], [1, 1], statement);
    assertIncludes(refused.stderr.toLowerCase(), message.toLowerCase());
  }
  assertEquals(await Deno.readFile(db), before);
  const mixed = await runProcpath(["query", "--recording", db, "--sql", sql, "$..pid"]);
  assertEquals(mixed.code, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad recordings: not a database, not a recording, corrupted, missing — one line each", async () => {
  const dir = await Deno.makeTempDir();
  const good = await recordOnce(BROWSER, dir, "stat");
  const text = `${dir}/notes.txt`;
  await Deno.writeTextFile(text, "hello\n");
  const other = `${dir}/other.sqlite`;
  new Deno.Command("sh", {
    args: ["-c", `printf 'CREATE TABLE t (x);' | sqlite3 ${other} 2>/dev/null || true`],
  }).outputSync();
  const { DatabaseSync } = await import("node:sqlite");
  const plain = new DatabaseSync(other);
  plain.exec("CREATE TABLE IF NOT EXISTS t (x)");
  plain.close();
  const corrupt = `${dir}/corrupt.sqlite`;
  const bytes = await Deno.readFile(good);
  bytes.fill(0x41, 0, 100); // the header gone
  await Deno.writeFile(corrupt, bytes);
  for (
    const [path, message] of [
      [text, "is not a readable recording: file is not a database"],
      [other, "is not a recording: it has no record table"],
      [corrupt, "is not a readable recording"],
      [`${dir}/missing.sqlite`, "is not a readable recording"],
    ]
  ) {
    for (const command of [["query"], ["top", "-b"], ["diff", "-d", path]]) {
      const args = command[0] === "diff" ? command : [...command, "--recording", path];
      const { code, stderr } = await runProcpath(args);
      assertEquals([code, logLines(stderr).length], [1, 1], `${args.join(" ")}: ${stderr}`);
      assertIncludes(stderr, message);
    }
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a recording still being written can be queried, replayed and compared", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/growing.sqlite`;
  const recorder = spawnProcpath(["record", "--procfs", BROWSER, "-i", "0.2", "-d", db]);
  try {
    await waitFor(() => {
      try {
        return Deno.statSync(db).size > 0;
      } catch {
        return false;
      }
    });
    await waitFor(() => {
      try {
        return Number(sql(db, "SELECT COUNT(DISTINCT ts) n FROM record")[0].n) >= 3;
      } catch {
        return false; // the tables are not there yet
      }
    });
    const query = await runProcpath([
      "query",
      "--recording",
      db,
      "-d",
      ",",
      "$..children[?(@.stat.pid == 111)]..pid",
    ]);
    assertEquals([query.code, query.stdout.trim()], [0, "111,112,113"]);
    const replay = await runProcpath(["top", "--recording", db, "-b", "-r", "2"]);
    assertEquals(replay.code, 0, replay.stderr);
    assertEquals(replay.stdout.match(/sample \d+\/\d+/g)?.length, 2);
    const diff = await runProcpath(["diff", "-d", db]);
    assertEquals(diff.code, 0, diff.stderr);
    assertIncludes(diff.stdout, "appeared: none");
  } finally {
    recorder.kill("SIGINT");
    await recorder.status;
    await Deno.remove(dir, { recursive: true });
  }
});

/** A recording of one minute apart samples: 20 appears at sample 3 and exits after sample 4. */
function stepRecording(db: string): void {
  const rec = syntheticRecording(db, ["stat", "cmdline"]);
  const insert = rec.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_utime, stat_starttime, cmdline) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const t0 = Date.UTC(2026, 10, 22, 3, 0, 0) / 1000;
  for (let i = 0; i < 6; i++) {
    insert.run(t0 + 30 * i, 10, 1, "steady", 100 * i, 5, "steady-root");
    if (i === 2 || i === 3) {
      insert.run(t0 + 30 * i, 20, 10, "brief", 50 * (i - 1), 900, "brief-child --marker");
    }
  }
  rec.close();
}

Deno.test("diff lists what appeared and exited and what used the CPU between two moments", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/steps.sqlite`;
  stepRecording(db);
  const json = async (...args: string[]) =>
    JSON.parse((await runProcpath(["diff", "-d", db, "--format", "json", ...args])).stdout);
  const appear = await json("--from", "first", "--to", "+60s");
  assertEquals(appear.appeared.map((p: { pid: number }) => p.pid), [20]);
  assertEquals(appear.disappeared, []);
  const exit = await json("--from", "+90s", "--to", "last");
  assertEquals([exit.appeared, exit.disappeared.map((p: { pid: number }) => p.pid)], [[], [20]]);
  // steady used 100 ticks a sample: 2 s of CPU in 60 s between samples 1 and 3
  const cpu = appear.cpuByProcess.find((c: { pid: number }) => c.pid === 10);
  assertEquals([cpu.cpuSeconds, Math.round(cpu.cpuPercent * 10) / 10], [2, 3.3]);
  const subtree = appear.cpuBySubtree.find((c: { pid: number }) => c.pid === 10);
  assertEquals([subtree.processes, subtree.cpuSeconds], [2, 2.5]);
  const text = await runProcpath(["diff", "-d", db, "--to", "+60s"]);
  assertIncludes(text.stdout, "appeared: 1 process");
  assertIncludes(text.stdout, "brief-child --marker");
  await Deno.remove(dir, { recursive: true });
});

const hasTmux = installed("tmux");

Deno.test({
  ...needs(
    "top replays a recording in a terminal: stepping shows a process appear and exit at its samples",
    { "tmux is not installed": hasTmux },
  ),
  async fn() {
    const dir = await Deno.makeTempDir();
    const db = `${dir}/steps.sqlite`;
    stepRecording(db);
    const session = `procpath-replay-${Date.now() % 100000}`;
    newSession(session, "-x", "120", "-y", "30", "-c", repoPath(""));
    const screen = () => tmux("capture-pane", "-p", "-t", session);
    const at = async (sample: number) => {
      const seen = await waitFor(() => screen().includes(`sample ${sample}/6`), 10000);
      assertEquals(seen, true, `sample ${sample}: ${screen()}`);
      return screen().includes("brief-child --marker");
    };
    try {
      // a long interval: the replay moves only when a key says so
      tmux(
        "send-keys",
        "-t",
        session,
        `scripts/procpath top -i 600 --tree --recording ${db}`,
        "Enter",
      );
      assertEquals(await at(1), false);
      tmux("send-keys", "-t", session, "Right");
      assertEquals(await at(2), false);
      tmux("send-keys", "-t", session, "Right");
      assertEquals(await at(3), true); // appears at the third sample
      tmux("send-keys", "-t", session, "Right");
      assertEquals(await at(4), true);
      tmux("send-keys", "-t", session, "Right");
      assertEquals(await at(5), false); // gone after the fourth
      tmux("send-keys", "-t", session, "Left");
      assertEquals(await at(4), true);
      tmux("send-keys", "-t", session, "[");
      assertEquals(await at(2), false); // a minute back: two samples of 30 s
      tmux("send-keys", "-t", session, "G");
      assertEquals(await at(6), false);
      tmux("send-keys", "-t", session, "q");
      assertEquals(await waitFor(() => !screen().includes("sample 6/6"), 10000), true);
    } finally {
      tmux("kill-session", "-t", session);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
