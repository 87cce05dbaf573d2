/**
 * Benchmarks `procpath query` on a real tree of thousands of processes against
 * baselines measured in the same run: a C reader of the same stat+cmdline files,
 * and `ps -eo pid,ppid,rss,args`.
 *
 *   deno task bench:query [PROCESSES]      (default 3000)
 */
import { createProcReader } from "../src/procfs/mod.ts";
import { readForest } from "../src/tree/mod.ts";
import { cRead, median, procpathCommand, spawnTree, timeCommand } from "./_bench_tree.ts";
import { repoPath } from "../tests/_helpers/run_procpath.ts";

const COUNT = Number(Deno.args[0] ?? 3000);
const RUNS = 15;

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-" });
const tree = await spawnTree(dir, COUNT);
// a 20-process branch on the same host: a query of it should cost a fraction of ps
Deno.mkdirSync(`${dir}/small`);
const small = await spawnTree(`${dir}/small`, 20);
try {
  const c = cRead(dir, RUNS);
  const reader = createProcReader("/proc");
  const snapshot = () => readForest(reader, { files: ["stat", "cmdline"], warn: () => {} });
  snapshot(); // warm up the JIT
  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    snapshot();
    inProcess.push(performance.now() - t0);
  }
  const procpath = procpathCommand();
  const whole = timeCommand(procpath[0], [...procpath.slice(1), "query"], RUNS);
  const branchOf = (pid: number) =>
    timeCommand(procpath[0], [
      ...procpath.slice(1),
      "query",
      "-d",
      ",",
      `$..children[?(@.stat.pid == ${pid})]..pid`,
    ], RUNS);
  const branch = branchOf(tree.rootPid);
  const smallBranch = branchOf(small.rootPid);
  const ps = timeCommand("ps", ["-eo", "pid,ppid,rss,args"], RUNS);
  // start-up: the runtime alone, procpath's version, and the launcher around the same
  const empty = Deno.makeTempFileSync({ dir, suffix: ".ts" });
  const bare = timeCommand(Deno.execPath(), ["run", "-A", empty], RUNS);
  const version = timeCommand(procpath[0], [...procpath.slice(1), "--version"], RUNS);
  const launcher = timeCommand(repoPath("scripts/procpath"), ["--version"], RUNS);

  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const rows: [string, number, string][] = [
    ["deno run of an empty script (baseline)", median(bare), ""],
    [
      "procpath --version",
      median(version),
      `${(median(version) / median(bare)).toFixed(2)}× empty`,
    ],
    [
      "scripts/procpath --version (the launcher)",
      median(launcher),
      `${(median(launcher) / median(version)).toFixed(2)}× deno run of the same`,
    ],
    ["C read of stat+cmdline (baseline)", median(c.times), ""],
    [
      "procpath snapshot in-process (read+parse+tree)",
      median(inProcess),
      `${(median(inProcess) / median(c.times)).toFixed(2)}× C`,
    ],
    ["ps -eo pid,ppid,rss,args (baseline)", median(ps), ""],
    [
      "procpath query (whole tree, JSON)",
      median(whole),
      `${(median(whole) / median(ps)).toFixed(2)}× ps`,
    ],
    [
      `procpath query -d , (branch of ${COUNT})`,
      median(branch),
      `${(median(branch) / median(ps)).toFixed(2)}× ps`,
    ],
    [
      "procpath query -d , (branch of 20)",
      median(smallBranch),
      `${(median(smallBranch) / median(ps)).toFixed(2)}× ps`,
    ],
  ];
  console.log(`processes on the system: ${c.files / 2}, tree: ${COUNT}, runs: ${RUNS} (medians)`);
  for (const [name, value, ratio] of rows) {
    console.log(`${name.padEnd(48)} ${ms(value).padStart(10)}  ${ratio}`);
  }
} finally {
  await small.kill();
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
