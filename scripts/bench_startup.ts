/**
 * Start-up of everyday commands on the host as it is (no tree spawned), as a user runs
 * them: `scripts/procpath --version`, `query --help`, `query -n bash --format pids` and
 * `query` beside an empty `deno run` with the same flags (the procpath task's, the
 * baseline); a query of a fixture procfs, whose time is start-up whatever the host runs,
 * through the launcher and through `deno run` of the task (without the launcher's lazy
 * imports Deno builds every command's module graph before the first line); `pgrep` and `ps`,
 * interleaved run by run so that a busy moment of the machine falls on all of them alike.
 * Prints each command's median and range in milliseconds and the ratio of the medians to the
 * empty run; the median CPU of each run's process tree (getrusage of the reaped children:
 * a loaded machine stretches the wall time, much less the work); the host's process count
 * and the load average before and after.
 *
 *   deno task bench:startup [RUNS]      (default 20)
 */
import { median, procpathCommand } from "./_bench_tree.ts";
import { childrenUsage } from "../src/kernel/libc.ts";
import { bakedFlags, fixture, repoPath } from "../tests/_helpers/run_procpath.ts";

const RUNS = Number(Deno.args[0] ?? 20);

/** CPU the reaped children used so far (user and system), milliseconds. */
function childrenCpuMs(): number {
  const usage = childrenUsage();
  return usage === null ? NaN : (usage.userSeconds + usage.systemSeconds) * 1000;
}

/** One run's wall time and CPU (its process tree's, all threads), milliseconds. */
function time(cmd: string, args: string[]): [number, number] {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const out = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync();
  const ms = performance.now() - t0;
  // pgrep and a shorthand query exit 1 when nothing matches: still a start
  if (!out.success && out.code !== 1) throw new Error(`${cmd} ${args.join(" ")} failed`);
  return [ms, childrenCpuMs() - cpu0];
}

/** The first three figures of /proc/loadavg. */
function load(): string {
  return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
}

const launcher = repoPath("scripts/procpath");
const FIXTURE_QUERY = [
  "query",
  "-n",
  "firefox",
  "--procfs",
  fixture("browser"),
  "--format",
  "pids",
];
const [deno, ...taskFlags] = procpathCommand();
const empty = Deno.makeTempFileSync({ suffix: ".ts" });
const emptyRun = ["run", ...bakedFlags(), "--quiet", "--config", repoPath("deno.json"), empty];
const cases: [string, () => [number, number]][] = [
  ["deno run of an empty script, the task's flags (baseline)", () => time(deno, emptyRun)],
  ["procpath --version", () => time(launcher, ["--version"])],
  ["procpath query --help", () => time(launcher, ["query", "--help"])],
  [
    "procpath query -n bash --format pids",
    () => time(launcher, ["query", "-n", "bash", "--format", "pids"]),
  ],
  ["procpath query (whole tree as JSON)", () => time(launcher, ["query"])],
  [
    "procpath query -n firefox of a 21-process fixture (the host's size left out)",
    () => time(launcher, [...FIXTURE_QUERY]),
  ],
  [
    "the same fixture query through deno run of the task (no launcher)",
    () => time(deno, [...taskFlags, ...FIXTURE_QUERY]),
  ],
  ["pgrep bash", () => time("pgrep", ["bash"])],
  ["ps -eo pid,ppid,rss,args", () => time("ps", ["-eo", "pid,ppid,rss,args"])],
];
const loadBefore = load();
const times = cases.map(() => [] as number[]);
const cpus = cases.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) {
  cases.forEach(([, measure], i) => {
    const [ms, cpu] = measure();
    times[i].push(ms);
    cpus[i].push(cpu);
  });
}
Deno.removeSync(empty);
const processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
const base = median(times[0]);
console.log(
  `${processes} processes on the host, ${RUNS} interleaved runs, ` +
    `load average ${loadBefore} before, ${load()} after`,
);
const cpuBase = median(cpus[0]);
console.log(
  "| command | ms (median) | range | × empty deno run | CPU ms (median) | × empty's CPU |\n" +
    "| --- | --- | --- | --- | --- | --- |",
);
cases.forEach(([name], i) => {
  const m = median(times[i]);
  const range = `${Math.min(...times[i]).toFixed(1)}–${Math.max(...times[i]).toFixed(1)}`;
  const cpu = median(cpus[i]);
  console.log(
    `| ${name} | ${m.toFixed(1)} | ${range} | ${(m / base).toFixed(2)} | ${cpu.toFixed(1)} | ` +
      `${(cpu / cpuBase).toFixed(2)} |`,
  );
});
