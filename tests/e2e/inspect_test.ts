// `procpath inspect` on scenarios the tests build themselves: each must be named in the
// findings over a 2 s window. Workloads are small Python programs (tests/fixtures/inspect).
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { readableCheckout } from "../_helpers/unprivileged.ts";
import { descendantsOf, readUntil, spawnGroup, waitFor } from "../_helpers/processes.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };
const python = { "python3 is not installed": installed("python3") };

/** Starts a workload and waits for its "ready"; returns its PID and a stop. */
async function workload(name: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = new Deno.Command("python3", {
    args: [repoPath(`tests/fixtures/inspect/${name}.py`)],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const { rest } = await readUntil(child.stdout, /ready/);
  return {
    pid: child.pid,
    async stop() {
      child.kill("SIGKILL");
      await child.status;
      await rest;
    },
  };
}

/** Runs inspect as JSON and returns its findings' texts. */
async function findings(args: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await runProcpath(["inspect", "--format", "json", ...args]);
  assertEquals(code, 0, stderr);
  return JSON.parse(stdout).findings.map((f: { text: string }) => f.text);
}

Deno.test({
  ...needs("inspect names the one thread of a process that burns a CPU", python),
  ...unsanitized,
  async fn() {
    const w = await workload("hot_thread");
    try {
      const found = await findings(["-p", String(w.pid)]);
      const hot = found.find((f) => f.includes("burner"));
      assertEquals(hot !== undefined, true, found.join("\n"));
      // on a CPU, or waiting for one, at least 80 % of the window (a loaded machine shares it)
      const [, percent] = /burns (\d+)% of a core/.exec(hot!)!;
      const waited = Number(/waited (\d+)% of the window/.exec(hot!)?.[1] ?? 0);
      assertEquals(Number(percent) + waited >= 78, true, hot);
    } finally {
      await w.stop();
    }
  },
});

Deno.test({
  ...needs("inspect names eight threads contending for one lock", python),
  ...unsanitized,
  async fn() {
    const w = await workload("lock_contention");
    try {
      const found = await findings(["-p", String(w.pid)]);
      const lock = found.find((f) => f.includes("lock contention"));
      assertEquals(lock !== undefined, true, found.join("\n"));
      assertEquals(/\d+ of 9 threads wait in \w*futex\w*/.test(lock!), true, lock);
    } finally {
      await w.stop();
    }
  },
});

Deno.test({
  name: "inspect reports run-queue delay for more busy processes than cores",
  ...unsanitized,
  async fn() {
    const cores = navigator.hardwareConcurrency;
    const loops = Array(cores * 2).fill('sh -c "while :; do :; done" &').join(" ");
    const group = spawnGroup(["sh", "-c", `${loops} wait`]);
    try {
      const found = await findings(["-w", "2", `$..children[?(@.stat.pid == ${group.pid})]`]);
      const delayed = found.filter((f) => f.includes("run-queue delay"));
      assertEquals(delayed.length >= cores, true, found.join("\n"));
    } finally {
      await group.kill();
    }
  },
});

Deno.test({
  ...needs(
    "inspect names a thread blocked reading from a loopback peer that does not answer",
    python,
  ),
  ...unsanitized,
  async fn() {
    const w = await workload("blocked_read");
    try {
      // "ready" comes just before the read: wait until the kernel shows it asleep in it
      const asleep = await waitFor(() => {
        try {
          return /wait_woken|sk_wait_data|tcp_recvmsg/.test(
            Deno.readTextFileSync(`/proc/${w.pid}/wchan`),
          );
        } catch {
          return false;
        }
      });
      assertEquals(asleep, true);
      const { code, stdout } = await runProcpath(["inspect", "-p", String(w.pid)]);
      assertEquals(code, 0);
      assertIncludes(stdout, "ESTABLISHED");
      const findingLines = stdout.slice(stdout.indexOf("findings:")).split("\n");
      const finding = findingLines.find((l) => l.includes("blocked"));
      assertEquals(finding !== undefined, true, stdout);
      assertEquals(
        /blocked 2\.\d s reading 127\.0\.0\.1:\d+ \(tcp, recv-q 0\)/.test(finding!),
        true,
        finding,
      );
    } finally {
      await w.stop();
    }
  },
});

Deno.test({
  ...needs("inspect names a descriptor leak near RLIMIT_NOFILE", python),
  ...unsanitized,
  async fn() {
    const w = await workload("descriptor_leak");
    try {
      const found = await findings(["-p", String(w.pid)]);
      const leak = found.find((f) => f.includes("descriptors open"));
      assertEquals(
        leak !== undefined && /\d+ of 64 descriptors open/.test(leak),
        true,
        found.join("\n"),
      );
    } finally {
      await w.stop();
    }
  },
});

/**
 * Where the test may make a group with a CPU quota: cgroup v2 with the `cpu` controller
 * (its `cpu.max`), or v1's `cpu` hierarchy (`cpu.cfs_quota_us`); `null` when neither.
 */
function cpuQuotaPlace(): { dir: string; v2: boolean } | null {
  for (const root of ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]) {
    try {
      if (Deno.readTextFileSync(`${root}/cgroup.controllers`).split(/\s+/).includes("cpu")) {
        return { dir: root, v2: true };
      }
    } catch { /* not cgroup v2 here */ }
  }
  try {
    Deno.statSync("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
    return { dir: "/sys/fs/cgroup/cpu", v2: false };
  } catch {
    return null;
  }
}

Deno.test({
  ...needs("inspect names CPU throttling by a cgroup's CPU quota", {
    "making a cgroup needs root": Deno.uid() === 0,
    "no cgroup CPU controller to make a group in": cpuQuotaPlace() !== null,
  }),
  ...unsanitized,
  async fn() {
    const place = cpuQuotaPlace()!;
    const group = `${place.dir}/procpath-test-${Deno.pid}`;
    Deno.mkdirSync(group);
    const busy = spawnGroup(["sh", "-c", "while :; do :; done"]);
    try {
      if (place.v2) Deno.writeTextFileSync(`${group}/cpu.max`, "20000 100000");
      else {
        Deno.writeTextFileSync(`${group}/cpu.cfs_period_us`, "100000");
        Deno.writeTextFileSync(`${group}/cpu.cfs_quota_us`, "20000");
      }
      Deno.writeTextFileSync(`${group}/cgroup.procs`, String(busy.pid));
      const found = await findings(["-p", String(busy.pid)]);
      const throttled = found.find((f) => f.includes("throttled in"));
      assertEquals(throttled !== undefined, true, found.join("\n"));
      assertIncludes(
        throttled!,
        place.v2 ? "cpu.max 20000 100000" : "cpu.cfs_quota_us 20000 per 100000 µs",
      );
      const [, share] = /throttled in (\d+)% of periods/.exec(throttled!)!;
      assertEquals(Number(share) >= 50, true, throttled);
    } finally {
      await busy.kill();
      // a group can go once its processes have
      await waitFor(() => {
        try {
          Deno.removeSync(group);
          return true;
        } catch {
          return false;
        }
      });
    }
  },
});

Deno.test({
  name: "inspect reports every process of a 100-process subtree",
  ...unsanitized,
  async fn() {
    const group = spawnGroup(["sh", "-c", "for i in $(seq 100); do sleep 60 & done; wait"]);
    try {
      assertEquals(await waitFor(() => descendantsOf(group.pid).length === 100), true);
      // how long it takes is measured by scripts/bench_inspect.ts
      const found = await runProcpath([
        "inspect",
        "--format",
        "json",
        "-w",
        "2",
        `$..children[?(@.stat.pid == ${group.pid})]`,
      ]);
      assertEquals(found.code, 0, found.stderr);
      assertEquals(JSON.parse(found.stdout).processes.length, 101);
    } finally {
      await group.kill();
    }
  },
});

Deno.test("inspect with bad input: no such PID, -w 0, no selection, a process that exits", async () => {
  const none = await runProcpath(["inspect", "-p", "999999"]);
  assertEquals([none.code, logLines(none.stderr)], [1, ["ERROR No process 999999"]]);
  const zero = await runProcpath(["inspect", "-w", "0", "-p", "1"]);
  assertEquals(zero.code, 2);
  assertIncludes(zero.stderr, "expected a number of seconds, more than 0");
  const nothing = await runProcpath(["inspect"]);
  assertEquals(nothing.code, 2);
  // a process that exits during the window is said, not a crash (the window outlasts
  // procpath's start on a loaded machine)
  const brief = new Deno.Command("sleep", { args: ["2.5"] }).spawn();
  const exits = await runProcpath(["inspect", "-w", "5", "-p", String(brief.pid)]);
  await brief.status;
  assertEquals(exits.code, 0, exits.stderr);
  assertIncludes(exits.stdout, "(exited during the window)");
});

Deno.test({
  ...needs(
    "inspect of another user's process gives a partial report and says what it could not read",
    {
      "switching users needs root": Deno.uid() === 0,
      "setpriv is not installed": installed("setpriv"),
    },
  ),
  ...unsanitized,
  async fn() {
    const checkout = await readableCheckout();
    const output = await checkout.asNobody(["inspect", "-w", "0.5", "-p", "1"]);
    await checkout.remove();
    const [code, stdout, stderr] = [
      output.code,
      new TextDecoder().decode(output.stdout),
      new TextDecoder().decode(output.stderr),
    ];
    assertEquals(code, 0, stderr);
    assertIncludes(stdout, "not readable for this user: descriptors and sockets");
  },
});
