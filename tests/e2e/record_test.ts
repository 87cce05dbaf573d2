import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, runProcpath } from "../_helpers/run_procpath.ts";
import { DatabaseSync } from "node:sqlite";
import { integrity, sql } from "../_helpers/sqlite.ts";
import { waitFor } from "../_helpers/processes.ts";
import { PROC_FILE_NAMES } from "../../src/procfs/mod.ts";
import { columnsFor } from "../../src/store/mod.ts";
import type { ProcFileName } from "../../src/procfs/mod.ts";

const BROWSER = fixture("browser");
const PROCESSES = 22; // processes in the browser fixture
const unsanitized = { sanitizeResources: false, sanitizeOps: false };

/** Narrow flags for a replay: read the fixture and the database, write the database. */
const replayFlags = (db: string, extra: string[] = []) => [
  "--no-prompt",
  `--allow-read=${BROWSER},${db}`,
  `--allow-write=${db}`,
  ...extra,
];

/** Starts a recording of the fixture into `db` in the background, with replay flags. */
function spawnRecord(db: string, args: string[], stderr: "piped" | "null"): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...replayFlags(db),
      "src/main.ts",
      "record",
      "--procfs",
      BROWSER,
      "-d",
      db,
      ...args,
    ],
    stdout: "null",
    stderr,
  }).spawn();
}

/** Rows committed to `db` so far; 0 before the file or its table exists. */
function committedRows(db: string): number {
  try {
    return sql(db, "SELECT COUNT(*) n FROM record")[0].n as number;
  } catch (error) {
    if (/no such table|unable to open/.test(String(error))) return 0;
    throw error;
  }
}

async function tempDb(): Promise<{ dir: string; db: string }> {
  const dir = await Deno.makeTempDir({ prefix: "procpath-record-" });
  return { dir, db: `${dir}/out.sqlite` };
}

