// `procpath inspect` on situations the tests build themselves: each must be named — most
// first among the process's findings — over a 2 s window. Workloads are small C programs
// (tests/fixtures/inspect/*.c, compiled by the test) or Python and shell.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { installed, needs } from "../_helpers/needs.ts";
import {
  NOBODY,
  type ReadableCheckout,
  withNobodyDir,
  withReadableCheckout,
} from "../_helpers/unprivileged.ts";
import {
  descendantsOf,
  readUntil,
  type ReadyGroup,
  spawnGroup,
  spawnReadyGroup,
  waitUntil,
  withGroup,
} from "../_helpers/processes.ts";
import { compileC } from "../_helpers/compile_c.ts";
import { type CgroupPlace, cgroupPlace, withCgroup } from "../_helpers/cgroups.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };
const python = { "python3 is not installed": installed("python3") };
const cc = { "cc is not installed": installed("cc") };
const root = { "making a cgroup needs root": Deno.uid() === 0 };
const cpuGroup = {
  ...root,
  "no cgroup CPU controller to make a group in": cpuQuotaPlace() !== null,
};
const memoryGroup = {
  ...root,
  "no cgroup memory controller to make a group in": memoryPlace() !== null,
};
const setpriv = { "setpriv is not installed": installed("setpriv") };
const nobody = { "switching users needs root": Deno.uid() === 0, ...setpriv };
const ccAsNobody = { ...cc, ...nobody };

/** A finding as `--format json` gives it. */
interface Found {
  pid: number;
  rule: string;
  text: string;
  score: number;
}

/** Compiles tests/fixtures/inspect/NAME.c into `dir` (readable by every user); its path. */
function build(dir: string, name: string): string {
  return compileC(repoPath(`tests/fixtures/inspect/${name}.c`), `${dir}/${name}`, [
    "-O1",
    "-pthread",
  ]);
}

/** A workload: a process group of its own whose leader printed "ready …" (`ready[0]`). */
type Workload = ReadyGroup;

/** Starts `args` in a group of its own (optionally as uid 65534) and waits for its "ready". */
function workload(args: string[], options: { nobody?: boolean } = {}): Promise<Workload> {
  const words = options.nobody ? [...NOBODY, ...args] : args;
  return spawnReadyGroup(words, /ready[^\n]*\n/, { cwd: "/" });
}

/**
 * Compiles tests/fixtures/inspect/NAME.c into a temporary directory, starts it as a
 * workload and runs `body` with it; the group is ended and the directory removed in the end.
 */
function withCompiled(name: string, body: (w: Workload, dir: string) => Promise<void>) {
  return withTempDir(
    (dir) => withGroup(workload([build(dir, name)]), (w) => body(w, dir)),
    "procpath-inspect-",
  );
}

/** Starts a Python workload of tests/fixtures/inspect and waits for its "ready". */
function pythonWorkload(name: string): Promise<Workload> {
  return workload(["python3", repoPath(`tests/fixtures/inspect/${name}.py`)]);
}

/** Runs inspect as JSON; its findings, ranked, and the whole report. */
async function inspectJson(
  args: string[],
): Promise<{ findings: Found[]; report: Record<string, unknown> }> {
  const { code, stdout, stderr } = await runProcpath(["inspect", "--format", "json", ...args]);
  assertEquals(code, 0, stderr);
  const report = JSON.parse(stdout);
  return { findings: report.findings, report };
}

/** The findings about `pid`, ranked (the first is the cause inspect leads with). */
const of = (found: Found[], pid: number) => found.filter((f) => f.pid === pid);
const show = (found: Found[]) => found.map((f) => `${f.rule} ${f.score}: ${f.text}`).join("\n");

