// Hostile input and faults for query, record, plot and play: each test reproduces a
// defect that was measured, and pins what procpath does instead.
import { needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { sql } from "../_helpers/sqlite.ts";
import { syntheticRecording } from "../_helpers/synthetic_recording.ts";
import { parseXml } from "../_helpers/xml.ts";
import { chain, writeFakeTree } from "../_helpers/fake_tree.ts";
import { processesWith, sleepMarker, survivors, waitFor } from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { withTmpfs } from "../_helpers/tmpfs.ts";

const BROWSER = fixture("browser");
const unsanitized = { sanitizeResources: false, sanitizeOps: false };

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Whether `db` has its tables yet (it may not exist at all). */
function created(db: string): boolean {
  try {
    return sql(db, "SELECT COUNT(*) n FROM record").length === 1;
  } catch {
    return false;
  }
}

/** Rows committed to `db` so far (0 before it has its tables). */
function committed(db: string): number {
  try {
    return Number(sql(db, "SELECT COUNT(*) n FROM record")[0].n);
  } catch {
    return 0;
  }
}

/** A copy of the browser fixture to spoil. */
async function browserCopy(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await new Deno.Command("cp", { args: ["-r", BROWSER, `${dir}/proc`] }).output();
  return `${dir}/proc`;
}

Deno.test("record -d '' is a usage error and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await runProcpath(
      ["record", "--procfs", BROWSER, "-r", "1", "-d", ""],
      { cwd: dir },
    );
    assertEquals(code, 2);
    assertIncludes(stderr, "expected a file path, not an empty one");
    assertEquals(stderr.trim().split("\n").length, 1);
    const emptied = await runProcpath(
      ["record", "--procfs", BROWSER, "-r", "1", "-e", "D=true", "-d", "$D"],
      { cwd: dir },
    );
    assertEquals(emptied.code, 1);
    assertIncludes(emptied.stderr, "the database path is empty");
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("plot writes well-formed XML whatever the process names and title hold", async () => {
  await withTempDir(async (dir) => {
    const db = syntheticRecording(`${dir}/r.sqlite`, ["stat", "cmdline"]);
    const hostile = "bad\ufffe\uffff\ud800\u0001\u001b[31m<&>\"'";
    const insert = db.prepare(
      "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_rss, cmdline) VALUES (?, 7, 1, ?, ?, ?)",
    );
    for (let i = 0; i < 5; i++) insert.run(1700000000 + i, hostile, 100 + i, hostile);
    db.close();
    const { code, stderr } = await runProcpath([
      "plot",
      "-d",
      `${dir}/r.sqlite`,
      "-q",
      "rss",
      "-f",
      `${dir}/p.svg`,
      "--title",
      hostile,
    ]);
    assertEquals([code, stderr], [0, ""]);
    const svg = Deno.readTextFileSync(`${dir}/p.svg`);
    parseXml(svg, { warnings: false }); // throws on anything XML 1.0 forbids
    assertIncludes(svg, "bad\ufffd\ufffd\ufffd\ufffd\ufffd[31m&lt;&amp;&gt;");
  });
});

Deno.test({
  name: "record stops on SIGINT within one iteration when iterations overrun the interval",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const child = spawnProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-i",
        "0",
        "-d",
        `${dir}/r.sqlite`,
      ]);
      await waitFor(() => {
        try {
          return Number(sql(`${dir}/r.sqlite`, "SELECT COUNT(*) n FROM record")[0].n) > 100;
        } catch {
          return false;
        }
      });
      const signalled = performance.now();
      Deno.kill(child.pid, "SIGINT");
      const { code, stderr } = await child.output();
      assertEquals(code, 0);
      assertEquals(performance.now() - signalled < 3000, true, "stop took too long");
      const lines = logLines(decode(stderr)).filter((l) => !l.startsWith("WARNING Iteration took"));
      assertEquals(lines.length, 1, decode(stderr));
      assertIncludes(lines[0], "INFO Recorded ");
    });
  },
});

