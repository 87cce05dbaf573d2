// top -b as procps top -b: each block headed by the machine's load, tasks and memory,
// the first printed at once.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { spawnProcpath } from "../_helpers/run_procpath.ts";
import { spawnGroup, waitFor } from "../_helpers/processes.ts";

/** MemTotal of /proc/meminfo, bytes (the kernel's own figure, as free -b prints it). */
function memTotal(): number {
  const line = Deno.readTextFileSync("/proc/meminfo").split("\n").find((l) =>
    l.startsWith("MemTotal:")
  )!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

Deno.test("top -b prints its first block at once, headed by load, tasks, memory and CPUs", async () => {
  const group = spawnGroup(["sh", "-c", "sleep 600 & sleep 600 & wait"]);
  // an interval of ten minutes: the first block must come long before it
  const top = spawnProcpath(["top", "-b", "-i", "600", "-r", "2", "--pid", `${group.pid}`]);
  try {
    let text = "";
    const reader = top.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    })();
    assertEquals(await waitFor(() => text.includes("\n\n"), 30000), true, text);
    const [heading, load, memory, header, ...rest] = text.slice(0, text.indexOf("\n\n"))
      .split("\n");
    assertIncludes(heading!, "  3 processes  CPU ");
    // procps top -b's first lines: uptime and load, tasks; memory and swap; CPU
    const loadavg = Deno.readTextFileSync("/proc/loadavg").split(" ");
    assertEquals(/^up \d/.test(load!), true, load);
    assertIncludes(load!, "load ");
    assertIncludes(load!, "tasks 3, ");
    assertEquals(load!.split("load ")[1]!.split(" ").length >= 3, true, `${load} ${loadavg}`);
    const total = /^Mem (\S+) used of (\S+) {2}Swp /.exec(memory!)?.[2] ?? "";
    const gib = (memTotal() / 2 ** 30).toFixed(1);
    assertEquals(total === `${gib}G` || total.endsWith("M"), true, `${memory} (${gib} GiB)`);
    assertEquals(/ {2}CPU 0: \d+\.\d%/.test(memory!), true, memory);
    assertIncludes(header!, "PID");
    assertEquals(rest.filter((l) => /^\s+\d+ /.test(l)).length, 3);
    top.kill("SIGINT");
    await read.catch(() => {});
  } finally {
    await top.status;
    await top.stderr.cancel();
    await group.kill();
  }
});
