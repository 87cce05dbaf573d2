/**
 * What `record -- COMMAND` says while it waits and when the command ends, driven as a
 * user drives it: signals sent to procpath's PID, waits on what it writes and on the
 * processes it runs, never fixed sleeps. Oracles: the shell's own `$?` and `$!`, and
 * the live processes.
 */
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, repoPath, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import {
  processesWith,
  readUntil,
  survivors,
  waitUntil,
  withChild,
  withSleepMarker,
} from "../_helpers/processes.ts";
import { sql } from "../_helpers/sqlite.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const OPTIONS = { ignore: Deno.build.os !== "linux", sanitizeResources: false, sanitizeOps: false };

/**
 * Runs `body` with a temporary directory and a `sleep` command of its own; in the end
 * removes the directory and ends what a failed test left running of that `sleep`.
 */
function withDirAndSleep(body: (dir: string, sleep: string) => Promise<void>): Promise<void> {
  return withTempDir((dir) => withSleepMarker((sleep) => body(dir, sleep)));
}

/** The status a shell gives for `script` run directly: the oracle of a command's status. */
function shellStatus(script: string): number {
  return new Deno.Command("sh", { args: ["-c", script] }).outputSync().code;
}

Deno.test({
  ...OPTIONS,
  name:
    "record -- COMMAND names the signal that killed the command, and hints at one a shell reported",
  async fn() {
    await withTempDir(async (dir) => {
      const direct = "kill -SEGV $$";
      const killed = await runProcpath(
        ["record", "-i", "0.2", "-d", `${dir}/a.sqlite`, "--", "sh", "-c", direct],
      );
      assertEquals(killed.code, shellStatus(direct));
      assertIncludes(killed.stderr, "exited with status 139 (killed by SIGSEGV)");
      // a shell whose program was killed reports 128 + 11 as its own exit status
      const reported = `sh -c '${direct}'; exit $?`;
      const shell = await runProcpath(
        ["record", "-i", "0.2", "-d", `${dir}/b.sqlite`, "--", "sh", "-c", reported],
      );
      assertEquals(shell.code, shellStatus(reported));
      assertIncludes(
        shell.stderr,
        "exited with status 139 (128 + 11: a program it ran was likely killed by SIGSEGV)",
      );
    });
  },
});

