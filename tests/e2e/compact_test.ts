// Compact recordings (#35): plain → compact → plain gives back every row and column, byte
// for byte, on recordings procpath (and Procpath 1.14) really made; the record view
// answers procpath's commands and the sqlite3 shell as the plain table does.
import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { spawnGroup } from "../_helpers/processes.ts";
import { installed } from "../_helpers/needs.ts";
import { statLine } from "../_helpers/stat_line.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };

/** Every row of every table but the compact layout's own, storage classes kept. */
function contents(path: string): Record<string, unknown[][]> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const tables = (db.prepare(
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' " +
        "AND name NOT IN ('record_state', 'record_run', 'record_sample', 'record_ordinal') ORDER BY name",
    ).all() as { name: string }[]).map((t) => t.name);
    const all: Record<string, unknown[][]> = {};
    for (const table of tables) {
      const statement = db.prepare(`SELECT * FROM ${table} ORDER BY 1`);
      statement.setReadBigInts(true);
      all[table] = (statement.all() as Record<string, unknown>[]).map((r) =>
        Object.entries(r).flat()
      );
    }
    return all;
  } finally {
    db.close();
  }
}

/** What the sqlite3 shell prints for `query` (null where Debian's sqlite3 is not installed). */
function shell(path: string, query: string): string | null {
  if (!installed("sqlite3")) return null;
  const out = new Deno.Command("sqlite3", { args: ["-readonly", path, query] }).outputSync();
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

/**
 * Converts `plain` to compact and back, and checks that both copies hold every table's
 * rows as `plain` does, that the sqlite3 shell reads them alike, and that procpath's
 * charts of both are the same bytes. Returns the two sizes.
 */
async function roundTrip(plain: string, charts: string[]): Promise<[number, number]> {
  const compact = plain.replace(/\.sqlite$/, ".compact.sqlite");
  const back = plain.replace(/\.sqlite$/, ".back.sqlite");
  const there = await runProcpath(["convert", plain, compact]);
  assertEquals(there.code, 0, there.stderr);
  assertIncludes(there.stderr, "from the plain layout to the compact");
  const again = await runProcpath(["convert", "--plain", compact, back]);
  assertEquals(again.code, 0, again.stderr);
  const original = contents(plain);
  assertEquals(Object.keys(original).includes("record"), true);
  assertEquals(contents(compact), original);
  assertEquals(contents(back), original);
  for (const query of ["SELECT * FROM record", "SELECT count(*), sum(stat_utime) FROM record"]) {
    assertEquals(shell(compact, query), shell(plain, query), query);
  }
  for (const name of charts) {
    const svgs: string[] = [];
    for (const db of [plain, compact]) {
      const out = `${db}.${name}.svg`;
      const { code, stderr } = await runProcpath(["plot", "-d", db, "-q", name, "-f", out]);
      assertEquals(code, 0, stderr);
      svgs.push(Deno.readTextFileSync(out));
    }
    assertEquals(svgs[1], svgs[0], name);
  }
  return [Deno.statSync(plain).size, Deno.statSync(compact).size];
}

Deno.test({
  name: "convert round-trips a recording of the whole live host (stat, cmdline, status, io)",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/host.sqlite`;
      const { code, stderr } = await runProcpath([
        "record",
        "-f",
        "stat,cmdline,status,io",
        "-i",
        "0.2",
        "-r",
        "3",
        "-d",
        db,
      ]);
      assertEquals(code, 0, stderr);
      const [plain, compact] = await roundTrip(db, ["cpu", "rss"]);
      assertEquals(compact < plain, true, `${compact} vs ${plain} bytes`);
    });
  },
});

Deno.test({
  name: "convert round-trips a churning branch and a tree whose PIDs are reused",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const churn = spawnGroup([
        "sh",
        "-c",
        "while :; do for i in 1 2 3 4; do (sleep 0.0$i &) ; done; done",
      ]);
      try {
        const db = `${dir}/churn.sqlite`;
        const recorded = await runProcpath([
          "record",
          "-f",
          "stat,cmdline",
          "-i",
          "0.02",
          "-r",
          "15",
          "-p",
          String(churn.pid),
          "-d",
          db,
        ]);
        assertEquals(recorded.code, 0, recorded.stderr);
        await roundTrip(db, ["cpu"]);
        // PIDs 3 and 4 end and come back as other programs, started later
        const reuse = `${dir}/reuse.sqlite`;
        for (let round = 0; round < 4; round++) {
          const proc = `${dir}/proc${round}`;
          for (const p of [[1, 0, 0], [2, 1, 0], [3, 2, round], [4, 2, round >> 1]]) {
            const [pid, ppid, era] = p as [number, number, number];
            Deno.mkdirSync(`${proc}/${pid}`, { recursive: true });
            Deno.writeTextFileSync(
              `${proc}/${pid}/stat`,
              statLine({ pid, ppid, comm: `prog${era}`, starttime: 100 * era + pid, utime: round }),
            );
            Deno.writeTextFileSync(`${proc}/${pid}/cmdline`, `prog${era}\0--round\0${era}\0`);
          }
          const { code, stderr } = await runProcpath([
            "record",
            "--procfs",
            proc,
            "-r",
            "1",
            "-d",
            reuse,
          ]);
          assertEquals(code, 0, stderr);
        }
        await roundTrip(reuse, ["cpu", "cpu_total"]);
      } finally {
        await churn.kill();
      }
    });
  },
});

Deno.test({
  name: "convert round-trips a record -- COMMAND recording with its process events",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/job.sqlite`;
      const { code, stderr } = await runProcpath([
        "record",
        "-i",
        "0.1",
        "-d",
        db,
        "--",
        "sh",
        "-c",
        "for i in 1 2 3 4 5 6; do sleep 0.1; done",
      ]);
      assertEquals(code, 0, stderr);
      const events = contents(db).process_event ?? [];
      if (events.length === 0) console.log("no process_event rows here (no connector)");
      await roundTrip(db, ["cpu"]);
      // the commands that read a recording answer alike from the compact copy
      const outputs = [];
      for (const file of [db, `${dir}/job.compact.sqlite`]) {
        const answers = [];
        for (
          const args of [
            ["report", "-d", file, "--format", "json"],
            ["export", "-d", file, "-o", "-"],
            ["backfill", "-d", file, "-g", "job=$..children"],
            ["diff", "-d", file, "--format", "json"],
            ["top", "-b", "--recording", file],
          ]
        ) {
          const out = await runProcpath(args);
          assertEquals(out.code, 0, `${args.join(" ")}: ${out.stderr}`);
          answers.push([args[0], out.code, out.stdout.replaceAll(file, "FILE")]);
        }
        outputs.push(answers);
      }
      assertEquals(outputs[1], outputs[0]);
    });
  },
});

