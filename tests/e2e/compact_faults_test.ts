// The faults the plain layout survives (tests/e2e/record_test.ts, record_live_test.ts),
// on the compact one (#35): SIGKILL at any moment loses at most the sample in flight, a
// full disk ends with one line keeping every committed sample, another connection's
// lock is waited out.
import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, runProcpath } from "../_helpers/run_procpath.ts";
import { integrity, sql } from "../_helpers/sqlite.ts";
import { spawnGroup, waitUntil } from "../_helpers/processes.ts";
import type { ProcessGroup } from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { withTmpfs } from "../_helpers/tmpfs.ts";
import { recordFixture } from "../_helpers/record_fixture.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };
const BROWSER = fixture("browser");

/** A branch that changes at every sample: 100 idle children and one that comes and goes. */
function changingBranch(): ProcessGroup {
  return spawnGroup([
    "sh",
    "-c",
    "for i in $(seq 100); do sleep 1000 & done; while :; do sleep 0.01; done",
  ]);
}

/** Starts `record --compact` of `args` into `db` in the background. */
function spawnRecord(db: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/main.ts", "record", "--compact", "-d", db, ...args],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

/** Samples committed to `db` so far (0 before it has its tables). */
function committedSamples(db: string): number {
  try {
    return Number(sql(db, "SELECT COUNT(*) n FROM record_sample")[0]!.n);
  } catch (error) {
    if (/no such table|unable to open/.test(String(error))) return 0;
    throw error;
  }
}

/**
 * Checks that every committed sample of a compact recording is whole: each layout's
 * states exist, the view's ids run 1…n without a gap, and returns the sample count.
 */
function wholeSamples(db: string): number {
  assertEquals(integrity(db), "ok");
  const [facts] = sql(
    db,
    "SELECT COUNT(*) n, MAX(record_id) last, COUNT(DISTINCT ts) times, " +
      "SUM(stat_pid IS NULL) missing, (SELECT COUNT(*) FROM record_sample) samples FROM record",
  );
  assertEquals(facts!.missing, 0, "every state a layout names is stored");
  assertEquals(facts!.last, facts!.n, "record_ids run without a gap");
  assertEquals(facts!.times, facts!.samples);
  return Number(facts!.samples);
}

Deno.test({
  name:
    "record --compact killed with SIGKILL keeps every committed sample whole, and appends after",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const branch = changingBranch();
      const db = `${dir}/killed.sqlite`;
      try {
        let seen = 0;
        for (const delay of [0, 40, 150]) {
          const child = spawnRecord(db, [
            "-i",
            "0",
            "-f",
            "stat,cmdline,status",
            "-p",
            `${branch.pid}`,
          ]);
          let exited = false;
          child.status.then(() => exited = true);
          const before = seen;
          // kill only once this run has committed (start-up time varies with load)
          while ((seen = committedSamples(db)) === before) {
            if (exited) throw new Error("record exited before committing");
            await new Promise((r) => setTimeout(r, 5));
          }
          await new Promise((r) => setTimeout(r, delay));
          child.kill("SIGKILL");
          await child.status;
          await child.stderr.cancel();
          const samples = wholeSamples(db);
          assertEquals(samples >= seen, true, `${samples} samples, ${seen} seen before the kill`);
          seen = samples;
        }
        const states = Number(sql(db, "SELECT COUNT(*) n FROM record_state")[0]!.n);
        assertEquals(
          states > seen,
          true,
          `${states} states in ${seen} samples: the branch changed`,
        );
        const appended = await runProcpath(
          [
            "record",
            "--compact",
            "-r",
            "1",
            "-f",
            "stat,cmdline,status",
            "-p",
            `${branch.pid}`,
            "-d",
            db,
          ],
        );
        assertEquals(appended.code, 0, appended.stderr);
        assertEquals(wholeSamples(db), seen + 1);
      } finally {
        await branch.kill();
      }
    });
  },
});

Deno.test({
  name: "record --compact ends with one clear line on a full disk, keeping what it committed",
  ...unsanitized,
  async fn(t) {
    const mounted = await withTmpfs("192k", async (mount) => {
      const branch = changingBranch();
      try {
        const db = `${mount}/full.sqlite`;
        const { code, stderr } = await runProcpath([
          "record",
          "--compact",
          "-f",
          "stat,cmdline,status",
          "-p",
          `${branch.pid}`,
          "-d",
          db,
          "-i",
          "0",
        ]);
        assertEquals(code, 1);
        const lines = logLines(stderr);
        assertEquals(lines.length, 1, stderr);
        assertIncludes(lines[0]!, `ERROR Cannot write "${db}": database or disk is full`);
        assertEquals(wholeSamples(db) > 1, true);
      } finally {
        await branch.kill();
      }
    });
    if (!mounted) {
      await t.step({ name: "ignored: mounting a small tmpfs needs root", ignore: true, fn() {} });
    }
  },
});

Deno.test({
  name: "record --compact waits out another connection's lock on its database instead of failing",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/locked.sqlite`;
      await recordFixture(db, ["--compact", "-r", "1"]);
      const holder = new DatabaseSync(db);
      holder.exec("BEGIN EXCLUSIVE");
      const child = spawnRecord(db, ["--procfs", BROWSER, "-i", "0", "-r", "2"]);
      // the recorder has opened the database: it is waiting for the lock now
      const opened = () => {
        try {
          return [...Deno.readDirSync(`/proc/${child.pid}/fd`)].some((fd) => {
            try {
              return Deno.readLinkSync(`/proc/${child.pid}/fd/${fd.name}`) === db;
            } catch {
              return false;
            }
          });
        } catch {
          return false;
        }
      };
      await waitUntil(opened, { ms: 60_000, message: () => "the recorder opened its database" });
      holder.exec("COMMIT");
      holder.close();
      const { code, stderr } = await child.output();
      assertEquals(code, 0, new TextDecoder().decode(stderr));
      assertEquals(wholeSamples(db), 3);
      assertEquals(sql(db, "SELECT COUNT(*) n FROM record")[0]!.n, 3 * 22);
    });
  },
});
