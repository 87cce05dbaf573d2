/**
 * `procpath inspect` on a real 100-process subtree: the wall time over the window (the
 * target: within the window plus one second), and what each new procfile costs to
 * read per process (`query -f stat,<file>` of a 3,000-process branch against `-f stat`
 * alone), with the C reader of `stat` measured in the same run as the yardstick.
 *
 *   deno task bench:inspect [RUNS]      (default 5)
 */
import { cRead, median, spawnTree } from "./_bench_tree.ts";

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
