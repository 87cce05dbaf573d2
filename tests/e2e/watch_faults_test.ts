// watch against commands that try to outlive it, data that tries to run as code, and
// signals at awkward moments (issue: hostile input and faults).
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import {
  processesWith,
  survivors,
  waitFor,
  withChild,
  withSleepMarker,
} from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };
/** CPU ticks (utime + stime) a process has used. */
function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

Deno.test({
  name: "watch never runs process data as shell code: variables reach the shell as environment",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      // a process any local user could start, named to break out of quotes
      const name = `x";touch ${dir}/INJECTED;"$(touch ${dir}/INJECTED2)\`touch ${dir}/INJECTED3\``;
      const victim = new Deno.Command("bash", {
        args: ["-c", `exec -a '${name.replaceAll("'", "'\\''")}' sleep 30`],
      }).spawn();
      await waitFor(() => processesWith('x";touch').length > 0);
      const { code, stderr } = await runProcpath([
        "watch",
        "-q",
        `C=$..children[?(@.stat.pid == ${victim.pid})].cmdline`,
        "-c",
        'echo "$C"',
        "-c",
        "echo $C",
        "-c",
        "eval echo \\${C%% *} >/dev/null; echo ${C}",
        "-i",
        "1",
        "-r",
        "1",
      ]);
      victim.kill("SIGKILL");
      await victim.status;
      assertEquals(code, 0);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), []);
      const lines = logLines(stderr);
      assertEquals(lines.length, 3, stderr);
      for (const line of lines) assertIncludes(line, `${name} 30`);
    });
  },
});

Deno.test({
  name: "watch stops at once and leaves nothing when an orphan holds the output pipe",
  ...unsanitized,
  async fn() {
    await withSleepMarker(async (sleep, marker) => {
      const procpath = spawnProcpath([
        "watch",
        "-e",
        `M=echo ${marker}`,
        "-c",
        "(sleep $M &); sleep $M",
        "-i",
        "5",
      ]);
      await withChild(procpath, async (child) => {
        await waitFor(() => processesWith(sleep).length === 2);
        const stopped = performance.now();
        Deno.kill(child.pid, "SIGINT");
        const { code } = await child.output();
        assertEquals(code, 0);
        assertEquals(performance.now() - stopped < 4000, true, "stop took too long");
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

Deno.test({
  name: "watch stops a double-forked setsid daemon and a restart storm of orphans",
  ...unsanitized,
  async fn() {
    await withSleepMarker(async (sleep, marker) => {
      const procpath = spawnProcpath([
        "watch",
        "-e",
        `M=echo ${marker}`,
        "-c",
        "(setsid sleep $M &); sleep $M",
        "-c",
        "sleep $M & exit 3",
        "-i",
        "0.05",
      ]);
      await withChild(procpath, async (child) => {
        await waitFor(() => processesWith(sleep).length >= 20);
        Deno.kill(child.pid, "SIGTERM");
        const { code } = await child.output();
        assertEquals(code, 0);
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

Deno.test({
  name: "watch -i 0 waits for its commands instead of spinning, and stops on SIGTERM",
  ...unsanitized,
  async fn() {
    await withSleepMarker(async (sleep, marker) => {
      const procpath = spawnProcpath([
        "watch",
        "-e",
        `M=echo ${marker}`,
        "-c",
        "sleep $M",
        "-i",
        "0",
      ]);
      await withChild(procpath, async (child) => {
        await waitFor(() => processesWith(sleep).length === 1);
        const before = cpuTicks(child.pid);
        await new Promise((r) => setTimeout(r, 1000));
        const used = cpuTicks(child.pid) - before;
        Deno.kill(child.pid, "SIGTERM");
        const { code } = await child.output();
        assertEquals(code, 0);
        assertEquals(used < 20, true, `${used} ticks of CPU in one second`);
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

Deno.test({
  name: "a SIGKILLed watch leaves no command behind: its watchdog kills them",
  ...unsanitized,
  async fn() {
    await withSleepMarker(async (sleep, marker) => {
      const procpath = spawnProcpath([
        "watch",
        "-e",
        `M=echo ${marker}`,
        "-c",
        "(sleep $M &); sleep $M",
        "-i",
        "0.2",
      ]);
      await withChild(procpath, async (child) => {
        await waitFor(() => processesWith(sleep).length === 2);
        await new Promise((r) => setTimeout(r, 1500)); // the watchdog hears of the orphan within a second
        Deno.kill(child.pid, "SIGKILL");
        await child.output();
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});

Deno.test({
  name: "watch refuses to run without -c, and stops cleanly on SIGINT during an -e command",
  ...unsanitized,
  async fn() {
    const missing = await runProcpath(["watch", "-i", "1"]);
    assertEquals(missing.code, 2);
    assertEquals(logLines(missing.stderr), [
      "ERROR required option '-c, --command <command>' not specified",
    ]);
    await withSleepMarker(async (sleep, marker) => {
      const procpath = spawnProcpath(["watch", "-e", `S=sleep ${marker}`, "-c", "true", "-i", "1"]);
      await withChild(procpath, async (child) => {
        await waitFor(() => processesWith(sleep).length === 1);
        Deno.kill(child.pid, "SIGINT");
        const { code, stderr } = await child.output();
        assertEquals(code, 0);
        assertEquals(new TextDecoder().decode(stderr), "");
        assertEquals(await survivors(sleep), []);
      });
    });
  },
});