Deno.test({
  name: "record treats SIGHUP like SIGTERM, and stops cleanly on SIGINT while an -e command runs",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const hup = spawnProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-i",
        "10",
        "-d",
        `${dir}/a.sqlite`,
      ]);
      await waitFor(() => committed(`${dir}/a.sqlite`) === 22);
      Deno.kill(hup.pid, "SIGHUP");
      const hupped = await hup.output();
      assertEquals(hupped.code, 0);
      assertIncludes(logLines(decode(hupped.stderr))[0], "INFO Recorded 1 sample, 22 rows");

      const marker = sleepMarker();
      const slow = spawnProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-i",
        "0.2",
        "-v",
        "2",
        "-e",
        `X=test -f ${dir}/slow && sleep ${marker}; echo 1`,
        "-d",
        `${dir}/b.sqlite`,
      ]);
      await waitFor(() => created(`${dir}/b.sqlite`));
      Deno.writeTextFileSync(`${dir}/slow`, "");
      await waitFor(() => processesWith(`sleep ${marker}`).length === 1);
      Deno.kill(slow.pid, "SIGINT");
      const stopped = await slow.output();
      assertEquals(stopped.code, 0);
      const lines = logLines(decode(stopped.stderr));
      assertEquals(lines.length, 1, decode(stopped.stderr));
      assertIncludes(lines[0], "INFO Recorded ");
      assertEquals(await survivors(`sleep ${marker}`), []);
    });
  },
});

Deno.test({
  name: "record honours an interval longer than 2^31 ms without a warning",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const child = spawnProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-i",
        "3000000",
        "-r",
        "2",
        "-d",
        `${dir}/r.sqlite`,
      ]);
      await waitFor(() => committed(`${dir}/r.sqlite`) === 22);
      Deno.kill(child.pid, "SIGINT");
      const { code, stderr } = await child.output();
      assertEquals(code, 0);
      assertEquals(logLines(decode(stderr)).length, 1, decode(stderr));
      assertIncludes(decode(stderr), "Recorded 1 sample, 22 rows");
    });
  },
});

Deno.test("a filter regex cannot take exponential time on a hostile command line", async () => {
  await withTempDir(async (dir) => {
    writeFakeTree(dir, [
      { pid: 1, ppid: 0 },
      ...Array.from(
        { length: 20 },
        (_, i) => ({ pid: i + 2, ppid: 1, cmdline: "a".repeat(30) + "!" }),
      ),
    ]);
    const started = performance.now();
    const { code, stdout } = await runProcpath([
      "query",
      "--procfs",
      dir,
      "-d",
      ",",
      "$..children[?(@.cmdline =~ /(a+)+$/)].stat.pid",
    ]);
    assertEquals([code, stdout], [0, ""]);
    assertEquals(performance.now() - started < 5000, true, "the regex ran too long");
    const backreference = await runProcpath([
      "query",
      "--procfs",
      dir,
      "$..children[?(@.cmdline =~ /^(a+)+\\1$/)]",
    ]);
    assertEquals(backreference.code, 1);
    assertIncludes(backreference.stderr, "backreferences are not supported");
  });
});

Deno.test("query and record handle a 10,000-deep process chain", async () => {
  await withTempDir(async (dir) => {
    writeFakeTree(`${dir}/proc`, chain(10000));
    const leaf = await runProcpath([
      "query",
      "--procfs",
      `${dir}/proc`,
      "-d",
      ",",
      "$..children[?(@.stat.pid == 10000)].stat.ppid",
    ]);
    assertEquals([leaf.code, leaf.stdout, leaf.stderr], [0, "9999\n", ""]);
    // indented, the JSON of so deep a chain would be gigabytes of spaces, as with the reference
    const whole = await runProcpath(["query", "--procfs", `${dir}/proc`]);
    assertEquals(whole.code, 0, whole.stderr);
    assertEquals(whole.stdout.match(/"ppid": /g)?.length, 10000);
    const pids = await runProcpath(["query", "--procfs", `${dir}/proc`, "-d", ",", "$..stat.pid"]);
    assertEquals(pids.stdout.trim().split(",").length, 10000);
    const recorded = await runProcpath([
      "record",
      "--procfs",
      `${dir}/proc`,
      "-r",
      "1",
      "-d",
      `${dir}/r.sqlite`,
    ]);
    assertEquals(recorded.code, 0, recorded.stderr);
    assertEquals(sql(`${dir}/r.sqlite`, "SELECT COUNT(*) n FROM record")[0].n, 10000);
  });
});

