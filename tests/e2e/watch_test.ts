import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import {
  processesWith,
  readUntil,
  sleepMarker,
  survivors,
  waitUntil,
} from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };

Deno.test("procpath watch substitutes variables and restarts exited commands", async () => {
  const { code, stderr } = await runProcpath([
    "watch",
    "-e",
    "V=echo hello",
    "-c",
    "echo $V; exit 3",
    "-i",
    "0.4",
    "-r",
    "3",
  ]);
  assertEquals(code, 0);
  assertEquals(logLines(stderr), [
    "INFO №1: hello",
    "INFO №1 exited with code 3, restarting",
    "INFO №1: hello",
    "INFO №1 exited with code 3, restarting",
    "INFO №1: hello",
  ]);
});

Deno.test("procpath watch templates queries with -e variables before parsing them", async () => {
  const { code, stderr } = await runProcpath([
    "watch",
    "--procfs",
    fixture("browser"),
    "-e",
    "C1=echo 111",
    "-q",
    "L=$..children[?(@.stat.pid in [$C1])]..pid",
    "-c",
    "echo $L",
    "-i",
    "0.1",
    "-r",
    "1",
  ]);
  assertEquals([code, logLines(stderr)], [0, ["INFO №1: 111,112,113"]]);
});

Deno.test("procpath watch joins query results into variables and gives later commands $WPS of earlier shells", async () => {
  const { code, stderr } = await runProcpath([
    "watch",
    "--procfs",
    fixture("browser"),
    "-q",
    "L=$..children[?(@.stat.pid == 108)]..pid",
    "-q",
    "E=$..children[?(@.stat.pid == 4040)]",
    "-c",
    "echo L=$L; echo oops >&2; sleep 5",
    "-c",
    "echo first=$WPS1 own=${WPS2:-unset}",
    "-i",
    "1",
    "-r",
    "1",
    "--kill-after",
    "1",
  ]);
  assertEquals(code, 0);
  const lines = logLines(stderr);
  assertEquals(lines.includes("WARNING Query E evaluated empty"), true, stderr);
  assertEquals(lines.includes("INFO №1: L=108,111,112,113"), true, stderr);
  assertEquals(lines.includes("WARNING №1: oops"), true, stderr);
  const wps = lines.find((l) => l.startsWith("INFO №2: first="))!;
  assertEquals(/^INFO №2: first=\d+ own=unset$/.test(wps), true, wps);
});

Deno.test({
  name:
    "procpath watch leaves no process behind when a command ignores the stop signal and forks grandchildren",
  ...unsanitized,
  async fn() {
    const marker = sleepMarker();
    const command =
      `trap '' INT TERM; (trap '' INT TERM; sleep ${marker}) & setsid sleep ${marker} & sleep ${marker} & wait`;
    const started = performance.now();
    const { code, stderr } = await runProcpath([
      "--logging-level",
      "DEBUG",
      "watch",
      "-c",
      command,
      "-i",
      "0.3",
      "-r",
      "1",
      "--kill-after",
      "0.5",
      "-s",
      "SIGTERM",
    ]);
    assertEquals(code, 0);
    assertIncludes(stderr, "Sending SIGTERM to shell PGRP");
    assertIncludes(stderr, "Not all shell processes terminated after stop signal");
    assertIncludes(stderr, "Killing unterminated descendant PID"); // the setsid sleep escaped the group
    assertEquals(performance.now() - started < 5000, true);
    assertEquals(await survivors(`sleep ${marker}`), []);
  },
});

