import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { integrity, sql } from "../_helpers/sqlite.ts";
import { spawnGroup } from "../_helpers/processes.ts";
import { needs } from "../_helpers/needs.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { withTmpfs } from "../_helpers/tmpfs.ts";

const linux = { ignore: Deno.build.os !== "linux", sanitizeResources: false, sanitizeOps: false };

/** The contract's CPU query: % of one core per process and sample, from LAG over record_id. */
const CPU_SQL = `
  WITH lagged AS (
    SELECT ts, stat_pid,
      stat_utime + stat_stime - LAG(stat_utime + stat_stime) OVER w AS ticks,
      ts - LAG(ts) OVER w AS dt
    FROM record
    WINDOW w AS (PARTITION BY stat_pid ORDER BY record_id)
  )
  SELECT ts, stat_pid pid,
    100.0 * ticks / (SELECT value FROM meta WHERE key = 'clock_ticks') / dt AS value
  FROM lagged WHERE ticks IS NOT NULL ORDER BY stat_pid, ts`;

/** The contract's RSS query, MiB per process and sample. */
const RSS_SQL = `SELECT ts, stat_pid pid,
  stat_rss / 1024.0 / 1024 * (SELECT value FROM meta WHERE key = 'page_size') value
  FROM record ORDER BY stat_pid, record_id`;

/** Polls `/proc/PID/stat` every few ms: [seconds since the epoch, utime + stime ticks]. */
function sampleTicks(pid: number): { samples: [number, number][]; stop: () => void } {
  const samples: [number, number][] = [];
  const read = () => {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    // utime and stime are fields 14 and 15; the split starts at field 3
    samples.push([Date.now() / 1000, Number(fields[11]) + Number(fields[12])]);
  };
  read();
  const timer = setInterval(read, 5);
  return { samples, stop: () => (clearInterval(timer), read()) };
}

/** The ticks at time `ts`, interpolated between the two samples around it. */
function ticksAt(samples: [number, number][], ts: number): number {
  const after = samples.findIndex(([t]) => t >= ts);
  if (after <= 0) throw new Error(`no kernel sample brackets ${ts}`);
  const [t0, v0] = samples[after - 1], [t1, v1] = samples[after];
  return v0 + (v1 - v0) * (ts - t0) / (t1 - t0);
}

Deno.test({
  name:
    "procpath record measures a busy process's CPU as the kernel counts it, and an idle one at 0",
  ...linux,
  async fn() {
    await withTempDir(async (dir) => {
      const burner = new Deno.Command("sh", { args: ["-c", "while :; do :; done"] }).spawn();
      const sleeper = new Deno.Command("sleep", { args: ["30"] }).spawn();
      // the burner gets a whole core only on an idle machine; the truth is what the kernel counted
      const kernel = sampleTicks(burner.pid);
      try {
        const { code, stderr } = await runProcpath([
          "record",
          "-d",
          `${dir}/cpu.sqlite`,
          "-i",
          "0.5",
          "-r",
          "5",
          "-p",
          `${burner.pid},${sleeper.pid}`,
          `$..children[?(@.stat.pid in [${burner.pid}, ${sleeper.pid}])]`,
        ]);
        kernel.stop();
        assertEquals(code, 0, stderr);
        const rows = sql(`${dir}/cpu.sqlite`, CPU_SQL);
        const busy = rows.filter((r) => r.pid === burner.pid);
        const idle = rows.filter((r) => r.pid === sleeper.pid).map((r) => r.value as number);
        assertEquals([busy.length, idle.length], [4, 4]);
        const times = sql(
          `${dir}/cpu.sqlite`,
          `SELECT ts FROM record WHERE stat_pid = ${burner.pid} ORDER BY record_id`,
        ).map((r) => r.ts as number);
        const clockTicks = Number(
          new TextDecoder().decode(
            new Deno.Command("getconf", { args: ["CLK_TCK"] }).outputSync().stdout,
          ),
        );
        busy.forEach((row, i) => {
          const [from, to] = [times[i], times[i + 1]];
          const truth = 100 * (ticksAt(kernel.samples, to) - ticksAt(kernel.samples, from)) /
            clockTicks / (to - from);
          const value = row.value as number;
          // a tick is 10 ms: over 0.5 s, ±2 ticks of rounding at each end is ±8 points
          assertEquals(
            Math.abs(value - truth) < 12,
            true,
            `interval ${i}: procpath ${value} %, kernel ${truth} %`,
          );
        });
        assertEquals(busy.every((r) => (r.value as number) > 5), true, `burner at ${busy}`);
        assertEquals(idle.every((v) => v === 0), true, `sleeper at ${idle}`);
        const rss = sql(`${dir}/cpu.sqlite`, RSS_SQL).filter((r) => r.pid === sleeper.pid);
        const status = Deno.readTextFileSync(`/proc/${sleeper.pid}/status`);
        const vmrssMiB = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
        assertEquals(
          Math.abs((rss[0].value as number) - vmrssMiB) < 0.5,
          true,
          `${rss[0].value} vs ${vmrssMiB}`,
        );
      } finally {
        kernel.stop();
        burner.kill("SIGKILL");
        sleeper.kill("SIGKILL");
        await Promise.all([burner.status, sleeper.status]);
      }
    });
  },
});

