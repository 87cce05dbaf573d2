import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, runProcpath } from "../_helpers/run_procpath.ts";

const linuxOnly = {
  ignore: Deno.build.os !== "linux",
  sanitizeResources: false,
  sanitizeOps: false,
};

async function childrenOf(pid: number, count: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const found: number[] = [];
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) {
          found.push(Number(entry.name));
        }
      } catch { /* gone */ }
    }
    if (found.length >= count) return found.sort((a, b) => a - b);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`children of ${pid} did not start`);
}

Deno.test({
  name: "procpath query finds exactly the PIDs of a live subtree it did not create",
  ...linuxOnly,
  async fn() {
    const shell = new Deno.Command("sh", {
      args: ["-c", "sleep 30 & sleep 30 & sleep 30 & wait"],
      stdout: "null",
    }).spawn();
    try {
      const sleeps = await childrenOf(shell.pid, 3);
      const { code, stdout } = await runProcpath([
        "query",
        "-d",
        ",",
        `$..children[?(@.stat.pid == ${shell.pid})]..stat.pid`,
      ]);
      assertEquals(code, 0);
      assertEquals(stdout.trim().split(",").map(Number), [shell.pid, ...sleeps]);
      const sql = await runProcpath([
        "query",
        "-f",
        "stat,cmdline,status,io,fd,smaps_rollup",
        `$..children[?(@.stat.pid == ${shell.pid})]`,
        "SELECT COUNT(*) n, SUM(cmdline = 'sleep 30') sleeps, MIN(status_vmrss > 0) rss FROM record",
      ]);
      assertEquals([sql.code, JSON.parse(sql.stdout)], [0, [{ n: 4, sleeps: 3, rss: 1 }]]);
    } finally {
      shell.kill("SIGKILL");
      await shell.status;
    }
  },
});

Deno.test({
  name: "procpath query on the live /proc has PID 1 and stat.pid on every node, repeatedly",
  ...linuxOnly,
  async fn() {
    for (let i = 0; i < 3; i++) {
      const { code, stdout } = await runProcpath(["query", "-f", "stat,cmdline,io,status,fd"]);
      assertEquals(code, 0);
      const roots = JSON.parse(stdout);
      assertEquals(roots[0].stat.pid, 1);
      const walk = (n: { stat: { pid: number }; children?: unknown[] }): boolean =>
        Number.isInteger(n.stat.pid) && (n.children ?? []).every((c) => walk(c as never));
      assertEquals(roots.every(walk), true);
    }
    const threads = await runProcpath([
      "query",
      "--procfs-target",
      "thread",
      "-d",
      ",",
      "$..stat.pid",
    ]);
    assertEquals(threads.code, 0);
    assertEquals(threads.stdout.split(",").length > 1, true);
  },
});

Deno.test({
  name: "procpath query without --allow-all explains that /proc needs it",
  ...linuxOnly,
  async fn() {
    const { code, stdout, stderr } = await runProcpath(["query"], {
      flags: ["--no-prompt", "--allow-read"],
    });
    assertEquals([code, stdout], [1, ""]);
    assertEquals(logLines(stderr).length, 1);
    assertIncludes(stderr, "Deno denies /proc without --allow-all; run procpath with -A");
  },
});