Deno.test("procpath record writes the reference's schema and meta for every procfile combination", async () => {
  const { dir, db } = await tempDb();
  const combos: ProcFileName[][] = [["stat"], ["stat", "cmdline"], ["cmdline", "stat", "io"], [
    ...PROC_FILE_NAMES,
  ]];
  for (const [i, files] of combos.entries()) {
    const path = `${db}.${i}`;
    const { code } = await runProcpath(
      ["record", "--procfs", BROWSER, "-f", files.join(","), "-d", path, "-r", "1", "-i", "0"],
      { flags: replayFlags(path) },
    );
    assertEquals(code, 0);
    const columns = sql(path, "SELECT name, type FROM pragma_table_info('record')");
    assertEquals(columns.slice(0, 2), [{ name: "record_id", type: "INTEGER" }, {
      name: "ts",
      type: "REAL",
    }]);
    assertEquals(
      columns.slice(2),
      columnsFor(files).map((c) => ({ name: c.name, type: c.sqlType })),
    );
    const meta = Object.fromEntries(
      sql(path, "SELECT key, value FROM meta").map((r) => [r.key, r.value]),
    );
    assertEquals(meta.procfile_list, "[" + files.map((f) => `"${f}"`).join(", ") + "]");
    assertEquals([meta.page_size, meta.clock_ticks, meta.procfs_target, meta.procpath_version], [
      "4096",
      "100",
      "process",
      "1.14.0",
    ]);
    assertEquals([meta.platform_node, meta.procfs_path, meta.physical_pages], [
      "fixture-host",
      BROWSER,
      "4096000",
    ]);
    assertEquals(Object.keys(meta).length, 10);
    assertEquals(sql(path, "SELECT COUNT(*) n FROM record")[0].n, PROCESSES);
  }
  const all = `${db}.3`;
  assertEquals(
    sql(
      all,
      "SELECT status_sigign, status_uid, stat_comm, fd_reg, cmdline FROM record WHERE stat_pid = 111",
    ),
    [{
      status_sigign: "0xffffffffffffffff",
      status_uid: "[1000,1000,1000,1000]",
      stat_comm: "python3 (x)",
      fd_reg: 2,
      cmdline: "python3 -u helper.py",
    }],
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record -p keeps the listed branches with their ancestors, one ts per iteration", async () => {
  const { dir, db } = await tempDb();
  const { code } = await runProcpath(
    ["record", "--procfs", BROWSER, "-d", db, "-r", "3", "-i", "0.05", "-p", "111, 4,9999"],
    { flags: replayFlags(db) },
  );
  assertEquals(code, 0);
  assertEquals(
    sql(
      db,
      "SELECT group_concat(stat_pid) pids FROM (SELECT stat_pid FROM record GROUP BY stat_pid)",
    )[0].pids,
    "1,2,4,100,108,111,112,113",
  );
  const samples = sql(db, "SELECT ts, COUNT(*) n FROM record GROUP BY ts ORDER BY ts");
  assertEquals(samples.map((s) => s.n), [8, 8, 8]);
  // the schedule is drift-free: a late timer shortens the next gap, but sample k is never
  // taken before k intervals have passed since the first
  const offsets = samples.map((s) => (s.ts as number) - (samples[0].ts as number));
  assertEquals(
    offsets.every((t, k) => t >= k * 0.05 - 0.005 && t < k * 0.05 + 0.5),
    true,
    `offsets ${offsets}`,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record -v 2 -r 4 evaluates the environment 3 times and templates the path", async () => {
  const { dir } = await tempDb();
  const counter = `${dir}/evaluations`;
  const { code, stderr } = await runProcpath([
    "record",
    "--procfs",
    BROWSER,
    "-e",
    `N=echo x >> ${counter}; echo 111`,
    "-e",
    "NAME=echo rec",
    "-v",
    "2",
    "-r",
    "4",
    "-i",
    "0",
    "-d",
    `${dir}/$NAME.sqlite`,
    "-p",
    "$N",
    "$..children[?(@.stat.pid == $N)]",
  ], { flags: [...replayFlags(`${dir}`), "--allow-run=sh"] });
  assertEquals(code, 0, stderr);
  assertEquals(Deno.readTextFileSync(counter).trim().split("\n").length, 3);
  assertEquals(sql(`${dir}/rec.sqlite`, "SELECT COUNT(*) n, COUNT(DISTINCT ts) s FROM record"), [{
    n: 12,
    s: 4,
  }]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record --stop-without-result stops after the first empty iteration", async () => {
  const { dir, db } = await tempDb();
  const { code, stderr } = await runProcpath(
    [
      "record",
      "--procfs",
      BROWSER,
      "-d",
      db,
      "-i",
      "0",
      "--stop-without-result",
      "$..children[?(@.stat.pid == 4040)]",
    ],
    { flags: replayFlags(db) },
  );
  assertEquals(code, 0);
  // the summary counts the samples stored: the one taken selected nothing
  assertIncludes(stderr, "Recorded 0 samples, 0 rows");
  assertIncludes(stderr, "(1 more sample selected nothing)");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record refuses to append to a database of other procfiles, and appends to its own", async () => {
  const { dir, db } = await tempDb();
  const args = ["record", "--procfs", BROWSER, "-d", db, "-r", "1", "-i", "0"];
  assertEquals((await runProcpath(args, { flags: replayFlags(db) })).code, 0);
  assertEquals((await runProcpath(args, { flags: replayFlags(db) })).code, 0);
  assertEquals(sql(db, "SELECT COUNT(*) n, MAX(record_id) id FROM record"), [{
    n: 2 * PROCESSES,
    id: 2 * PROCESSES,
  }]);
  const other = await runProcpath([...args, "-f", "stat,io"], { flags: replayFlags(db) });
  assertEquals(other.code, 1);
  assertEquals(logLines(other.stderr), [
    `ERROR Cannot append to "${db}": it was recorded with procfiles ["stat", "cmdline"], not ["stat", "io"]; record into a new database`,
  ]);
  assertEquals(sql(db, "SELECT COUNT(*) n FROM record")[0].n, 2 * PROCESSES);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record rejects a bad JSONPath or PID list before creating the database", async () => {
  const { dir, db } = await tempDb();
  const cases: [string[], string][] = [
    [["!bad"], 'Cannot parse query "!bad"'],
    [["-p", "1,x"], 'Cannot use PID list: "x" in "1,x" is not a PID'],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runProcpath([
      "record",
      "--procfs",
      BROWSER,
      "-d",
      db,
      "-r",
      "1",
      ...args,
    ]);
    assertEquals([code, logLines(stderr).length], [1, 1]);
    assertIncludes(stderr, message);
    assertEquals([...Deno.readDirSync(dir)].length, 0);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("procpath record exits 1 with one line for an unwritable path", async () => {
  const { code, stderr } = await runProcpath([
    "record",
    "--procfs",
    BROWSER,
    "-d",
    "/nonexistent/dir/out.sqlite",
    "-r",
    "1",
  ]);
  assertEquals(code, 1);
  assertEquals(logLines(stderr), [
    // the system's reason, not SQLite's "unable to open database file"
    'ERROR Cannot open "/nonexistent/dir/out.sqlite": No such file or directory',
  ]);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test({
    name:
      `procpath record stops on ${signal} after committing whole iterations, exit 0 and a summary`,
    ...unsanitized,
    async fn() {
      const { dir, db } = await tempDb();
      const child = spawnRecord(db, ["-i", "0.02"], "piped");
      // a few iterations committed before the signal, however loaded the machine
      await waitFor(() => committedRows(db) >= 5 * PROCESSES);
      child.kill(signal);
      const { code, stderr } = await child.output();
      const lines = logLines(new TextDecoder().decode(stderr));
      assertEquals(code, 0);
      const [, samples, rows] = /Recorded (\d+) samples, (\d+) rows/.exec(lines.at(-1)!)!;
      assertEquals(integrity(db), "ok");
      assertEquals(sql(db, "SELECT COUNT(*) n, COUNT(DISTINCT ts) s FROM record"), [{
        n: Number(rows),
        s: Number(samples),
      }]);
      assertEquals(Number(rows), Number(samples) * PROCESSES);
      assertEquals([
        Deno.statSync(db).isFile,
        (() => {
          try {
            Deno.statSync(`${db}-wal`);
            return true;
          } catch {
            return false;
          }
        })(),
      ], [true, false]);
      await Deno.remove(dir, { recursive: true });
    },
  });
}

Deno.test({
  name:
    "procpath record killed with SIGKILL leaves a sound database with every committed iteration",
  ...unsanitized,
  async fn() {
    const { dir, db } = await tempDb();
    let committed = 0;
    for (const delay of [0, 40, 150]) {
      const child = spawnRecord(db, ["-i", "0"], "null");
      let exited = false;
      child.status.then(() => exited = true);
      // kill only once this run has committed (start-up time varies with load), at varied moments
      const before = committed;
      while ((committed = committedRows(db)) === before) {
        if (exited) throw new Error("record exited before committing");
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      await child.status;
      assertEquals(integrity(db), "ok");
      const [{ n, s }] = sql(db, "SELECT COUNT(*) n, COUNT(DISTINCT ts) s FROM record");
      assertEquals(
        (n as number) >= committed && n === (s as number) * PROCESSES,
        true,
        `${n} rows, ${s} samples, ${committed} rows seen committed before the kill`,
      );
      committed = n as number;
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "procpath record waits out another connection's lock on its database instead of failing",
  ...unsanitized,
  async fn() {
    const { dir, db } = await tempDb();
    const holder = new DatabaseSync(db);
    holder.exec("BEGIN EXCLUSIVE");
    const child = spawnRecord(db, ["-i", "0", "-r", "2"], "piped");
    await new Promise((r) => setTimeout(r, 700));
    holder.exec("COMMIT");
    holder.close();
    const { code, stderr } = await child.output();
    assertEquals(code, 0);
    assertIncludes(
      logLines(new TextDecoder().decode(stderr)).at(-1)!,
      `INFO Recorded 2 samples, ${2 * PROCESSES} rows`,
    );
    assertEquals(sql(db, "SELECT COUNT(*) n FROM record")[0].n, 2 * PROCESSES);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "a reader can query the database throughout a recording",
  ...unsanitized,
  async fn() {
    const { dir, db } = await tempDb();
    const child = spawnRecord(db, ["-i", "0.01", "-r", "60"], "null");
    const counts: number[] = [];
    let done = false;
    child.status.then(() => done = true);
    while (!done) {
      counts.push(committedRows(db));
      await new Promise((r) => setTimeout(r, 5));
    }
    assertEquals((await child.status).code, 0);
    assertEquals(counts.length > 10, true);
    assertEquals(counts.every((c, i) => i === 0 || c >= counts[i - 1]), true);
    assertEquals(counts.every((c) => c % PROCESSES === 0), true);
    assertEquals(sql(db, "SELECT COUNT(*) n FROM record")[0].n, 60 * PROCESSES);
    await Deno.remove(dir, { recursive: true });
  },
});