Deno.test({
  name: "procpath watch stops its commands on Ctrl+C and exits 0",
  ...unsanitized,
  async fn() {
    const marker = sleepMarker();
    // the marker reaches the shells through a variable, so procpath's own argv does not hold it
    const child = new Deno.Command("scripts/procpath", {
      args: ["watch", "-e", `S=echo ${marker}`, "-c", "sleep $S", "-c", "sleep $S", "-i", "10"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await waitUntil(() => processesWith(`sleep ${marker}`).length === 2);
    Deno.kill(child.pid, "SIGINT"); // scripts/procpath execs Deno: its PID is procpath's
    const { code } = await child.output();
    assertEquals(code, 0);
    assertEquals(await survivors(`sleep ${marker}`), []);
  },
});

Deno.test("procpath watch --no-restart starts commands once and ends when all have exited", async () => {
  const started = performance.now();
  const { code, stderr } = await runProcpath([
    "watch",
    "-c",
    "echo once",
    "-c",
    "sleep 0.3; echo twice",
    "--no-restart",
    "-i",
    "0.1",
  ]);
  assertEquals(code, 0);
  assertEquals(logLines(stderr), [
    "INFO №1: once",
    "INFO №1 exited with code 0",
    "INFO №2: twice",
    "INFO №2 exited with code 0",
  ]);
  assertEquals(performance.now() - started < 5000, true);
});

Deno.test("procpath watch --no-restart exits with the first failing command's status, so CI can gate on it", async () => {
  await withTempDir(async (dir) => {
    // the README's recipe: a test run that fails, recorded until its branch is gone
    const { code, stderr } = await runProcpath([
      "watch",
      "--no-restart",
      "-i",
      "0.2",
      "-c",
      "sleep 0.5; echo 'FAILED tests/test_x.py'; exit 1",
      "-c",
      `scripts/procpath record -d ${dir}/run.sqlite -i 0.1 --stop-without-result -p $WPS1`,
    ], { cwd: repoPath("") });
    assertEquals(code, 1, stderr);
    const lines = logLines(stderr);
    assertEquals(lines.includes("INFO №1 exited with code 1"), true, stderr);
    assertEquals(lines.includes("INFO №2 exited with code 0"), true, stderr);
    const ok = await runProcpath([
      "watch",
      "--no-restart",
      "-i",
      "0.1",
      "-c",
      "exit 0",
      "-c",
      "exit 0",
    ]);
    assertEquals(ok.code, 0);
  });
});

Deno.test({
  name: "procpath watch stops its running commands when a later iteration fails",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const marker = sleepMarker();
      // the second evaluation makes the query unparsable: an error that ends the watch
      const { code, stderr } = await runProcpath([
        "watch",
        "-e",
        `S=if test -f ${dir}/started; then echo '(('; else echo ${marker}; fi`,
        "-q",
        "P=$..children[?(@.stat.pid == $S)].stat.pid",
        "-c",
        `touch ${dir}/started; sleep $S`,
        "-i",
        "0.3",
      ]);
      assertEquals(code, 1);
      assertEquals(logLines(stderr).length, 2, stderr);
      assertEquals(logLines(stderr)[0], "WARNING Query P evaluated empty");
      assertIncludes(
        logLines(stderr)[1],
        'ERROR Cannot parse query "$..children[?(@.stat.pid == (()]',
      );
      assertEquals(await survivors(`sleep ${marker}`), []);
    });
  },
});

Deno.test("procpath watch without permission to run sh says so in one line", async () => {
  const { code, stderr } = await runProcpath(["watch", "-c", "true", "-i", "1"], {
    flags: ["--no-prompt", "--allow-read"],
  });
  assertEquals(code, 1);
  assertEquals(logLines(stderr), [
    'ERROR Requires run access to "sh": run procpath with the permissions its README lists for this command',
  ]);
});

Deno.test("procpath watch rejects bad input with one line and starts nothing", async () => {
  for (
    const [args, message, expected] of [
      [["-c", "true", "-i", "1", "-s", "SIGFOO"], "expected a signal name", 2],
      [["-c", "true"], "required option '-i, --interval <interval>' not specified", 2],
      [["-c", "true", "-i", "1", "-q", "L=!@#$"], 'Cannot parse query "!@#$"', 1],
      [["-c", "true", "-i", "1", "-q", "novalue"], "is not NAME=JSONPath", 2],
    ] as [string[], string, number][]
  ) {
    const { code, stderr } = await runProcpath(["watch", ...args]);
    assertEquals(code, expected, args.join(" "));
    assertEquals(stderr.trim().split("\n").length, 1, stderr);
    assertIncludes(stderr, message);
  }
});

