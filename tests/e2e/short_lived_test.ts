// Nothing escapes a recording: processes that live between samples, their CPU and
// names, and `record -- COMMAND`. Real fork storms on the live /proc.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, repoPath, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { sql } from "../_helpers/sqlite.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { NOBODY, readableCheckout } from "../_helpers/unprivileged.ts";
import {
  processesWith,
  sleepMarker,
  spawnGroup,
  survivors,
  waitUntil,
} from "../_helpers/processes.ts";
import { BUILTIN_QUERIES } from "../../src/store/queries.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };
const isRoot = Deno.uid() === 0;

/** A shell loop of short children (the shape of a build or a test run), for `seconds`. */
const storm = (seconds: number) =>
  `end=$(($(date +%s) + ${seconds})); while [ $(date +%s) -lt $end ]; do ` +
  `sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'; done`;

/**
 * The same shape as {@link storm}, a fixed number of children: a fixed amount of CPU
 * however loaded the machine is (a timed storm on a starved machine used too little).
 */
const stormOf = (children: number) =>
  `n=0; while [ $n -lt ${children} ]; do n=$((n+1)); ` +
  `sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'; done`;

/**
 * A built-in query's values summed per sample and averaged over the recording, each
 * interval weighted by its length (a loaded machine's intervals differ): % of a core.
 */
function average(db: string, name: string): { mean: number; intervals: number } {
  const rows = sql(
    db,
    BUILTIN_QUERIES[name].sql.replaceAll(":after", "NULL").replaceAll(":before", "NULL")
      .replaceAll(":pid_list", "NULL"),
  ) as { ts: number; value: number }[];
  const byTs = new Map<number, number>();
  for (const { ts, value } of rows) byTs.set(ts, (byTs.get(ts) ?? 0) + value);
  const times = sql(db, "SELECT DISTINCT ts FROM record ORDER BY ts").map((r) => Number(r.ts));
  let weighted = 0;
  for (let i = 1; i < times.length; i++) {
    weighted += (byTs.get(times[i]) ?? 0) * (times[i] - times[i - 1]);
  }
  return { mean: weighted / (times.at(-1)! - times[0]), intervals: times.length - 1 };
}