Deno.test({
  name:
    "procpath record survives processes appearing and vanishing at a high rate, losing no iteration",
  ...linux,
  async fn() {
    await withTempDir(async (dir) => {
      // its own process group: the orphaned sleeps end with it, and nothing else does
      const churn = spawnGroup([
        "sh",
        "-c",
        "while :; do for i in 1 2 3 4 5 6 7 8; do (sleep 0.0$i &) ; done; done",
      ]);
      try {
        const { code, stderr } = await runProcpath([
          "record",
          "-f",
          "stat,cmdline,io,status,fd,smaps_rollup",
          "-d",
          `${dir}/churn.sqlite`,
          "-i",
          "0.01",
          "-r",
          "40",
        ]);
        assertEquals(code, 0, stderr);
        assertEquals(stderr.includes("    at "), false);
        assertEquals(integrity(`${dir}/churn.sqlite`), "ok");
        assertEquals(
          sql(`${dir}/churn.sqlite`, "SELECT COUNT(DISTINCT ts) s FROM record")[0].s,
          40,
        );
        assertEquals(
          sql(`${dir}/churn.sqlite`, "SELECT COUNT(*) n FROM record WHERE stat_pid IS NULL")[0].n,
          0,
        );
      } finally {
        await churn.kill();
      }
    });
  },
});

Deno.test({
  name: "procpath record ends with one clear line on a full disk, keeping what it committed",
  ...linux,
  async fn(t) {
    const mounted = await withTmpfs("192k", async (mount) => {
      const db = `${mount}/full.sqlite`;
      const BROWSER = fixture("browser");
      const { code, stderr } = await runProcpath([
        "record",
        "--procfs",
        BROWSER,
        "-f",
        "stat,cmdline,status",
        "-d",
        db,
        "-i",
        "0",
      ]);
      assertEquals(code, 1);
      const lines = logLines(stderr);
      assertEquals(lines.length, 1, stderr);
      assertIncludes(lines[0], `ERROR Cannot write "${db}": database or disk is full`);
      assertEquals(integrity(db), "ok");
      const [{ n, s }] = sql(db, "SELECT COUNT(*) n, COUNT(DISTINCT ts) s FROM record");
      assertEquals((n as number) > 0 && n === (s as number) * 22, true, `${n} rows, ${s} samples`);
    });
    if (!mounted) {
      await t.step({ name: "ignored: mounting a small tmpfs needs root", ignore: true, fn() {} });
    }
  },
});

Deno.test({
  ...needs("procpath record draws a status line on a terminal only", {
    "script (util-linux) is not installed": (() => {
      try {
        return new Deno.Command("script", { args: ["--version"], stdout: "null" }).outputSync()
          .success;
      } catch {
        return false;
      }
    })(),
  }),
  async fn() {
    await withTempDir(async (dir) => {
      const inner = `${repoPath("scripts/procpath")} record --procfs ${
        fixture("browser")
      } -d ${dir}/tty.sqlite -r 3 -i 0.05`;
      const out = new Deno.Command("script", {
        args: ["-qec", inner, "/dev/null"],
        stdout: "piped",
        stderr: "piped",
      })
        .outputSync();
      const text = new TextDecoder().decode(out.stdout);
      assertEquals(out.code, 0);
      assertIncludes(text, "\r\x1b[Krecording: 3 iterations, 66 rows, last ");
      const piped = await runProcpath([
        "record",
        "--procfs",
        fixture("browser"),
        "-d",
        `${dir}/pipe.sqlite`,
        "-r",
        "3",
        "-i",
        "0",
      ]);
      assertEquals(piped.stderr.includes("recording:"), false);
    });
  },
});