Deno.test("a hostile procfs tree cannot hang or exhaust procpath, nor can FIFOs given as files", async () => {
  const proc = await browserCopy();
  const fifo = (path: string) => new Deno.Command("mkfifo", { args: [path] }).outputSync();
  Deno.removeSync(`${proc}/101/cmdline`);
  fifo(`${proc}/101/cmdline`);
  Deno.removeSync(`${proc}/102/cmdline`);
  Deno.symlinkSync("/dev/zero", `${proc}/102/cmdline`);
  Deno.removeSync(`${proc}/103/stat`);
  Deno.symlinkSync("/dev/urandom", `${proc}/103/stat`);
  const started = performance.now();
  const { code, stdout, stderr } = await runProcpath([
    "query",
    "--procfs",
    proc,
    "-d",
    ",",
    "$..children[?(@.stat.pid in [101, 102, 103])].cmdline",
  ]);
  assertEquals(code, 0);
  assertEquals(stdout, "None,None\n"); // 101 and 102 with empty command lines; 103 is no process
  assertEquals(performance.now() - started < 5000, true);
  assertEquals(logLines(stderr), [
    "WARNING Storing empty values for procfile cmdline of 2 processes (pids 101, 102) because of not a regular file",
  ]);

  const dir = proc.replace(/\/proc$/, "");
  fifo(`${dir}/db.fifo`);
  const plot = await runProcpath(["plot", "-d", `${dir}/db.fifo`, "-q", "rss"]);
  assertEquals(plot.code, 1);
  assertIncludes(plot.stderr, "not a regular file");
  const play = await runProcpath(["play", "-f", `${dir}/db.fifo`, "*"]);
  assertEquals(play.code, 1);
  assertIncludes(play.stderr, "not a regular file");
  const record = await runProcpath(["record", "--procfs", proc, "-d", `${dir}/db.fifo`]);
  assertEquals(record.code, 2);
  assertIncludes(record.stderr, "is not a regular file");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("play linearises a diamond-shaped hierarchy in polynomial time and names a cycle", async () => {
  await withTempDir(async (dir) => {
    const lines = ["[base]", "procfile_list: stat", ""];
    let previous = ["base"];
    for (let level = 1; level <= 24; level++) {
      const names = [`l${level}a`, `l${level}b`];
      for (const name of names) lines.push(`[${name}]`, `extends: ${previous.join("\n  ")}`, "");
      previous = names;
    }
    lines.push("[top:query]", `extends: ${previous.join("\n  ")}`, "");
    Deno.writeTextFileSync(`${dir}/diamond.ini`, lines.join("\n"));
    const started = performance.now();
    const diamond = await runProcpath(["play", "-n", "-f", `${dir}/diamond.ini`, "top:query"]);
    assertEquals(diamond.code, 0, diamond.stderr);
    assertEquals(performance.now() - started < 5000, true);
    Deno.writeTextFileSync(
      `${dir}/cycle.ini`,
      "[a]\nextends: b\n[b]\nextends: a\n[c:query]\nextends: a\n",
    );
    const cycle = await runProcpath(["play", "-n", "-f", `${dir}/cycle.ini`, "c:query"]);
    assertEquals(cycle.code, 1);
    assertIncludes(cycle.stderr, "extends itself (c:query → a → b → a)");
  });
});

Deno.test("a refused record leaves the database byte for byte as it was, with no side files", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/r.sqlite`;
    assertEquals((await runProcpath(["record", "--procfs", BROWSER, "-r", "1", "-d", db])).code, 0);
    const garbage = `${dir}/garbage.sqlite`;
    Deno.writeFileSync(garbage, new TextEncoder().encode("not a database at all\n".repeat(200)));
    for (
      const [path, args, message] of [
        [db, ["-f", "stat,io"], "it was recorded with procfiles"],
        [garbage, [], "file is not a database"],
      ] as [string, string[], string][]
    ) {
      const before = Deno.readFileSync(path);
      const { code, stderr } = await runProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-r",
        "1",
        "-d",
        path,
        ...args,
      ]);
      assertEquals(code, 1);
      assertIncludes(stderr, message);
      assertEquals(Deno.readFileSync(path), before);
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "garbage.sqlite",
      "r.sqlite",
    ]);
  });
});

Deno.test("a record that fails before committing anything leaves no database behind", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await runProcpath([
      "record",
      "--procfs",
      BROWSER,
      "-r",
      "1",
      "-d",
      `${dir}/r.sqlite`,
      "$..stat",
    ]);
    assertEquals(code, 1);
    assertIncludes(stderr, "the JSONPath must select whole process nodes");
    assertEquals([...Deno.readDirSync(dir)], []);
  });
});

Deno.test({
  ...needs("plot on a full disk leaves the old chart (or nothing), never a truncated one", {
    "filling a small tmpfs needs root": Deno.uid() === 0,
  }),
  async fn() {
    await withTempDir(async (dir) => {
      const db = syntheticRecording(`${dir}/r.sqlite`, ["stat", "cmdline"]);
      const insert = db.prepare(
        "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_rss) VALUES (?, ?, 1, 'x', ?)",
      );
      for (let i = 0; i < 2000; i++) insert.run(1700000000 + i, 100 + (i % 50), i);
      db.close();
      // no tmpfs here: nothing to test
      await withTmpfs("8k", async (full) => {
        Deno.writeTextFileSync(`${full}/p.svg`, "old chart");
        const { code, stderr } = await runProcpath([
          "plot",
          "-d",
          `${dir}/r.sqlite`,
          "-q",
          "rss",
          "-f",
          `${full}/p.svg`,
        ]);
        assertEquals(code, 1);
        assertIncludes(stderr, `Cannot write "${full}/p.svg"`);
        assertEquals(Deno.readTextFileSync(`${full}/p.svg`), "old chart");
        assertEquals([...Deno.readDirSync(full)].map((e) => e.name), ["p.svg"]);
      });
    });
  },
});

Deno.test("user SQL is one read-only statement; a custom query names the columns it lacks", async () => {
  await withTempDir(async (dir) => {
    const query = (sqlText: string) =>
      runProcpath(["query", "--procfs", BROWSER, "$..children[?(@.stat.pid == 1)]", sqlText], {
        cwd: dir,
      });
    const two = await query("SELECT 1 a; SELECT 2 b");
    assertEquals(two.code, 1);
    assertIncludes(two.stderr, "one statement at a time");
    const vacuum = await query(`VACUUM INTO '${dir}/copy.sqlite'`);
    assertEquals(vacuum.code, 1);
    assertIncludes(vacuum.stderr, "the SQL may only read");
    const attach = await query(`ATTACH '${dir}/x.sqlite' AS x`);
    assertEquals(attach.code, 1);
    const comment = await query("SELECT 1 a; -- a trailing comment");
    assertEquals([comment.code, comment.stdout], [0, '[{"a": 1}]\n']);

    await runProcpath(["record", "--procfs", BROWSER, "-r", "1", "-d", `${dir}/r.sqlite`]);
    const plot = async (text: string) => {
      Deno.writeTextFileSync(`${dir}/q.sql`, text);
      return await runProcpath([
        "plot",
        "-d",
        `${dir}/r.sqlite`,
        "--custom-query-file",
        `${dir}/q.sql`,
        "-f",
        `${dir}/p.svg`,
      ]);
    };
    const writes = await plot(`VACUUM INTO '${dir}/copy2.sqlite'`);
    assertEquals(writes.code, 1);
    assertIncludes(writes.stderr, "the SQL may only read");
    const columns = await plot("SELECT ts, stat_pid FROM record");
    assertEquals(columns.code, 1);
    assertIncludes(columns.stderr, "it has no pid, value (it returns ts, stat_pid)");
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      ["q.sql", "r.sqlite"],
    );
  });
});

Deno.test("a quoted name that looks like a filter is only a name", async () => {
  const { code, stdout, stderr } = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "$['?(Deno.exit(7))']",
  ]);
  assertEquals([code, stdout], [0, "[]\n"]);
  // the name is looked up, not run: all procpath says is that no process has such a key
  assertEquals(logLines(stderr), [
    'WARNING The query names "?(Deno.exit(7))", a key no process has, so nothing matches there',
  ]);
});

Deno.test("a procfile unreadable in every iteration is warned about once, then counted", async () => {
  const proc = await browserCopy();
  for (const pid of [101, 102, 103]) {
    Deno.removeSync(`${proc}/${pid}/io`);
    Deno.mkdirSync(`${proc}/${pid}/io`); // no file to read, whoever runs the test
  }
  const db = proc.replace(/\/proc$/, "/r.sqlite");
  const { code, stderr } = await runProcpath([
    "record",
    "--procfs",
    proc,
    "-f",
    "stat,io",
    "-i",
    "0.25", // room for a loaded machine: an overrun would add a warning of its own
    "-r",
    "4",
    "-d",
    db,
  ]);
  assertEquals(code, 0);
  const lines = logLines(stderr);
  assertEquals(lines.slice(0, 2), [
    "WARNING Storing empty values for procfile io of 3 processes (pids 101, 102, 103) because of not a regular file",
    'WARNING The warning "Storing empty values for procfile io of 3 processes (pids 101, 102, 103) because of not a regular file" repeated in 3 later snapshots',
  ]);
  assertIncludes(lines[2], "INFO Recorded 4 samples, 88 rows");
  assertEquals(lines.length, 3);
  const filter = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "$..children[?(@.status.vmrss > 1)]",
  ]);
  assertEquals(logLines(filter.stderr), [
    "WARNING The query reads status, which -f does not include, so it sees no values there; add -f stat,cmdline,status",
  ]);
  await Deno.remove(proc.replace(/\/proc$/, ""), { recursive: true });
});
