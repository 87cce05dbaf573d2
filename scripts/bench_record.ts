/**
 * Benchmarks `procpath record` on a real tree of thousands of processes against a C
 * reader of the same stat+cmdline files measured in the same run; reports database
 * bytes per recorded process-row and the CPU that `record -i 1` uses over a minute.
 *
 *   deno task bench:record [PROCESSES] [CPU_SECONDS]      (defaults 3000 and 60)
 */
import { createProcReader } from "../src/procfs/mod.ts";
import { readForest } from "../src/tree/mod.ts";
import { buildMeta, columnsFor, flattenNodes, openStore } from "../src/store/mod.ts";
import { readStat, readSystemInfo } from "../src/procfs/mod.ts";
import { cRead, median, procpathCommand, spawnTree } from "./_bench_tree.ts";
import { branchPidsOf, compileQuery, runQuery } from "../src/query/mod.ts";

const COUNT = Number(Deno.args[0] ?? 3000);
const CPU_SECONDS = Number(Deno.args[1] ?? 60);
const RUNS = 15;
const REFERENCE_ITERATION_MS = 430; // Procpath 1.14, same work, this machine's kind (issue #3)

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-" });
const tree = await spawnTree(dir, COUNT);
try {
  const c = cRead(dir, RUNS);
  const files = ["stat", "cmdline"] as const;
  const reader = createProcReader("/proc");
  const columns = columnsFor([...files]);
  const meta = buildMeta({
    system: readSystemInfo(reader),
    files,
    procfsPath: "/proc",
    target: "process",
  });
  const db = `${dir}/bench.sqlite`;
  const store = openStore(db, { columns, meta, wal: true });
  const iteration = () => {
    const roots = readForest(reader, { files, branchPids: [tree.rootPid], warn: () => {} });
    return store.insertSnapshot(Date.now() / 1000, flattenNodes(roots, columns));
  };
  iteration(); // warm up
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    rows += iteration();
    times.push(performance.now() - t0);
  }
  store.close();
  const bytesPerRow = Deno.statSync(db).size / (rows + rows / RUNS);

  // a 20-process branch on the same host: by -p, by the JSONPath form, and the whole host
  Deno.mkdirSync(`${dir}/small`);
  const small = await spawnTree(`${dir}/small`, 20);
  const timeIteration = (read: () => unknown[]) => {
    read();
    const t: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      flattenNodes(read(), columns);
      t.push(performance.now() - t0);
    }
    return median(t);
  };
  const query = compileQuery(`$..children[?(@.stat.pid == ${small.rootPid})]`);
  const byPid = timeIteration(() =>
    readForest(reader, { files, branchPids: [small.rootPid], warn: () => {} })
  );
  const byPath = timeIteration(() =>
    runQuery(query, {
      children: readForest(reader, { files, branchPids: branchPidsOf(query)!, warn: () => {} }),
    })
  );
  const wholeHost = timeIteration(() => readForest(reader, { files, warn: () => {} }));

  // CPU of a real `record -i 1` of the branch, read from its own /proc/<pid>/stat
  const out = `${dir}/cpu.sqlite`;
  const [deno, ...run] = procpathCommand();
  const recorder = new Deno.Command(deno, {
    args: [...run, "record", "-i", "1", "-d", out, "-p", String(small.rootPid)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
  const { stat } = readStat(reader, recorder.pid)!;
  const elapsed = (performance.now() - started) / 1000;
  const cpuSeconds = (Number(stat.utime) + Number(stat.stime)) / Number(meta.clock_ticks);
  recorder.kill("SIGINT");
  await recorder.status;
  await small.kill();

  const cMs = median(c.times), iterMs = median(times);
  console.log(
    `processes on the system: ${c.files / 2}, branch: ${COUNT + 1}, runs: ${RUNS} (medians)`,
  );
  console.log(`C read of stat+cmdline, all processes (baseline)  ${cMs.toFixed(1).padStart(7)} ms`);
  console.log(
    `procpath record iteration (read+tree+insert)     ${iterMs.toFixed(1).padStart(7)} ms  ${
      (iterMs / cMs).toFixed(2)
    }× C, ${
      (REFERENCE_ITERATION_MS / iterMs).toFixed(1)
    }× faster than the reference's ${REFERENCE_ITERATION_MS} ms`,
  );
  console.log(
    `database bytes per process-row                  ${bytesPerRow.toFixed(1).padStart(7)} B`,
  );
  for (const [name, ms] of [["-p", byPid], ["JSONPath", byPath]] as const) {
    console.log(
      `20-process branch iteration (${name})`.padEnd(48) +
        `${ms.toFixed(1).padStart(7)} ms  ${(ms / wholeHost).toFixed(3)}× the whole host (${
          wholeHost.toFixed(1)
        } ms)`,
    );
  }
  console.log(
    `record -i 1 -p <20-process branch> CPU over ${elapsed.toFixed(0)} s ${
      (100 * cpuSeconds / elapsed).toFixed(2).padStart(7)
    } % of one core`,
  );
} finally {
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
