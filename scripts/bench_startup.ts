/**
 * Start-up of an everyday command on the host as it is (no tree spawned): `procpath query
 * -n bash --format pids` beside an empty `deno run`, `procpath --version`, `pgrep` and `ps`,
 * interleaved run by run so that a busy moment of the machine falls on all of them alike.
 * Prints medians and the ratio to the empty run (the target: ≤ 2×).
 *
 *   deno task bench:startup [RUNS]      (default 20)
 */
import { median, procpathCommand } from "./_bench_tree.ts";

const RUNS = Number(Deno.args[0] ?? 20);

function time(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const out = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync();
  const ms = performance.now() - t0;
  if (!out.success && cmd !== "pgrep") throw new Error(`${cmd} ${args.join(" ")} failed`);
  return ms;
}

const [deno, ...flags] = procpathCommand();
const empty = Deno.makeTempFileSync({ suffix: ".ts" });
const cases: [string, () => number][] = [
  ["deno run of an empty script (baseline)", () => time(Deno.execPath(), ["run", "-A", empty])],
  ["procpath --version", () => time(deno, [...flags, "--version"])],
  [
    "procpath query -n bash --format pids",
    () => time(deno, [...flags, "query", "-n", "bash", "--format", "pids"]),
  ],
  ["procpath query (whole tree as JSON)", () => time(deno, [...flags, "query"])],
  ["pgrep bash", () => time("pgrep", ["bash"])],
  ["ps -eo pid,ppid,rss,args", () => time("ps", ["-eo", "pid,ppid,rss,args"])],
];
const times = cases.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) cases.forEach(([, measure], i) => times[i].push(measure()));
Deno.removeSync(empty);
const processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
const base = median(times[0]);
console.log(`${processes} processes on the host, ${RUNS} interleaved runs, medians`);
console.log("| command | ms | × empty deno run |\n| --- | --- | --- |");
cases.forEach(([name], i) => {
  const m = median(times[i]);
  console.log(`| ${name} | ${m.toFixed(1)} | ${(m / base).toFixed(2)} |`);
});