Deno.test({
  name: "a fork storm's CPU is all in cpu_total, as the kernel counts it; cpu shows almost none",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/storm.sqlite`;
      const group = spawnGroup(["sh", "-c", storm(30)]);
      try {
        // the storm's subtree alone (-p would keep its ancestors, the test runner among them)
        const recorded = await runProcpath(
          [
            "record",
            "-i",
            "0.5",
            "-r",
            "7",
            "-d",
            db,
            `$..children[?(@.stat.pid == ${group.pid})]`,
          ],
        );
        assertEquals(recorded.code, 0, recorded.stderr);
        // the kernel's truth: the storm's shell reaps every child, so its own CPU and its
        // children's (utime + stime + cutime + cstime) grew by all the storm used
        const [first, last] = ["MIN", "MAX"].map((f) =>
          sql(
            db,
            `SELECT ts, stat_utime + stat_stime + stat_cutime + stat_cstime ticks FROM record ` +
              `WHERE stat_pid = ${group.pid} AND ts = (SELECT ${f}(ts) FROM record)`,
          )[0] as { ts: number; ticks: number }
        );
        const clockTicks = Number(
          sql(db, "SELECT value FROM meta WHERE key = 'clock_ticks'")[0].value,
        );
        const truth = (last.ticks - first.ticks) / clockTicks / (last.ts - first.ts) * 100;
        assertEquals(truth > 10, true, `the storm ran ${truth} % of a core`);
        const { mean, intervals } = average(db, "cpu_total");
        assertEquals(intervals, 6);
        assertEquals(mean / truth >= 0.95 && mean / truth <= 1.05, true, `${mean} % vs ${truth} %`);
        // the reference's per-process query sees only what lives at sampling instants
        const seen = average(db, "cpu").mean;
        assertEquals(seen < truth / 2, true, `cpu ${seen} % vs ${truth} %`);
        // the explore chart and the plot draw that query
        const plotted = await runProcpath([
          "plot",
          "-d",
          db,
          "-q",
          "cpu_total",
          "-f",
          `${dir}/p.svg`,
        ]);
        assertEquals(plotted.code, 0, plotted.stderr);
        assertIncludes(Deno.readTextFileSync(`${dir}/p.svg`), "CPU Usage incl. exited children");
      } finally {
        await group.kill();
      }
    });
  },
});

/** Within 3 %, or the summary's rounding (it prints hundredths of a second). */
const closeTo = (summary: number, truth: number) =>
  Math.abs(summary - truth) <= 0.03 * truth + 0.005;

/** `bash -c 'WORK; times'`: the shell's own and its children's CPU, seconds. */
function timesOf(stdout: string): number {
  const figures = [...stdout.matchAll(/(\d+)m([\d.]+)s/g)].map((m) =>
    Number(m[1]) * 60 + Number(m[2])
  );
  return figures.reduce((a, b) => a + b, 0);
}

Deno.test({
  name: "record -- COMMAND: the summary's CPU is the tree's, every short-lived process included",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      // two loops at once (a make -j2) of short children, then bash's own count of them;
      // sampled often enough that an idle machine, done in a second, still gives intervals
      const work = `(${stormOf(300)}) & (${stormOf(300)}) & wait; times`;
      const { code, stdout, stderr } = await runProcpath([
        "record",
        "-i",
        "0.25",
        "-d",
        `${dir}/run.sqlite`,
        "--",
        "bash",
        "-c",
        work,
      ]);
      assertEquals(code, 0, stderr);
      const truth = timesOf(stdout);
      const [, cpu] = /CPU +([\d.]+) s/.exec(stderr)!;
      assertEquals(truth > 0.25, true, `bash counted ${truth} s`);
      assertEquals(
        closeTo(Number(cpu), truth),
        true,
        `summary ${cpu} s, bash's times ${truth} s`,
      );
      assertIncludes(stderr, "procpath record: bash -c");
      assertIncludes(stderr, "exited with status 0");
      assertIncludes(stderr, "most CPU");
      // the loops' children lead, by name: alone, or among the programs of exits whose
      // reaped CPU the summary cannot split (one gone before its exec was read is unnamed)
      const first = /most CPU.*\n +[\d.]+ s {2}(.*)/.exec(stderr)?.[1] ?? "";
      assertEquals(/(^|: |, )sh( |,|$)/.test(first), true, stderr);
    });
  },
});

/**
 * Runs the naming workload under `record --` with `procpath` (behind `prefix`, e.g.
 * setpriv's words); returns named / exec'd.
 */