/** The wait channel of a thread, or "" once it is gone. */
function wchanOf(pid: number, tid = pid): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/task/${tid}/wchan`);
  } catch {
    return "";
  }
}

/** Whether any thread of `pid` sleeps in a socket read. */
function readingSocket(pid: number): boolean {
  try {
    return [...Deno.readDirSync(`/proc/${pid}/task`)].some((t) =>
      /wait_woken|sk_wait_data/.test(wchanOf(pid, Number(t.name)))
    );
  } catch {
    return false;
  }
}

/** `/proc/PID/comm`, or "" once it is gone. */
function commOf(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    return "";
  }
}

/**
 * Stops a process once it runs `comm` (a signal sent before `setsid` and the exec
 * would stop it outside its own group); the group's kill then ends it.
 */
async function stopOnce(pid: number, comm: string): Promise<void> {
  await waitUntil(() => commOf(pid) === comm);
  Deno.kill(pid, "SIGSTOP");
  await waitUntil(() => /\) T /.test(Deno.readTextFileSync(`/proc/${pid}/stat`)));
}

/** The PID of `pid`'s descendant named `comm`. */
function descendantNamed(pid: number, comm: string): number | undefined {
  return descendantsOf(pid).find((child) => {
    try {
      return Deno.readTextFileSync(`/proc/${child}/comm`).trim() === comm;
    } catch {
      return false;
    }
  });
}

/** Runs inspect as uid 65534 from `checkout`, as JSON; its findings, ranked, and the whole report. */
async function inspectJsonAsNobody(
  checkout: ReadableCheckout,
  args: string[],
): Promise<{ findings: Found[]; report: Record<string, unknown> }> {
  const output = await checkout.asNobody(["inspect", "--format", "json", ...args]);
  assertEquals(output.code, 0, new TextDecoder().decode(output.stderr));
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  return { findings: report.findings, report };
}

Deno.test({
  ...needs("inspect names the one thread of a process that burns a CPU", python),
  ...unsanitized,
  async fn() {
    await withGroup(pythonWorkload("hot_thread"), async (w) => {
      const { findings } = await inspectJson(["-p", String(w.pid)]);
      const hot = findings.filter((f) => f.rule === "hot_thread");
      const burner = hot.find((f) => f.text.includes("burner"));
      assertEquals(burner !== undefined, true, show(findings));
      // on a CPU, or waiting for one, at least 80 % of the window (a loaded machine shares it)
      const [, percent] = /burns (\d+)% of a core/.exec(burner!.text)!;
      const waited = Number(/waited (\d+)% of the window/.exec(burner!.text)?.[1] ?? 0);
      assertEquals(Number(percent) + waited >= 78, true, burner!.text);
      // "the busiest" is said of one thread only
      assertEquals(hot.filter((f) => f.text.includes("the busiest")).length, 1, show(hot));
    });
  },
});

Deno.test({
  ...needs("inspect names eight threads contending for one lock", python),
  ...unsanitized,
  async fn() {
    await withGroup(pythonWorkload("lock_contention"), async (w) => {
      const { findings } = await inspectJson(["-p", String(w.pid)]);
      const lock = findings.find((f) => f.rule === "lock_contention");
      assertEquals(lock !== undefined, true, show(findings));
      assertEquals(/\d+ of 9 threads wait in \w*futex\w*/.test(lock!.text), true, lock!.text);
    });
  },
});

Deno.test({
  ...needs("inspect names two threads taking turns on one lock (a convoy)", {
    ...cc,
    ...cpuGroup,
  }),
  ...unsanitized,
  async fn() {
    // a group of its own weighted far above the rest, so that the two threads run on a
    // machine loaded by others (where they would only wait for a CPU, which inspect
    // then rightly leads with)
    const place = cpuQuotaPlace()!;
    await withCgroup(`${place.dir}/procpath-test-${Deno.pid}-lock`, async (group) => {
      if (place.v2) Deno.writeTextFileSync(`${group}/cpu.weight`, "10000");
      else Deno.writeTextFileSync(`${group}/cpu.shares`, "262144");
      await withCompiled("two_thread_lock", async (w) => {
        Deno.writeTextFileSync(`${group}/cgroup.procs`, String(w.pid));
        const { findings } = await inspectJson(["-p", String(w.pid)]);
        const tids = [...Deno.readDirSync(`/proc/${w.pid}/task`)].map((t) => Number(t.name))
          .filter((tid) => tid !== w.pid).sort((a, b) => a - b);
        // first, or second behind the busier of the two threads themselves (given the
        // CPU by its group's weight, the lock's holder burns most of a core: also true)
        const [first, second] = of(findings, w.pid);
        const lock = first?.rule === "lock_contention" ? first : second;
        if (lock !== first) {
          assertEquals(first?.rule, "hot_thread", show(findings));
          assertEquals(tids.some((tid) => first!.text.includes(`(TID ${tid})`)), true);
        }
        assertEquals(lock?.rule, "lock_contention", show(findings));
        assertIncludes(lock!.text, `2 threads (TID ${tids.join(", ")}) take turns on a lock`);
      });
    });
  },
});

Deno.test({
  ...needs("inspect does not call an idle condition-variable pool lock contention", cc),
  ...unsanitized,
  async fn() {
    await withCompiled("condvar_pool", async (w) => {
      const { findings, report } = await inspectJson(["-p", String(w.pid)]);
      assertEquals(findings.filter((f) => f.rule === "lock_contention"), [], show(findings));
      // the pool is what the test meant: four workers asleep on a futex most of the window
      const [process] = report.processes as {
        threads: { name: string; shares: Record<string, number> }[];
      }[];
      const workers = process!.threads.filter((t) => t.name.startsWith("worker-"));
      assertEquals(workers.length, 4);
      for (const t of workers) assertEquals((t.shares.futex ?? 0) >= 50, true, JSON.stringify(t));
    });
  },
});

Deno.test({
  name: "inspect reports run-queue delay for more busy processes than cores",
  ...unsanitized,
  async fn() {
    const cores = navigator.hardwareConcurrency;
    const loops = Array(cores * 2).fill('sh -c "while :; do :; done" &').join(" ");
    await withGroup(spawnGroup(["sh", "-c", `${loops} wait`]), async (group) => {
      const { findings } = await inspectJson([
        "-w",
        "2",
        `$..children[?(@.stat.pid == ${group.pid})]`,
      ]);
      const delayed = findings.filter((f) => f.rule === "run_queue");
      assertEquals(delayed.length >= cores, true, show(findings));
      // each is a share of the window, never more than all of it
      for (const f of delayed) {
        const [, share] = /(\d+)% of the window/.exec(f.text)!;
        assertEquals(Number(share) <= 100, true, f.text);
      }
    });
  },
});

/** `/proc/PID/schedstat`: time on a CPU and runnable without one, ns. */
function schedstatOf(pid: number): { run: number; wait: number } {
  const [run, wait] = Deno.readTextFileSync(`/proc/${pid}/schedstat`).split(" ").map(Number);
  return { run: run!, wait: wait! };
}

/** The window shares of thread `tid` of an inspect JSON report, %. */
function threadShares(report: Record<string, unknown>, tid: number): Record<string, number> {
  const processes = report.processes as { threads: { tid: number; shares: object }[] }[];
  const thread = processes.flatMap((p) => p.threads).find((t) => t.tid === tid);
  return thread!.shares as Record<string, number>;
}

/**
 * Where the test may make a group with a CPU quota: cgroup v2 with the `cpu` controller
 * (its `cpu.max`), or v1's `cpu` hierarchy (`cpu.cfs_quota_us`); `null` when neither.
 */
function cpuQuotaPlace(): CgroupPlace | null {
  return cgroupPlace("cpu", "cpu", "cpu.cfs_quota_us");
}

Deno.test({
  ...needs(
    "inspect leads with CPU-quota throttling, at the group's own path, not the run queue",
    cpuGroup,
  ),
  ...unsanitized,
  async fn() {
    const place = cpuQuotaPlace()!;
    const name = `procpath-test-${Deno.pid}-quota`;
    await withCgroup(`${place.dir}/${name}`, async (group) => {
      if (place.v2) Deno.writeTextFileSync(`${group}/cpu.max`, "10000 100000");
      else {
        Deno.writeTextFileSync(`${group}/cpu.cfs_period_us`, "100000");
        Deno.writeTextFileSync(`${group}/cpu.cfs_quota_us`, "10000");
      }
      await withGroup(spawnGroup(["sh", "-c", "while :; do :; done"]), async (busy) => {
        Deno.writeTextFileSync(`${group}/cgroup.procs`, String(busy.pid));
        // the oracle: the kernel's own run and wait times around procpath's window
        const before = schedstatOf(busy.pid), start = performance.now();
        const { findings, report } = await inspectJson(["-p", String(busy.pid)]);
        const after = schedstatOf(busy.pid), seconds = (performance.now() - start) / 1000;
        const kernelRunning = (after.run - before.run) / 1e7 / seconds;
        const shares = threadShares(report, busy.pid);
        const total = Object.values(shares).reduce((sum, v) => sum + v, 0);
        // where its window went sums to 100; on a CPU as schedstat says (10 % at most
        // under the quota), the rest runnable: throttled, or waiting for a CPU after it
        assertEquals(Math.abs(total - 100) < 0.5, true, JSON.stringify(shares));
        assertEquals(
          Math.abs(shares.running! - kernelRunning) < 3,
          true,
          JSON.stringify(
            { shares, kernelRunning },
          ),
        );
        assertEquals(shares.throttled! > 20, true, JSON.stringify(shares));
        const first = of(findings, busy.pid)[0];
        assertEquals(first?.rule, "throttled", show(findings));
        assertIncludes(
          first!.text,
          place.v2 ? "cpu.max 10000 100000" : "cpu.cfs_quota_us 10000 per 100000 µs",
        );
        assertIncludes(first!.text, `in cgroup /${name};`);
        const [, share] = /in (\d+)% of periods/.exec(first!.text)!;
        assertEquals(Number(share) >= 50, true, first!.text);
        // its run-queue delay is the throttling: no run-queue finding ranks above it
        assertEquals(
          of(findings, busy.pid).filter((f) => f.rule === "run_queue" && f.score >= first!.score),
          [],
        );
      });
    });
  },
});

Deno.test({
  ...needs("inspect names a writer blocked on a full pipe and the process at its other end", {}),
  ...unsanitized,
  async fn() {
    await withGroup(spawnGroup(["sh", "-c", "yes | sleep 600"]), async (group) => {
      let writer: number | undefined, reader: number | undefined;
      await waitUntil(() => {
        writer = descendantNamed(group.pid, "yes");
        reader = descendantNamed(group.pid, "sleep");
        return writer !== undefined && reader !== undefined && /pipe/.test(wchanOf(writer));
      });
      const { findings } = await inspectJson(["--no-subtree", "-p", String(writer)]);
      const first = of(findings, writer!)[0];
      assertEquals(first?.rule, "blocked_pipe", show(findings));
      // the pipe by its inode, as /proc/PID/fd/1 names it, and its reader by PID
      const pipe = Deno.readLinkSync(`/proc/${writer}/fd/1`);
      assertIncludes(first!.text, `writing to ${pipe} (fd 1, write)`);
      assertIncludes(first!.text, `PID ${reader} sleep (fd 0)`);
    });
  },
});

/** The `major:minor` of the whole disk holding `path` (a partition's parent). */
function diskOf(path: string): string {
  const dev = Deno.statSync(path).dev;
  const major = Number((BigInt(dev) >> 8n) & 0xfffn), minor = dev & 0xff;
  const sys = `/sys/dev/block/${major}:${minor}`;
  try {
    Deno.statSync(`${sys}/partition`);
    return Deno.readTextFileSync(`${Deno.realPathSync(sys)}/../dev`).trim();
  } catch {
    return `${major}:${minor}`;
  }
}

/**
 * Where the test may slow the writes of a group to 1 MiB/s on `disk` (as the issue's
 * fsync loop wrote 1.3 MB/s): a v2 `io.max`, or v1 blkio's `write_bps_device`.
 */
function diskThrottlePlace():
  | { dir: string; file: string; limit: (disk: string) => string }
  | null {
  const place = cgroupPlace("io", "blkio", "blkio.throttle.write_bps_device");
  if (place === null) return null;
  return place.v2 ? { dir: place.dir, file: "io.max", limit: (disk) => `${disk} wbps=1048576` } : {
    dir: place.dir,
    file: "blkio.throttle.write_bps_device",
    limit: (disk) => `${disk} 1048576`,
  };
}

/**
 * Runs `body` with an fsync loop writing to `dir` at 1 MiB/s at most (a group of its
 * own, removed in the end); as uid 65534 with `nobody`.
 */
async function withSlowFsync(
  dir: string,
  binary: string,
  options: { nobody?: boolean },
  body: (w: Workload) => Promise<void>,
): Promise<void> {
  const place = diskThrottlePlace()!;
  const name = `procpath-test-${Deno.pid}-disk${options.nobody ? "-nobody" : ""}`;
  await withCgroup(`${place.dir}/${name}`, async (group) => {
    Deno.writeTextFileSync(`${group}/${place.file}`, place.limit(diskOf(dir)));
    // root moves the shell into the group; it then becomes the loop (as nobody, if asked)
    const user = options.nobody ? `${NOBODY.join(" ")} ` : "";
    const loop = `echo $$ > ${group}/cgroup.procs && exec ${user}${binary} ${dir}/data`;
    await withGroup(workload(["sh", "-c", loop]), body);
  });
}

const slowDisk = {
  ...root,
  "no blkio or io controller to slow a disk with": diskThrottlePlace() !== null,
};

Deno.test({
  ...needs("inspect names storage waits of an fsync loop on a slow disk, with its write rate", {
    ...cc,
    ...slowDisk,
  }),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      await withSlowFsync(dir, build(dir, "fsync_loop"), {}, async (w) => {
        const written = () =>
          Number(/^write_bytes: (\d+)/m.exec(Deno.readTextFileSync(`/proc/${w.pid}/io`))![1]);
        const before = written();
        const { findings, report } = await inspectJson(["-p", String(w.pid)]);
        const after = written();
        const first = of(findings, w.pid)[0];
        assertEquals(first?.rule, "storage_wait", show(findings));
        // in fsync, D in the block layer or waiting on a page's writeback
        assertIncludes(first!.text, "in fsync");
        assertEquals(
          /D in (submit_bio_wait|folio_wait|io_schedule|jbd2|file_write_and_wait)/.test(
            first!.text,
          ),
          true,
          first!.text,
        );
        // the rate over the window against the kernel's counter read around the whole run:
        // the window is inside the run, so it cannot have written more
        const [process] = report.processes as { io: { writePerSecond: number } }[];
        const inWindow = process!.io.writePerSecond * (report.windowSeconds as number);
        assertEquals(inWindow > 0 && inWindow <= (after - before) * 1.01, true, `${inWindow}`);
      });
    }, "procpath-inspect-");
  },
});

Deno.test({
  ...needs("inspect names a stopped (T) and an uninterruptible (D) process", cc),
  ...unsanitized,
  async fn() {
    await withCompiled(
      "vfork_wait",
      (held) =>
        withGroup(spawnGroup(["sleep", "600"]), async (stopped) => {
          await stopOnce(stopped.pid, "sleep");
          await waitUntil(() => /\) D /.test(Deno.readTextFileSync(`/proc/${held.pid}/stat`)));
          const { findings } = await inspectJson([
            "--no-subtree",
            "-p",
            `${stopped.pid},${held.pid}`,
          ]);
          const t = of(findings, stopped.pid)[0];
          assertEquals(t?.rule, "stopped", show(findings));
          assertIncludes(t!.text, `kill -CONT ${stopped.pid}`);
          const d = of(findings, held.pid)[0];
          assertEquals(d?.rule, "uninterruptible", show(findings));
          assertIncludes(d!.text, "(system call vfork)");
        }),
    );
  },
});

/** Where the test may make a memory cgroup: v2 with `memory`, or v1's `memory` hierarchy. */
function memoryPlace(): CgroupPlace | null {
  return cgroupPlace("memory", "memory", "memory.limit_in_bytes");
}

Deno.test({
  ...needs("inspect names a memory cgroup at its limit with an OOM kill recorded", {
    ...root,
    ...cc,
    ...memoryGroup,
  }),
  ...unsanitized,
  async fn() {
    const place = memoryPlace()!;
    const name = `procpath-test-${Deno.pid}-memory`;
    await withTempDir(async (dir) => {
      const hold = build(dir, "hold_memory");
      await withCgroup(`${place.dir}/${name}`, async (group) => {
        Deno.writeTextFileSync(
          `${group}/${place.v2 ? "memory.max" : "memory.limit_in_bytes"}`,
          String(64 << 20),
        );
        if (place.v2) Deno.writeTextFileSync(`${group}/memory.swap.max`, "0");
        const inGroup = (mib: number) =>
          new Deno.Command("sh", {
            args: ["-c", `echo $$ > ${group}/cgroup.procs && exec ${hold} ${mib}`],
            stdout: "piped",
            stderr: "null",
          });
        // more than the limit: the kernel kills it
        const killed = await inGroup(100).output();
        assertEquals(killed.signal, "SIGKILL");
        const child = inGroup(62).spawn();
        try {
          await readUntil(child.stdout, /ready/);
          const { findings } = await inspectJson(["-p", String(child.pid)]);
          const first = of(findings, child.pid)[0];
          assertEquals(first?.rule, "memory_limit", show(findings));
          assertIncludes(first!.text, `cgroup /${name})`);
          assertIncludes(first!.text, "1 OOM kill recorded");
          // the usage against the limit, against the kernel's own figures now
          const [, share] = /\((\d+\.\d)%/.exec(first!.text)!;
          assertEquals(Number(share) >= 90 && Number(share) <= 100, true, first!.text);
        } finally {
          child.kill("SIGKILL");
          await child.status;
        }
      });
    }, "procpath-inspect-");
  },
});

/** Runs the two-socket workload's check: each reader named with its own peer. */
function checkTwoSockets(w: Workload, findings: Found[]): void {
  const [, port1, port2, peer] = /ready (\d+) (\d+) (\d+)/.exec(w.ready[0])!;
  const blocked = of(findings, w.pid).filter((f) => f.rule === "blocked_socket");
  const one = blocked.find((f) => f.text.includes("reader-1"));
  const two = blocked.find((f) => f.text.includes("reader-2"));
  assertEquals(one !== undefined && two !== undefined, true, show(findings));
  assertIncludes(one!.text, `127.0.0.1:${port1} (tcp`);
  assertIncludes(two!.text, `127.0.0.1:${port2} (tcp`);
  assertIncludes(one!.text, `the other end is PID ${peer} two_sockets`);
  assertIncludes(two!.text, `the other end is PID ${peer} two_sockets`);
  // two descriptors, one each: the first named in each sentence
  const fdOf = (text: string) => /, fd (\d+),/.exec(text)?.[1];
  assertEquals(fdOf(one!.text) !== fdOf(two!.text), true, `${one!.text}\n${two!.text}`);
}

Deno.test({
  ...needs("inspect names each of two threads with its own socket and the peer process", cc),
  ...unsanitized,
  async fn() {
    await withCompiled("two_sockets", async (w) => {
      await waitUntil(() => readingSocket(w.pid));
      const { findings } = await inspectJson(["--no-subtree", "-p", String(w.pid)]);
      checkTwoSockets(w, findings);
    });
  },
});

Deno.test({
  ...needs("inspect names the process at the other end of a Unix socket", python),
  ...unsanitized,
  async fn() {
    await withGroup(pythonWorkload("unix_reader"), async (w) => {
      const [, child] = /ready (\d+)/.exec(w.ready[0])!;
      await waitUntil(() => /unix_stream_read/.test(wchanOf(w.pid)));
      const { findings } = await inspectJson(["--no-subtree", "-p", String(w.pid)]);
      const first = of(findings, w.pid)[0];
      assertEquals(first?.rule, "blocked_socket", show(findings));
      // the oracle: the child's own descriptor on the pair's other socket
      const theirs = [...Deno.readDirSync(`/proc/${child}/fd`)].map((e) => e.name).find((fd) =>
        Deno.readLinkSync(`/proc/${child}/fd/${fd}`).startsWith("socket:")
      );
      assertIncludes(first!.text, `the other end is PID ${child} python3 (fd ${theirs})`);
    });
  },
});

Deno.test({
  ...needs(
    "inspect names a full pipe, T, D, two socket readers and an idle pool as nobody",
    ccAsNobody,
  ),
  ...unsanitized,
  async fn() {
    await withNobodyDir("workloads", 0o755, async (checkout, dir) => {
      // each started one is stopped in the end, even when a later one fails to start
      const started: Workload[] = [];
      const start = async (args: string[]) => {
        const w = await workload(args, { nobody: true });
        started.push(w);
        return w;
      };
      const pipe = spawnGroup([...NOBODY, "sh", "-c", "yes | sleep 600"]);
      const stopped = spawnGroup([...NOBODY, "sleep", "600"]);
      try {
        const sockets = await start([build(dir, "two_sockets")]);
        const held = await start([build(dir, "vfork_wait")]);
        const pool = await start([build(dir, "condvar_pool")]);
        await stopOnce(stopped.pid, "sleep");
        let writer: number | undefined;
        await waitUntil(() => {
          writer = descendantNamed(pipe.pid, "yes");
          return writer !== undefined && /pipe/.test(wchanOf(writer)) &&
            readingSocket(sockets.pid);
        });
        const { findings } = await inspectJsonAsNobody(checkout, [
          "--no-subtree",
          "-p",
          `${sockets.pid},${writer},${stopped.pid},${held.pid},${pool.pid}`,
        ]);
        checkTwoSockets(sockets, findings);
        assertEquals(of(findings, writer!)[0]?.rule, "blocked_pipe", show(findings));
        assertIncludes(of(findings, writer!)[0]!.text, "sleep (fd 0)");
        assertEquals(of(findings, stopped.pid)[0]?.rule, "stopped", show(findings));
        assertEquals(of(findings, held.pid)[0]?.rule, "uninterruptible", show(findings));
        assertEquals(of(findings, pool.pid).filter((f) => f.rule === "lock_contention"), []);
      } finally {
        for (const w of started) await w.kill();
        await pipe.kill();
        await stopped.kill();
      }
    });
  },
});

Deno.test({
  ...needs("inspect names storage waits of nobody's fsync loop on a slow disk, as nobody", {
    ...cc,
    ...slowDisk,
    ...setpriv,
  }),
  ...unsanitized,
  async fn() {
    // the loop's file is nobody's
    await withNobodyDir("workloads", 0o777, async (checkout, dir) => {
      await withSlowFsync(dir, build(dir, "fsync_loop"), { nobody: true }, async (w) => {
        const { findings } = await inspectJsonAsNobody(checkout, ["-p", String(w.pid)]);
        assertEquals(of(findings, w.pid)[0]?.rule, "storage_wait", show(findings));
      });
    });
  },
});

Deno.test({
  ...needs("inspect names CPU throttling and a memory limit as nobody, in groups root made", {
    ...root,
    ...cc,
    ...setpriv,
    ...cpuGroup,
    ...memoryGroup,
  }),
  ...unsanitized,
  async fn() {
    const cpu = cpuQuotaPlace()!, memory = memoryPlace()!;
    const name = `procpath-test-${Deno.pid}-nobody`;
    await withNobodyDir("workloads", 0o755, async (checkout, dir) => {
      const hold = build(dir, "hold_memory");
      await withCgroup(
        `${cpu.dir}/${name}`,
        (quota) =>
          withCgroup(`${memory.dir}/${name}`, async (limit) => {
            if (cpu.v2) Deno.writeTextFileSync(`${quota}/cpu.max`, "10000 100000");
            else Deno.writeTextFileSync(`${quota}/cpu.cfs_quota_us`, "10000");
            Deno.writeTextFileSync(
              `${limit}/${memory.v2 ? "memory.max" : "memory.limit_in_bytes"}`,
              String(64 << 20),
            );
            const busy = spawnGroup([...NOBODY, "sh", "-c", "while :; do :; done"]);
            Deno.writeTextFileSync(`${quota}/cgroup.procs`, String(busy.pid));
            // root moves the holder in before it allocates: nobody may not write cgroup.procs
            const holder = new Deno.Command("sh", {
              args: [
                "-c",
                `echo $$ > ${limit}/cgroup.procs && exec ${NOBODY.join(" ")} ${hold} 62`,
              ],
              stdout: "piped",
              stderr: "null",
            }).spawn();
            try {
              await readUntil(holder.stdout, /ready/);
              const { findings } = await inspectJsonAsNobody(checkout, [
                "--no-subtree",
                "-p",
                `${busy.pid},${holder.pid}`,
              ]);
              const throttled = of(findings, busy.pid)[0];
              assertEquals(throttled?.rule, "throttled", show(findings));
              assertIncludes(throttled!.text, `in cgroup /${name};`);
              const limited = of(findings, holder.pid)[0];
              assertEquals(limited?.rule, "memory_limit", show(findings));
              assertIncludes(limited!.text, `cgroup /${name})`);
            } finally {
              holder.kill("SIGKILL");
              await holder.status;
              await busy.kill();
            }
          }),
      );
    });
  },
});

/** `perf record`'s top user-space symbol of `pid` over `seconds` (the oracle). */
async function perfTopSymbol(pid: number, seconds: number, dir: string): Promise<string> {
  const data = `${dir}/perf.data`;
  const record = await new Deno.Command("perf", {
    args: [
      "record",
      "-q",
      "-e",
      "cpu-clock",
      "-F",
      "99",
      "-p",
      String(pid),
      "-o",
      data,
      "--",
      "sleep",
      String(seconds),
    ],
    stdout: "null",
    stderr: "null",
  }).output();
  assertEquals(record.success, true);
  const report = await new Deno.Command("perf", {
    args: ["report", "-i", data, "--stdio", "--sort", "symbol"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const line = new TextDecoder().decode(report.stdout).split("\n")
    .find((l) => /^\s+[\d.]+%\s+\[\.\]\s+\S/.test(l));
  return /\[\.\]\s+(\S+)/.exec(line ?? "")?.[1] ?? "";
}

/**
 * Gives a workload a CPU on a loaded machine (nice -10, as root): a sampler counts only
 * the time it runs, and a few samples rank two functions by chance.
 */
function favour(pid: number): void {
  // only root may raise a priority: elsewhere the workload runs as it is
  if (Deno.uid() !== 0) return;
  const done = new Deno.Command("renice", {
    args: ["-n", "-10", "-p", String(pid)],
    stdout: "null",
  }).outputSync();
  assertEquals(done.success, true);
}

/** Whether `perf_event_open` may sample a user's own processes here. */
function perfAllowed(): boolean {
  try {
    return Number(Deno.readTextFileSync("/proc/sys/kernel/perf_event_paranoid")) <= 2;
  } catch {
    return false;
  }
}

Deno.test({
  ...needs("inspect names the hot function perf record names, from the ELF symbols", {
    ...cc,
    "perf is not installed (the oracle)": installed("perf"),
    "kernel.perf_event_paranoid is above 2": perfAllowed(),
  }),
  ...unsanitized,
  async fn() {
    await withCompiled("two_hot_functions", async (w, dir) => {
      favour(w.pid);
      // both over the same seconds: perf's window covers inspect's
      const [oracle, { findings, report }] = await Promise.all([
        perfTopSymbol(w.pid, 3, dir),
        inspectJson(["--no-subtree", "-w", "2", "-p", String(w.pid)]),
      ]);
      assertEquals(oracle, "hot_outer");
      const [process] = report.processes as {
        threads: { hotFunctions: { samples: number; top: { name: string }[] } | null }[];
      }[];
      const hot = process!.threads[0]!.hotFunctions;
      assertEquals(hot !== null && hot.samples >= 10, true, JSON.stringify(hot));
      assertEquals(hot!.top[0]!.name, `${oracle} (two_hot_functions)`);
      assertEquals(
        of(findings, w.pid).some((f) => f.text.includes(`in ${oracle} (two_hot_functions)`)),
        true,
        show(findings),
      );
      assertEquals((report.sampler as { refused: string | null }).refused, null);
    });
  },
});

Deno.test({
  ...needs("inspect samples hot functions as nobody, or says why the kernel refuses", ccAsNobody),
  ...unsanitized,
  async fn() {
    await withNobodyDir("workloads", 0o755, async (checkout, dir) => {
      const hot = workload([build(dir, "two_hot_functions")], { nobody: true });
      await withGroup(hot, async (w) => {
        favour(w.pid);
        const { report } = await inspectJsonAsNobody(checkout, ["-p", String(w.pid)]);
        const { sampler, processes } = report as {
          sampler: { refused: string | null };
          processes: { threads: { hotFunctions: { top: { name: string }[] } }[] }[];
        };
        if (perfAllowed()) {
          assertEquals(sampler.refused, null);
          assertEquals(
            processes[0]!.threads[0]!.hotFunctions.top[0]!.name,
            "hot_outer (two_hot_functions)",
          );
        } else assertIncludes(sampler.refused ?? "", "kernel.perf_event_paranoid");
      });
    });
  },
});

Deno.test({
  ...needs("inspect names a descriptor leak near RLIMIT_NOFILE", python),
  ...unsanitized,
  async fn() {
    await withGroup(pythonWorkload("descriptor_leak"), async (w) => {
      const { findings } = await inspectJson(["-p", String(w.pid)]);
      const leak = findings.find((f) => f.rule === "descriptors");
      assertEquals(
        leak !== undefined && /\d+ of 64 descriptors open/.test(leak.text),
        true,
        show(findings),
      );
    });
  },
});

Deno.test({
  name: "inspect names descriptors growing over the window",
  ...unsanitized,
  async fn() {
    // a shell opening a descriptor every 10 ms or so, up to 1,000 of them
    const opener =
      "ulimit -n 4096; for i in $(seq 1000); do exec {fd}</dev/null; sleep 0.01; done; sleep 600";
    await withGroup(spawnGroup(["bash", "-c", opener]), async (group) => {
      const { findings } = await inspectJson(["--no-subtree", "-p", String(group.pid)]);
      const grew = of(findings, group.pid).find((f) => f.rule === "descriptors_growing");
      assertEquals(grew !== undefined, true, show(findings));
      const [, a, b] = /descriptors grew (\d+) → (\d+)/.exec(grew!.text)!;
      assertEquals(Number(b) - Number(a) >= 20, true, grew!.text);
    });
  },
});

Deno.test({
  name: "inspect names zombie children a parent does not reap",
  ...unsanitized,
  async fn() {
    // ten children that exit at once, and a parent that becomes sleep, which never waits
    const parent = "for i in $(seq 10); do true & done; exec sleep 600";
    await withGroup(spawnGroup(["sh", "-c", parent]), async (group) => {
      const zombies = () =>
        descendantsOf(group.pid).filter((pid) => {
          try {
            return /\) Z /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
          } catch {
            return false;
          }
        });
      await waitUntil(() => zombies().length === 10 && commOf(group.pid) === "sleep");
      const { findings } = await inspectJson([
        "-w",
        "0.5",
        "--no-subtree",
        "-p",
        String(group.pid),
      ]);
      const found = of(findings, group.pid).find((f) => f.rule === "zombies");
      // the oracle: the kernel's children list of the parent, in state Z
      assertEquals(
        found?.text.startsWith(`${zombies().length} zombie children`),
        true,
        show(findings),
      );
    });
  },
});

Deno.test({
  name: "inspect reports every process of a 100-process subtree",
  ...unsanitized,
  async fn() {
    const sleepers = "for i in $(seq 100); do sleep 60 & done; wait";
    await withGroup(spawnGroup(["sh", "-c", sleepers]), async (group) => {
      await waitUntil(() => descendantsOf(group.pid).length === 100);
      // how long it takes is measured by scripts/bench_inspect.ts
      const { report } = await inspectJson([
        "-w",
        "2",
        `$..children[?(@.stat.pid == ${group.pid})]`,
      ]);
      assertEquals((report.processes as unknown[]).length, 101);
    });
  },
});

Deno.test("inspect with bad input: no such PID, -w 0, no selection, a process that exits", async () => {
  const none = await runProcpath(["inspect", "-p", "999999"]);
  assertEquals([none.code, logLines(none.stderr)], [1, ["ERROR No process 999999"]]);
  // JSON readers get a document all the same, with the PID as missing
  const noneJson = await runProcpath(["inspect", "--format", "json", "-p", "999999"]);
  assertEquals([noneJson.code, logLines(noneJson.stderr)], [1, ["ERROR No process 999999"]]);
  const empty = JSON.parse(noneJson.stdout);
  assertEquals([empty.missing, empty.processes, empty.findings], [[999999], [], []]);
  const zero = await runProcpath(["inspect", "-w", "0", "-p", "1"]);
  assertEquals(zero.code, 2);
  assertIncludes(zero.stderr, "expected a number of seconds, more than 0");
  const nothing = await runProcpath(["inspect"]);
  assertEquals(nothing.code, 2);
  // a missing PID beside a live one is listed as missing in JSON (#32)
  const some = await runProcpath([
    "inspect",
    "--format",
    "json",
    "-w",
    "0.3",
    "--no-subtree",
    "-p",
    `999999,${Deno.pid}`,
  ]);
  assertEquals(some.code, 0, some.stderr);
  assertEquals(JSON.parse(some.stdout).missing, [999999]);
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
    nobody,
  ),
  ...unsanitized,
  async fn() {
    const output = await withReadableCheckout((checkout) =>
      checkout.asNobody(["inspect", "-w", "0.5", "-p", "1"])
    );
    const [code, stdout, stderr] = [
      output.code,
      new TextDecoder().decode(output.stdout),
      new TextDecoder().decode(output.stderr),
    ];
    assertEquals(code, 0, stderr);
    assertIncludes(stdout, "not readable for this user: descriptors and sockets");
    assertIncludes(stdout, "wait channels (wchan)");
    // and the kernel's refusal to sample another user's threads is said, with why
    assertIncludes(stdout, "hot functions not sampled: perf_event_open refused (");
  },
});

Deno.test({
  ...needs("inspect shows a kernel thread with no system call and nothing missing (#32)", {
    "no kthreadd (PID 2) here": (() => {
      try {
        return Deno.readTextFileSync("/proc/2/comm").trim() === "kthreadd";
      } catch {
        return false;
      }
    })(),
  }),
  async fn() {
    const { report } = await inspectJson(["-w", "0.3", "--no-subtree", "-p", "2"]);
    const [kthreadd] = report.processes as {
      kernelThread: boolean;
      unreadable: string[];
      threads: { syscall: string | null; waitsOn: unknown }[];
    }[];
    assertEquals(kthreadd!.kernelThread, true);
    assertEquals(kthreadd!.threads.map((t) => [t.syscall, t.waitsOn]), [[null, null]]);
    assertEquals(kthreadd!.unreadable, []);
  },
});

Deno.test({
  ...needs("inspect as root says PID 1's descriptor links are unreadable, not zero", {
    "only root meets links it may list but not read": Deno.uid() === 0,
  }),
  async fn() {
    let unreadable = false;
    try {
      const [first] = [...Deno.readDirSync("/proc/1/fd")];
      Deno.readLinkSync(`/proc/1/fd/${first?.name}`);
    } catch {
      unreadable = true;
    }
    const { report } = await inspectJson(["-w", "0.3", "--no-subtree", "-p", "1"]);
    const [pid1] = report.processes as {
      descriptors: { open: number; unreadableLinks: number };
      unreadable: string[];
    }[];
    if (unreadable) {
      // the oracle: the kernel's own listing of PID 1's descriptors
      const listed = [...Deno.readDirSync("/proc/1/fd")].length;
      assertEquals(Math.abs(pid1!.descriptors.unreadableLinks - listed) <= 2, true);
      assertEquals(pid1!.unreadable.some((u) => u.includes("descriptor links")), true);
    } else assertEquals(pid1!.descriptors.unreadableLinks, 0);
  },
});

Deno.test({
  ...needs("inspect names the writer of a named pipe (FIFO) a reader waits on", {
    "mkfifo is not installed": installed("mkfifo"),
  }),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const fifo = `${dir}/f`;
      new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
      // cat reads the FIFO; sleep, its child, holds it open for writing and never writes
      const reader = spawnGroup(["sh", "-c", `sleep 600 > ${fifo} & exec cat ${fifo}`]);
      await withGroup(reader, async (group) => {
        let writer: number | undefined;
        await waitUntil(() => {
          writer = descendantNamed(group.pid, "sleep");
          return writer !== undefined && /pipe_read/.test(wchanOf(group.pid));
        });
        const { findings } = await inspectJson(["--no-subtree", "-p", String(group.pid)]);
        const first = of(findings, group.pid)[0];
        assertEquals(first?.rule, "blocked_pipe", show(findings));
        // the FIFO by its path, as /proc/PID/fd/N names it, and its writer by PID
        assertIncludes(first!.text, `reading from ${fifo} (fd 3, read)`);
        assertIncludes(
          first!.text,
          `its writer is PID ${writer} sleep (fd 1), which is not writing`,
        );
        // with the writer inspected too and idle, the reader's wait is no cause
        const both = await inspectJson(["-p", String(group.pid)]);
        assertEquals(of(both.findings, group.pid), [], show(both.findings));
      });
    }, "procpath-fifo-");
  },
});

Deno.test({
  ...needs("inspect shows control characters in command lines and thread names escaped", {
    "perl is not installed": installed("perl"),
  }),
  ...unsanitized,
  async fn() {
    // a command line with a newline and a screen-clearing ESC, a thread name with both
    const script = String.raw`open my $f, ">", "/proc/self/comm"; print $f "t\e[31m\nq"; ` +
      String.raw`close $f; $| = 1; print "ready\n"; sleep 600`;
    const perl = workload(["perl", "-e", script, "a\nb", "\x1b[2J\x1b[31mRED"]);
    await withGroup(perl, async (w) => {
      const text = await runProcpath(["inspect", "-w", "0.3", "-p", String(w.pid)]);
      assertEquals(text.code, 0, text.stderr);
      // the control characters a terminal acts on: none may reach it unescaped
      // deno-lint-ignore no-control-regex
      assertEquals(/[\x00-\x08\x0b-\x1f\x7f]/.test(text.stdout), false, text.stdout);
      const heading = text.stdout.split("\n").find((line) => line.startsWith(`${w.pid} `));
      assertEquals(heading, `${w.pid} perl -e ${script} a\\x0ab \\x1b[2J\\x1b[31mRED`);
      assertIncludes(text.stdout, `t\\x1b[31m\\x0aq  ${w.pid}`);
      // JSON keeps the exact text
      const { report } = await inspectJson(["-w", "0.3", "-p", String(w.pid)]);
      const [process] = report.processes as { cmdline: string; threads: { name: string }[] }[];
      assertEquals(process!.cmdline, `perl -e ${script} a\nb \x1b[2J\x1b[31mRED`);
      assertEquals(process!.threads[0]!.name, "t\x1b[31m\nq");
    });
  },
});
