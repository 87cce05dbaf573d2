// The end-of-run summary of `record -- COMMAND` held to oracles that share no procpath
// code: its wall time to /usr/bin/time's %e (it was procpath's own run, 0.05–0.25 s
// longer), its largest process to %M (a brief allocation under procpath's own size was
// printed as "1.6 MiB the largest process: sleep 0.3"), and a plain recording's count of
// processes started to what `ps` says was running before it (pre-existing ones counted).
import { assertEquals } from "../_helpers/assert.ts";
import { compileC } from "../_helpers/compile_c.ts";
import { hasTime, installed, needs, TIME } from "../_helpers/needs.ts";
import { repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { descendantsOf, spawnGroup, waitUntil, withGroup } from "../_helpers/processes.ts";

// busy [SECONDS]: spins until SECONDS of wall time have passed (on the monotonic clock);
// alloc MIB: touches MIB MiB, holds it 0.2 s, exits
const BUSY = `#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 2;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  volatile unsigned long x = 0;
  do {
    for (int i = 0; i < 100000; i++) x += i;
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
  return 0;
}
`;
const ALLOC = `#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  size_t n = (size_t)atoi(argv[1]) << 20;
  char *p = malloc(n);
  memset(p, 1, n);
  usleep(200000);
  return p[n - 1] == 1 ? 0 : 1;
}
`;

const needed = {
  "/usr/bin/time is not installed": hasTime,
  "cc is not installed": installed("cc"),
};

/** Records `command` under /usr/bin/time; returns the summary and the oracle's %e and %M (KiB). */
async function recordTimed(dir: string, interval: string, command: string[]) {
  const db = `${dir}/run-${Math.random().toString(36).slice(2)}.sqlite`;
  const recorded = await runProcpath(
    ["record", "-i", interval, "-d", db, "--", TIME, "-f", "ORACLE %e %M", ...command],
    { cwd: dir },
  );
  assertEquals(recorded.code, 0, recorded.stderr);
  const oracle = /ORACLE (\S+) (\S+)/.exec(recorded.stderr);
  if (!oracle) throw new Error(`no /usr/bin/time line in ${recorded.stderr}`);
  const wall = /^ {2}wall time +([\d.]+) s$/m.exec(recorded.stderr);
  if (!wall) throw new Error(`no wall time in ${recorded.stderr}`);
  return {
    stderr: recorded.stderr,
    elapsed: Number(oracle[1]),
    maxRssKib: Number(oracle[2]),
    wall: Number(wall[1]),
  };
}

Deno.test({
  ...needs("the summary's wall time is the command's, as /usr/bin/time's %e, under load", needed),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      Deno.writeTextFileSync(`${dir}/busy.c`, BUSY);
      const busy = compileC(`${dir}/busy.c`, `${dir}/busy`, ["-O2"]);
      // two spinners of the test's own keep both cores busy meanwhile; their group is
      // ended by its ID
      await withGroup(
        spawnGroup(["sh", "-c", `${busy} 600 & ${busy} 600 & wait`]),
        async (load) => {
          await waitUntil(() => descendantsOf(load.pid).length >= 2);
          const seen: string[] = [];
          for (const command of [["sleep", "1"], [busy, "2"]]) {
            const run = await recordTimed(dir, "0.5", command);
            seen.push(`${command.join(" ")}: summary ${run.wall} s, %e ${run.elapsed} s`);
            if (Deno.env.get("ORACLE_REPORT")) console.log(seen.at(-1));
            // %e is /usr/bin/time's own span, inside the command's by its exec and exit
            const allowed = 0.03 + 0.01 * run.elapsed;
            assertEquals(Math.abs(run.wall - run.elapsed) <= allowed, true, seen.join("; "));
          }
        },
      );
    }, "procpath-summary-wall-");
  },
});

Deno.test({
  ...needs(
    "the summary names no definite largest process below /usr/bin/time's %M for a brief allocation",
    needed,
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      Deno.writeTextFileSync(`${dir}/alloc.c`, ALLOC);
      compileC(`${dir}/alloc.c`, `${dir}/alloc`, ["-O2"]);
      for (const mib of [30, 50]) {
        // 0.3 s to 0.5 s into a 1 s run, between the samples at once and at 1 s
        const run = await recordTimed(dir, "1", [
          "sh",
          "-c",
          `sleep 0.3; ./alloc ${mib}; sleep 0.5`,
        ]);
        const line = /^ +(≥ )?([\d.]+) MiB the largest process.*$/m.exec(run.stderr);
        if (!line) throw new Error(`no largest process in ${run.stderr}`);
        const figureKib = Number(line[2]) * 1024;
        const said = `${mib} MiB: %M ${run.maxRssKib} KiB; ${line[0].trim()}`;
        if (Deno.env.get("ORACLE_REPORT")) console.log(said);
        assertEquals(run.maxRssKib > mib * 1024, true, said);
        // a figure without "≥" claims the largest: it must be the real one (the kernel's
        // count is /usr/bin/time's %M or above: it holds /usr/bin/time's own too)
        if (line[1] === undefined) {
          assertEquals(figureKib >= run.maxRssKib * 0.99, true, said);
        } else if (figureKib < run.maxRssKib * 0.99) {
          // a bound below the truth says below what the kernel's count cannot tell
          const blind = /cannot tell a peak below ([\d.]+) MiB/.exec(run.stderr);
          assertEquals(blind !== null, true, `${said}\n${run.stderr}`);
          assertEquals(Number(blind![1]) * 1024 >= run.maxRssKib * 0.99, true, said);
        }
      }
    }, "procpath-summary-peak-");
  },
});

Deno.test({
  ...needs("a plain record counts no process that ps saw running before it as started", {
    "script (util-linux) is not installed": installed("script"),
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      await withGroup(spawnGroup(["sh", "-c", "sleep 60 & sleep 60 & wait"]), async (group) => {
        await waitUntil(() => descendantsOf(group.pid).length >= 2);
        // ps, not procpath, says what ran before the recording: setsid's sh and its sleeps
        const ps = new TextDecoder().decode(
          new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(group.pid)] })
            .outputSync().stdout,
        ).trim().split(/\s+/).filter(Boolean);
        assertEquals(ps.length, 2);
        // the summary of a plain record is printed on a terminal: script gives it one;
        // without events the count comes from the samples, the case that counted them all
        const procpath = repoPath("scripts/procpath");
        const db = `${dir}/p.sqlite`;
        const out = new Deno.Command("script", {
          args: [
            "-qec",
            `${procpath} record -i 0.2 -r 4 --no-events --pid ${group.pid} -d ${db}`,
            "/dev/null",
          ],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).outputSync();
        const text = new TextDecoder().decode(out.stdout);
        const started = /^ {2}processes +(\d+) (.*)$/m.exec(text);
        if (!started) throw new Error(`no processes line in ${text}`);
        assertEquals(Number(started[1]), 0, started[0]);
        assertEquals(started[2]!.includes("3 running before the recording"), true, started[0]);
      });
    }, "procpath-summary-started-");
  },
});