Deno.test({
  ...OPTIONS,
  name:
    "record -- COMMAND says once which processes the command left running, and a stop ends them",
  async fn() {
    await withDirAndSleep(async (dir, sleep) => {
      // a daemon of its own session, as `daemon`, `nohup … &` or a double fork leave
      const procpath = spawnProcpath([
        "record",
        "-i",
        "0.1",
        "-d",
        `${dir}/c.sqlite`,
        "--",
        "sh",
        "-c",
        `setsid ${sleep} & echo $! > ${dir}/daemon`,
      ]);
      await withChild(procpath, async (child) => {
        const { match, rest } = await readUntil(
          child.stderr,
          /goes on until the process it left running exits: (\d+) \((.*)\); press Ctrl\+C to end it \(SIGTERM\)\n/,
        );
        // the shell's $! and the live process agree with the message
        assertEquals(
          [Number(match[1]), match[2]],
          [Number(Deno.readTextFileSync(`${dir}/daemon`)), sleep],
        );
        assertEquals(processesWith(sleep), [Number(match[1])]);
        Deno.kill(child.pid, "SIGINT");
        const { code } = await child.status;
        const stderr = await rest;
        assertEquals(code, 0, stderr);
        assertEquals(logLines(stderr).filter((l) => l.includes("goes on until")).length, 1);
        assertIncludes(stderr, "wall time");
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

Deno.test({
  ...OPTIONS,
  name:
    "record -- COMMAND: a command that ignores SIGTERM is told of, and a second SIGTERM kills its tree",
  async fn() {
    await withDirAndSleep(async (dir, sleep) => {
      // the ignored SIGTERM is inherited by the sleep below the shell
      const procpath = spawnProcpath(
        [
          "record",
          "-i",
          "0.1",
          "-d",
          `${dir}/d.sqlite`,
          "--",
          "sh",
          "-c",
          `trap '' TERM; ${sleep}`,
        ],
      );
      await withChild(procpath, async (child) => {
        await waitUntil(() => processesWith(sleep).length === 1);
        Deno.kill(child.pid, "SIGTERM");
        const { rest } = await readUntil(
          child.stderr,
          /Waiting for sh \(PID \d+\) to exit after SIGTERM; a second Ctrl\+C or stop signal kills the whole tree\n/,
        );
        assertEquals(processesWith(sleep).length, 1); // still running: it ignores SIGTERM
        Deno.kill(child.pid, "SIGTERM");
        const { code } = await child.status;
        const stderr = await rest;
        assertEquals(code, 137, stderr);
        assertIncludes(stderr, "exited with status 137 after a stop signal (killed by SIGKILL)");
        assertIncludes(stderr, "wall time");
        // the sleep below the shell too, not left to run as an orphan
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

for (const withCommand of [false, true]) {
  Deno.test({
    ...OPTIONS,
    name: `record -v: SIGINT during a re-evaluation of -e keeps the samples and prints the summary${
      withCommand ? " (-- COMMAND)" : ""
    }`,
    async fn() {
      await withDirAndSleep(async (dir, sleep) => {
        // each evaluation leaves a file, then takes long enough to be interrupted
        const evaluation = `X=mktemp ${dir}/evaluation.XXXXXX >/dev/null; sleep 2; echo 1`;
        const procpath = spawnProcpath([
          "record",
          "-i",
          "0.1",
          "-v",
          "1",
          "-e",
          evaluation,
          "-d",
          `${dir}/e.sqlite`,
          // a command that ignores SIGINT keeps the recording going past the first one
          ...(withCommand ? ["--", "sh", "-c", `trap '' INT; exec ${sleep}`] : ["-p", "1"]),
        ]);
        await withChild(procpath, async (child) => {
          const evaluations = () =>
            [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("evaluation.")).length;
          // two evaluations before the first sample (the database path's, then the first
          // iteration's, as the reference does), the third after it was committed
          await waitUntil(() => evaluations() === 3, { ms: 30000 });
          Deno.kill(child.pid, "SIGINT");
          let text: string;
          if (withCommand) {
            // the SIGINT is passed on to the command alone, not to procpath's own evaluation,
            // which ends as usual: the recording goes on to its next evaluation
            const { rest } = await readUntil(
              child.stderr,
              /Waiting for sh \(PID \d+\) to exit after SIGINT; a second Ctrl\+C or stop signal/,
            );
            await waitUntil(() => evaluations() === 4, { ms: 30000 });
            Deno.kill(child.pid, "SIGINT");
            text = await rest;
          } else text = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
          const { code } = await child.status;
          assertEquals(code, withCommand ? 137 : 0, text);
          assertEquals(logLines(text).filter((l) => l.startsWith("ERROR")), []);
          assertIncludes(text, withCommand ? "Recorded 2 samples, " : "Recorded 1 sample, ");
          if (withCommand) {
            assertIncludes(text, "exited with status 137 after a stop signal (killed by SIGKILL)");
            assertIncludes(text, "wall time");
            // procpath's -e shells are not events of the command's tree (where events are had)
            const db = `${dir}/e.sqlite`;
            const tables = sql(db, "SELECT name FROM sqlite_master WHERE name = 'process_event'");
            if (tables.length > 0) {
              assertEquals(
                sql(db, "SELECT COUNT(*) n FROM process_event WHERE cmdline LIKE '%mktemp%'"),
                [{ n: 0 }],
              );
              assertEquals(
                sql(db, "SELECT COUNT(*) n FROM process_event WHERE kind = 'fork'"),
                [{ n: 1 }],
              );
            }
          }
          assertEquals(sql(`${dir}/e.sqlite`, "SELECT COUNT(DISTINCT ts) n FROM record"), [{
            n: withCommand ? 2 : 1,
          }]);
          assertEquals(await survivors(sleep), []);
        });
      });
    },
  });
}

Deno.test({
  ...OPTIONS,
  name: "record --remote-write says what its final flush waits for",
  async fn() {
    await withTempDir(async (dir) => {
      // a receiver that cannot be reached: the samples stay queued to the end
      const procpath = spawnProcpath([
        "record",
        "-i",
        "0.1",
        "-r",
        "2",
        "-p",
        String(Deno.pid),
        "-d",
        `${dir}/f.sqlite`,
        "--remote-write",
        "http://127.0.0.1:9/api/v1/write",
      ]);
      await withChild(procpath, async (child) => {
        const { match } = await readUntil(
          child.stderr,
          /remote write: waiting up to 10 s for the receiver to take the (\d+) samples? still queued/,
        );
        assertEquals(Number(match[1]) > 0, true);
      });
    });
  },
});

for (const command of ["record", "watch"]) {
  Deno.test({
    ...OPTIONS,
    name: `${command} says when its -e commands keep it waiting, and a stop still ends the wait`,
    async fn() {
      await withDirAndSleep(async (dir, sleep) => {
        const args = command === "record"
          ? ["record", "-i", "0.1", "-r", "1", "-p", "1", "-d", `${dir}/g.sqlite`]
          : ["watch", "-i", "0.1", "-r", "1", "-c", "true"];
        const procpath = spawnProcpath([...args, "-e", `X=${sleep}; echo 1`, "-e", "Y=echo 2"]);
        await withChild(procpath, async (child) => {
          const { rest } = await readUntil(
            child.stderr,
            /Waiting for the -e commands of X, Y \(running for 5 s\)\n/,
          );
          Deno.kill(child.pid, "SIGINT");
          const { code } = await child.status;
          const stderr = await rest;
          assertEquals(code, 0, stderr);
          assertEquals(logLines(stderr).filter((l) => l.includes("Waiting for the -e")).length, 1);
          assertEquals(await survivors(sleep), []);
        });
      });
    },
  });
}

/** The screen of a tmux session, its lines unwrapped. */
const screen = (session: string) => tmux("capture-pane", "-p", "-J", "-t", session);

for (const left of [true, false]) {
  Deno.test({
    ...OPTIONS,
    ...needs(
      left
        ? "record -- COMMAND at a terminal: Ctrl+C ends what the command left running"
        : "record -- COMMAND at a terminal: a command ignoring Ctrl+C is told of, a second one kills it",
      { "tmux is not installed": installed("tmux") },
    ),
    async fn() {
      await withDirAndSleep(async (dir, sleep) => {
        const session = `procpath-waits-${crypto.randomUUID().slice(0, 8)}`;
        const script = left ? `setsid ${sleep} &` : `trap '' INT; ${sleep}`;
        newSession(session, "-x", "200", "-y", "50", "-c", repoPath(""));
        try {
          tmux(
            "send-keys",
            "-t",
            session,
            `scripts/procpath record -i 0.2 -d ${dir}/h.sqlite -- sh -c "${script}"; echo END=$?`,
            "Enter",
          );
          const told = left
            ? "press Ctrl+C to end it (SIGTERM)"
            : "a second Ctrl+C or stop signal kills the whole tree";
          if (!left) {
            await waitUntil(() => processesWith(sleep).length === 1);
            tmux("send-keys", "-t", session, "C-c", "");
          }
          await waitUntil(() => screen(session).includes(told), { message: () => screen(session) });
          tmux("send-keys", "-t", session, "C-c", "");
          await waitUntil(() => /END=\d+/.test(screen(session)), {
            message: () => screen(session),
          });
          assertIncludes(screen(session), left ? "END=0" : "END=137");
          assertIncludes(screen(session), "wall time");
          assertEquals(await survivors(sleep), []);
        } finally {
          tmux("kill-session", "-t", session);
        }
      });
    },
  });
}

/** The CPU seconds a `times` printed (the shell's and its children's, user and system). */
function timesSeconds(text: string): number {
  return [...text.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (s, m) => s + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
}

Deno.test({
  ...OPTIONS,
  name: "record -- COMMAND -v: the -e shells' CPU is not counted as the command's (oracle: times)",
  async fn() {
    await withTempDir(async (dir) => {
      const loop = "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done";
      // what one evaluation costs, as its shell counts it
      const evaluation = timesSeconds(
        new TextDecoder().decode(
          new Deno.Command("sh", { args: ["-c", `${loop}; times`] }).outputSync().stdout,
        ),
      );
      const run = await runProcpath([
        "record",
        "-i",
        "0.1",
        "-v",
        "1",
        "-e",
        `X=mktemp ${dir}/evaluation.XXXXXX >/dev/null; ${loop}; echo 1`,
        "-d",
        `${dir}/i.sqlite`,
        "--",
        "sh",
        "-c",
        "sleep 2; times",
      ]);
      assertEquals(run.code, 0, run.stderr);
      const evaluations = [...Deno.readDirSync(dir)].filter((e) =>
        e.name.startsWith("evaluation.")
      );
      if (evaluations.length < 4) throw new Error(`${evaluations.length} evaluations, 4 expected`);
      const command = timesSeconds(run.stdout);
      const summary = Number(/\n {2}CPU +([\d.]+) s/.exec(run.stderr)![1]);
      // at most the evaluation the command ended during is left in (its CPU is not known
      // apart from the command's); all of them were counted before: 4 and more
      const most = command + 1.5 * evaluation + 0.03;
      assertEquals(
        summary <= most,
        true,
        `summary ${summary} s, command ${command} s, ${evaluation} s an evaluation`,
      );
    });
  },
});
