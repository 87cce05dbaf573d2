/**
 * Benchmarks `procpath metrics` on a real tree of 3,000 processes: the latency of a
 * scrape of the tree's group (the default procfiles, stat, and stat,io), and the
 * endpoint's own CPU when scraped every 15 s, with the C reader as the baseline.
 *
 *   deno task bench:metrics [PROCESSES] [CPU_SECONDS]
 */
import { cRead, median, spawnTree } from "./_bench_tree.ts";
import { repoPath } from "../tests/_helpers/run_procpath.ts";
import { readUntil } from "../tests/_helpers/processes.ts";

const COUNT = Number(Deno.args[0] ?? 3000);
const CPU_SECONDS = Number(Deno.args[1] ?? 60);
const RUNS = 15;

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-metrics-" });
const tree = await spawnTree(dir, COUNT);

async function endpoint(files: string) {
  const child = new Deno.Command(repoPath("scripts/procpath"), {
    args: [
      "metrics",
      "-p",
      "0",
      "-f",
      files,
      "-g",
      `tree=$..children[?(@.stat.pid == ${tree.rootPid})]`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const url = (await readUntil(child.stderr, /http:\/\/\S+\/metrics/)).match[0];
  const scrape = async () => {
    const t0 = performance.now();
    const text = await (await fetch(url, { headers: { accept: "application/openmetrics-text" } }))
      .text();
    return { ms: performance.now() - t0, text };
  };
  return {
    child,
    scrape,
    async stop() {
      child.kill("SIGINT");
      await child.status;
    },
  };
}

try {
  const c = cRead(dir, RUNS);
  console.log(
    `processes on the system: ${c.files / 2}, tree: ${COUNT + 1}, runs: ${RUNS} (medians)`,
  );
  console.log(
    `C read of stat+cmdline, all processes (baseline)   ${
      median(c.times).toFixed(1).padStart(7)
    } ms`,
  );
  for (const files of ["stat", "stat,io"]) {
    const server = await endpoint(files);
    const first = await server.scrape();
    const group = /procpath_group_processes\{group="tree"\} (\d+)/.exec(first.text)?.[1];
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await server.scrape()).ms);
    console.log(
      `scrape of the ${group}-process group, -f ${files.padEnd(8)}        ${
        median(times).toFixed(1).padStart(7)
      } ms`,
    );
    if (files === "stat") {
      // a Prometheus at a 15 s interval: the endpoint's CPU between and during scrapes
      const stat = () =>
        Deno.readTextFileSync(`/proc/${server.child.pid}/stat`).split(") ")[1].split(" ");
      const ticks = () => Number(stat()[11]) + Number(stat()[12]);
      const before = ticks(), started = performance.now();
      while (performance.now() - started < CPU_SECONDS * 1000) {
        await server.scrape();
        await new Promise((r) => setTimeout(r, 15_000));
      }
      const seconds = (performance.now() - started) / 1000;
      const cpu = (ticks() - before) / 100 / seconds * 100;
      console.log(
        `endpoint CPU, scraped every 15 s over ${seconds.toFixed(0)} s       ${
          cpu.toFixed(2).padStart(7)
        } % of one core`,
      );
    }
    await server.stop();
  }
} finally {
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