async function namedShare(
  dir: string,
  procpath = repoPath("scripts/procpath"),
  prefix: string[] = [],
): Promise<number> {
  const script = `${dir}/names.sh`;
  Deno.writeTextFileSync(
    script,
    // each command lives ~20 ms: naming one that lives a millisecond (/bin/true) needs a
    // CPU free at once, which a loaded suite does not give (51 % named beside two busy
    // loops); bench:short-lived measures that case on a quiet machine
    // (a fixed count: a loaded machine runs fewer in a given time)
    `n=0\nwhile [ $n -lt 40 ]; do ` +
      `sh -c 'sleep 0.02; :' "cmd-$n"; n=$((n+1)); done\necho "$n" > ${dir}/count\n`,
  );
  Deno.chmodSync(dir, 0o777);
  const [command, ...words] = [...prefix, procpath];
  const result = await new Deno.Command(
    command,
    {
      args: [
        ...words,
        "record",
        "-i",
        "1",
        "-d",
        `${dir}/names.sqlite`,
        "--",
        "sh",
        script,
      ],
      cwd: dir,
      env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}` },
      stdout: "piped",
      stderr: "piped",
    },
  ).output();
  const stderr = new TextDecoder().decode(result.stderr);
  assertEquals(result.code, 0, stderr);
  assertEquals(stderr.includes("are not named"), false, stderr);
  const execd = Number(Deno.readTextFileSync(`${dir}/count`));
  const named = Number(
    sql(
      `${dir}/names.sqlite`,
      "SELECT COUNT(DISTINCT cmdline) n FROM process_event " +
        "WHERE kind = 'exec' AND cmdline LIKE 'sh -c sleep 0.02; : cmd-%'",
    )[0].n,
  );
  assertEquals(execd, 40, "the script ran its 40 commands");
  return named / execd;
}

Deno.test({
  name: "the process_event table names the short commands exec'd between samples",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const share = await namedShare(dir);
      assertEquals(share >= 0.9, true, `${(share * 100).toFixed(1)} % named`);
      const meta = sql(
        `${dir}/names.sqlite`,
        "SELECT value FROM meta WHERE key = 'process_events'",
      );
      assertIncludes(String(meta[0].value), "process-events connector");
      const kinds = sql(`${dir}/names.sqlite`, "SELECT DISTINCT kind FROM process_event ORDER BY 1")
        .map((r) => r.kind);
      assertEquals(kinds, ["exec", "exit", "fork"]);
    });
  },
});

/**
 * Why uid 65534 cannot bind the process-events connector here, or null where it can:
 * asked with perl's socket calls as that user (nothing of procpath's). Linux 6.18 here
 * lets root subscribe and answers uid 65534's bind with EPERM.
 */
function nobodyCannotListen(): string | null {
  if (!isRoot || !installed("setpriv") || !installed("perl")) return null; // ignored anyway
  const probe = new Deno.Command(NOBODY[0], {
    args: [
      ...NOBODY.slice(1),
      "perl",
      "-MSocket",
      "-e",
      'socket(my $s, 16, 2, 11) or die "socket: $!\\n"; ' +
      'bind($s, pack("SSLL", 16, 0, 0, 1)) or die "bind: $!\\n"',
    ],
    stderr: "piped",
  }).outputSync();
  return probe.success ? null : new TextDecoder().decode(probe.stderr).trim();
}
const nobodyRefused = nobodyCannotListen();

Deno.test({
  ...needs("as an unprivileged user (uid 65534) the connector still names them", {
    "switching users needs root": isRoot,
    "setpriv is not installed": installed("setpriv"),
    "perl is not installed": installed("perl"),
    [`the kernel refuses uid 65534 the connector (${nobodyRefused})`]: nobodyRefused === null,
  }),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      // a copy of the checkout uid 65534 can read: the test's own may sit in a private dir
      const checkout = await readableCheckout();
      let share: number;
      try {
        share = await namedShare(dir, checkout.procpath, NOBODY);
      } finally {
        await checkout.remove();
      }
      assertEquals(share >= 0.9, true, `${(share * 100).toFixed(1)} % named`);
    });
  },
});

Deno.test({
  ...needs("as uid 65534 where the kernel refuses the connector: one warning, then the recording", {
    "switching users needs root": isRoot,
    "setpriv is not installed": installed("setpriv"),
    "perl is not installed": installed("perl"),
    "the kernel lets uid 65534 use the connector": nobodyRefused !== null,
  }),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      Deno.chmodSync(dir, 0o777);
      const checkout = await readableCheckout();
      try {
        const result = await checkout.asNobody(
          ["record", "-i", "0.5", "-d", `${dir}/run.sqlite`, "--", "sh", "-c", "sleep 1"],
        );
        const stderr = new TextDecoder().decode(result.stderr);
        assertEquals(result.code, 0, stderr);
        // a loaded machine may add "Iteration took longer …": not this test's business
        const warnings = logLines(stderr).filter((l) =>
          l.startsWith("WARNING") && !l.includes("Iteration took longer")
        );
        assertEquals(warnings.length, 1, stderr);
        assertIncludes(warnings[0], "Processes that live between samples are not named");
        assertIncludes(warnings[0], "not permitted");
        assertEquals(
          Number(sql(`${dir}/run.sqlite`, "SELECT COUNT(*) n FROM record")[0].n) > 0,
          true,
        );
      } finally {
        await checkout.remove();
      }
    });
  },
});

Deno.test({
  ...needs("where the connector cannot be used, one warning, and the CPU is still exact", {
    "unshare is not installed": installed("unshare"),
    "user namespaces are not allowed": new Deno.Command("unshare", { args: ["-U", "-r", "true"] })
      .outputSync().success,
  }),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const result = await new Deno.Command("unshare", {
        args: [
          "-U",
          "-r",
          repoPath("scripts/procpath"),
          "record",
          "-i",
          "1",
          "-d",
          `${dir}/run.sqlite`,
          "--",
          "bash",
          "-c",
          `${storm(1)}; times`,
        ],
        env: { PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(result.stderr);
      assertEquals(result.code, 0, stderr);
      const warnings = logLines(stderr).filter((l) => l.startsWith("WARNING"));
      assertEquals(warnings.length, 1, stderr);
      assertIncludes(warnings[0], "Processes that live between samples are not named");
      const truth = timesOf(new TextDecoder().decode(result.stdout));
      const [, cpu] = /CPU +([\d.]+) s/.exec(stderr)!;
      assertEquals(closeTo(Number(cpu), truth), true, `${cpu} s vs ${truth} s`);
      assertEquals(
        sql(`${dir}/run.sqlite`, "SELECT name FROM sqlite_master WHERE name = 'process_event'"),
        [],
      );
    });
  },
});

Deno.test({
  name: "record -- exits with the command's status and leaves nothing running, orphans waited for",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      // a sleep of about 0.6 s whose command line no other process has
      const marker = `0.6${Math.floor(Math.random() * 1e6)}`;
      const seven = await runProcpath([
        "record",
        "-d",
        `${dir}/a.sqlite`,
        "--",
        "sh",
        "-c",
        "exit 7",
      ]);
      assertEquals(seven.code, 7, seven.stderr);
      assertIncludes(seven.stderr, "exited with status 7");
      // an orphan the command leaves keeps the recording going until it exits
      const orphan = await runProcpath([
        "record",
        "-i",
        "0.2",
        "-d",
        `${dir}/b.sqlite`,
        "--",
        "sh",
        "-c",
        `(sleep ${marker}; true) & exit 3`,
      ]);
      assertEquals(orphan.code, 3, orphan.stderr);
      assertEquals(await survivors(`sleep ${marker}`), []);
      const recorded = sql(`${dir}/b.sqlite`, "SELECT DISTINCT stat_comm c FROM record ORDER BY 1");
      assertEquals(recorded.map((r) => r.c).includes("sleep"), true, JSON.stringify(recorded));
    });
  },
});

Deno.test("record -- with bad input: no command, a command that does not exist", async () => {
  await withTempDir(async (dir) => {
    const none = await runProcpath(["record", "-d", `${dir}/a.sqlite`, "--"]);
    assertEquals(none.code, 2);
    assertEquals(logLines(none.stderr), ["ERROR missing the command to run after '--'"]);
    const missing = await runProcpath(["record", "-d", `${dir}/a.sqlite`, "--", "no-such-cmd-xyz"]);
    assertEquals(missing.code, 127);
    assertEquals(logLines(missing.stderr), ["ERROR no-such-cmd-xyz: command not found"]);
    assertEquals([...Deno.readDirSync(dir)], []);
    const replay = await runProcpath([
      "record",
      "--procfs",
      "/tmp",
      "-d",
      `${dir}/a.sqlite`,
      "--",
      "true",
    ]);
    assertEquals(replay.code, 1);
    assertIncludes(replay.stderr, "records the live /proc");
  });
});

Deno.test({
  name: "Ctrl+C during record -- COMMAND stops the command, prints the summary and exits as it did",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const marker = sleepMarker();
      const child = spawnProcpath([
        "record",
        "-i",
        "0.2",
        "-d",
        `${dir}/c.sqlite`,
        "--",
        "sh",
        "-c",
        `exec sleep ${marker}`,
      ]);
      await waitUntil(() => processesWith(`sleep ${marker}`).length === 1);
      child.kill("SIGINT");
      const { code, stderr } = await child.output();
      const text = new TextDecoder().decode(stderr);
      assertEquals(code, 130, text); // sleep ended by SIGINT, as a shell reports it
      assertIncludes(
        text,
        `exec sleep ${marker} exited with status 130 after a stop signal`,
      );
      assertIncludes(text, "wall time");
      assertEquals(await survivors(`sleep ${marker}`), []);
    });
  },
});