Deno.test({
  name: "procpath watch --fan-out runs the commands once per selected process, with that one PID",
  ...unsanitized,
  async fn() {
    const marker = `fan${Date.now() % 100000}`;
    const sleepers = [1, 2, 3].map((i) =>
      new Deno.Command("bash", { args: ["-c", `exec -a ${marker}-${i} sleep 30`] }).spawn()
    );
    const pids = sleepers.map((s) => s.pid).sort((a, b) => a - b);
    const { code, stderr } = await runProcpath([
      "watch",
      "-q",
      `P=$..children[?(@.cmdline.startswith('${marker}-'))].stat.pid`,
      "--fan-out",
      "P",
      "--no-restart",
      "-c",
      "echo one $P",
      "-i",
      "0.2",
    ]);
    for (const sleeper of sleepers) sleeper.kill("SIGKILL");
    assertEquals(code, 0, stderr);
    const lines = logLines(stderr);
    for (const pid of pids) {
      assertEquals(lines.includes(`INFO №1 P=${pid}: one ${pid}`), true, stderr);
      assertEquals(lines.includes(`INFO №1 P=${pid} exited with code 0`), true, stderr);
    }
    assertEquals(lines.length, 6, stderr);
    await Promise.all(sleepers.map((s) => s.status));
  },
});

Deno.test("procpath watch --skip-empty does not start a command whose variable came out empty", async () => {
  const { code, stderr } = await runProcpath([
    "watch",
    "-q",
    "P=$..children[?(@.stat.pid == 0)].stat.pid",
    "--skip-empty",
    "-c",
    "echo would trace -p $P",
    "-c",
    "echo unaffected",
    "-i",
    "0.1",
    "-r",
    "2",
  ]);
  assertEquals(code, 0);
  const lines = logLines(stderr);
  assertEquals(lines.filter((l) => l.includes("would trace")), []);
  assertEquals(lines.filter((l) => l === "INFO №1 not started: $P is empty").length, 1, stderr);
  assertEquals(lines.includes("INFO №2: unaffected"), true);
});

Deno.test({
  name: "procpath watch says what its stop waits for, and a second Ctrl+C kills at once",
  ...unsanitized,
  async fn() {
    const marker = sleepMarker();
    const child = new Deno.Command("scripts/procpath", {
      args: ["watch", "-e", `S=echo ${marker}`, "-c", "trap '' INT; sleep $S", "-i", "10"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    await waitUntil(() => processesWith(`sleep ${marker}`).length === 1);
    Deno.kill(child.pid, "SIGINT");
    // the second Ctrl+C once the first one's wait has begun
    const { rest } = await readUntil(child.stderr, /press Ctrl\+C again/);
    Deno.kill(child.pid, "SIGINT");
    const { code } = await child.status;
    assertEquals(code, 0);
    // killed at once: the command is gone before its 10 s of grace were up
    assertEquals(processesWith(`sleep ${marker}`), []);
    const stderr = await rest;
    assertEquals(logLines(stderr), [
      "INFO Waiting up to 10s for №1 to exit; press Ctrl+C again to kill at once",
    ]);
    assertEquals(await survivors(`sleep ${marker}`), []);
  },
});

Deno.test("procpath watch names the signal that ended a command (the code alone is a shell's 128 + N)", async () => {
  const { code, stderr } = await runProcpath(
    ["watch", "--no-restart", "-i", "0.1", "-c", "kill -SEGV $$"],
  );
  // oracle: the status a shell gives the same command
  const shell = new Deno.Command("sh", { args: ["-c", "sh -c 'kill -SEGV $$'"] }).outputSync().code;
  assertEquals(code, shell);
  assertEquals(logLines(stderr), [`INFO №1 exited with code ${shell} (killed by SIGSEGV)`]);
});