Deno.test({
  name: "convert round-trips a Procpath 1.14 recording; its built-in charts and SQL answer alike",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/procpath.sqlite`;
      Deno.copyFileSync(repoPath("tests/fixtures/procpath_1_14/recording.sqlite"), db);
      await roundTrip(db, ["cpu", "rss", "rbs"]);
      const sqlText = "SELECT stat_pid, status_sigign, status_uid, io_rchar FROM record " +
        "WHERE stat_pid % 2 = 1 ORDER BY record_id";
      const answers = [];
      for (const file of [db, db.replace(/\.sqlite$/, ".compact.sqlite")]) {
        const q = await runProcpath(["query", "--recording", file, "--sql", sqlText]);
        const tree = await runProcpath(["query", "--recording", file, "--at", "first", "-i", "1"]);
        answers.push([q.code, q.stdout, q.stderr, tree.code, tree.stdout, tree.stderr]);
      }
      assertEquals(answers[1], answers[0]);
    });
  },
});

Deno.test({
  name: "record --compact appends to a compact recording; the other layout is refused in one line",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const browser = fixture("browser");
      const compact = `${dir}/c.sqlite`;
      for (let run = 0; run < 2; run++) {
        const { code, stderr } = await runProcpath(
          ["record", "--compact", "--procfs", browser, "-r", "2", "-i", "0", "-d", compact],
        );
        assertEquals(code, 0, stderr);
      }
      const db = new DatabaseSync(compact, { readOnly: true });
      const counts = db.prepare(
        "SELECT (SELECT COUNT(*) FROM record) n, (SELECT MAX(record_id) FROM record) last, " +
          "(SELECT COUNT(*) FROM record_state) states, (SELECT COUNT(DISTINCT layout_id) FROM record_run) layouts",
      ).get();
      db.close();
      // the browser tree does not change: its 22 processes are stored once, in one layout
      assertEquals({ ...counts }, { n: 88, last: 88, states: 22, layouts: 1 });
      const before = Deno.readFileSync(compact);
      const plainRun = await runProcpath(["record", "--procfs", browser, "-r", "1", "-d", compact]);
      assertEquals(plainRun.code, 1);
      assertEquals(logLines(plainRun.stderr), [
        `ERROR Cannot append to "${compact}": it is a compact recording; record with --compact, ` +
        "or into a new database",
      ]);
      assertEquals(Deno.readFileSync(compact), before);
      const plain = `${dir}/p.sqlite`;
      await runProcpath(["record", "--procfs", browser, "-r", "1", "-d", plain]);
      const compactRun = await runProcpath(
        ["record", "--compact", "--procfs", browser, "-r", "1", "-d", plain],
      );
      assertEquals(compactRun.code, 1);
      assertIncludes(compactRun.stderr, "it is a plain recording; record without --compact");
    });
  },
});
