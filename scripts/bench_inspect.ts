/**
 * `procpath inspect` on a real 100-process subtree: the wall time over the window (the
 * target: within the window plus one second), and what each new procfile costs to
 * read per process (`query -f stat,<file>` of a 3,000-process branch against `-f stat`
 * alone), with the C reader of `stat` measured in the same run as the yardstick; and
 * what the hot-function sampler costs this process (its CPU over 10 s of 100 ms drains
 * of busy threads' rings, against the same loop without it).
 *
 *   deno task bench:inspect [RUNS]      (default 5)
 */
import { cRead, median, spawnTree } from "./_bench_tree.ts";
import { startIpSampler } from "../src/kernel/perf_sampler.ts";

const RUNS = Number(Deno.args[0] ?? 5);
const here = new URL("..", import.meta.url).pathname;
const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-inspect-" });

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  const out = await new Deno.Command(`${here}scripts/procpath`, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return performance.now() - started;
}

const range = (xs: number[], digits = 2) =>
  `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)} (median ${
    median(xs).toFixed(digits)
  })`;

/** This process's CPU so far, seconds (utime + stime of /proc/self/stat). */
function ownCpu(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Share of a core this process used over 10 s of 100 ms ticks, with or without sampling. */
async function samplerCost(tids: number[], sampling: boolean): Promise<number> {
  const sampler = sampling ? startIpSampler(tids, { pageSize: 4096 }) : null;
  if (typeof sampler === "string") throw new Error(sampler);
  const cpu = ownCpu(), started = performance.now();
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    sampler?.drain();
  }
  const samples = sampler ? [...sampler.stop().values()].reduce((n, s) => n + s.length, 0) : 0;
  const share = 100 * (ownCpu() - cpu) / ((performance.now() - started) / 1000);
  if (sampling) console.log(`  (${samples} samples of ${tids.length} busy threads)`);
  return share;
}

{
  const busy = [1, 2].map(() =>
    new Deno.Command("sh", { args: ["-c", "while :; do :; done"] }).spawn()
  );
  try {
    const tids = busy.map((b) => b.pid);
    const on: number[] = [], off: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      off.push(await samplerCost(tids, false));
      on.push(await samplerCost(tids, true));
    }
    console.log(
      `sampler at 99 Hz on 2 busy threads: this process ${range(on)} % of a core, ` +
        `${range(off)} % without it (target: ≤ 2 % more)`,
    );
  } finally {
    for (const b of busy) {
      b.kill("SIGKILL");
      await b.status;
    }
  }
}

const small = new Deno.Command("setsid", {
  args: ["sh", "-c", "for i in $(seq 100); do sleep 600 & done; wait"],
  stdout: "null",
}).spawn();
const COUNT = 3000;
const tree = await spawnTree(dir, COUNT);
try {
  const inspectSeconds: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    inspectSeconds.push(
      await timed([
        "inspect",
        "--format",
        "json",
        "-w",
        "2",
        `$..children[?(@.stat.pid == ${small.pid})]`,
      ]) /
        1000,
    );
  }
  console.log(`inspect -w 2 of a 101-process subtree: ${range(inspectSeconds)} s (target ≤ 3 s)`);
  const c = cRead(dir, RUNS);
  console.log(`C reader of stat+cmdline, ${COUNT} processes: ${range(c.times, 1)} ms`);
  // whole nodes, as JSON, in every run: the same output work with and without the file
  const branch = `$..children[?(@.stat.pid == ${tree.rootPid})]`;
  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) base.push(await timed(["query", "-f", "stat", branch]));
  for (const file of ["schedstat", "wchan", "limits", "oom_score", "cgroup"]) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(
        await timed([
          "query",
          "-f",
          `stat,${file}`,
          `$..children[?(@.stat.pid == ${tree.rootPid})]`,
        ]),
      );
    }
    const perProcess = (median(times) - median(base)) * 1000 / COUNT;
    console.log(
      `-f stat,${file}: ${range(times, 1)} ms; about ${
        perProcess.toFixed(1)
      } µs a process more than -f stat`,
    );
  }
} finally {
  try {
    Deno.kill(-small.pid, "SIGKILL");
  } catch { /* gone */ }
  await small.status;
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
