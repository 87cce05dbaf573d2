/**
 * Where `record -i 1`'s memory per followed process goes (#35): records a small branch
 * and a large one (the C forker's sleeping tree) for SECONDS, then reads the recorder's
 * resident memory and open descriptors from /proc, and takes a V8 heap snapshot through
 * its inspector, summed by object kind: the difference between the two branches, divided
 * by the difference of their process counts, is the cost of one more process.
 *
 *   deno run -A scripts/bench_record_memory.ts [SMALL] [LARGE] [SECONDS] [LAYOUTS]
 *   (defaults 20, 1000, 15, plain,compact)
 *
 * `profile` mode ranks what a sample allocates instead: it records the whole host
 * (`record -i 1`, no `-p`) beside a forker tree of COUNT processes, lets it warm up for
 * 5 s, then runs V8's sampling heap profiler through the inspector for SAMPLES samples,
 * objects later collected included, and prints the allocating functions by bytes a
 * sample, and by bytes a sample and process.
 *
 *   deno run -A scripts/bench_record_memory.ts profile [COUNT] [SAMPLES] [LAYOUT]
 *   (defaults 3000, 10, plain)
 *
 * `host` mode gives the figures: beside a forker tree of COUNT processes, for
 * each CHECKOUT (a directory holding src/main.ts and deno.json, run with its `procpath`
 * task's flags) `record -i 1` of the whole host and `record -i 1 -p` of one `sleep`, all
 * side by side (each sees the same host), RUNS rounds; VmRSS and RssAnon at 15 s and
 * 60 s, `Deno.memoryUsage()` of both at 60 s through the inspector, CPU from 15 to 60 s, and
 * the cost of an extra process, (host − one) / (host's processes − 1).
 *
 *   deno run -A scripts/bench_record_memory.ts host [COUNT] [RUNS] [CHECKOUT...]
 *   (defaults 3000, 3, this checkout)
 */
import { spawnTree } from "./_bench_tree.ts";
import { flagsOf, inspector, type ProfileNode, residentOf } from "./_bench_memory.ts";

const SMALL = Number(Deno.args[0] ?? 20);
const LARGE = Number(Deno.args[1] ?? 1000);
const SECONDS = Number(Deno.args[2] ?? 15);
const LAYOUTS = (Deno.args[3] ?? "plain,compact").split(",");

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

if (Deno.args[0] === "host") {
  await host(Number(Deno.args[1] ?? 3000), Number(Deno.args[2] ?? 3), Deno.args.slice(3));
  Deno.exit(0);
}

if (Deno.args[0] === "profile") {
  await profile(Number(Deno.args[1] ?? 3000), Number(Deno.args[2] ?? 10), Deno.args[3] ?? "plain");
  Deno.exit(0);
}

/** kB fields of /proc/PID/status and smaps_rollup that tell memory apart. */
function memoryOf(pid: number): Record<string, number> {
  const kb: Record<string, number> = {};
  const text = Deno.readTextFileSync(`/proc/${pid}/status`) +
    Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
  for (const key of ["VmRSS", "RssAnon", "RssFile", "Anonymous"]) {
    kb[key] = Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  }
  kb.fds = [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
  return kb;
}

/**
 * `Deno.memoryUsage()` of the inspected process (bytes), and a heap snapshot of it, self
 * sizes summed by node type and name.
 */
async function inspectHeap(
  port: number,
): Promise<{ usage: Record<string, number>; heap: Map<string, number> }> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve) => socket.onopen = resolve);
  const chunks: string[] = [];
  let usage: Record<string, number> = {};
  const done = new Promise<void>((resolve) => {
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data as string);
      if (message.method === "HeapProfiler.addHeapSnapshotChunk") chunks.push(message.params.chunk);
      if (message.id === 3) usage = JSON.parse(message.result.result.value);
      if (message.id === 2) resolve();
    };
  });
  socket.send(JSON.stringify({
    id: 3,
    method: "Runtime.evaluate",
    params: { expression: "JSON.stringify(Deno.memoryUsage())", returnByValue: true },
  }));
  socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.enable" }));
  socket.send(JSON.stringify({ id: 2, method: "HeapProfiler.takeHeapSnapshot", params: {} }));
  await done;
  socket.close();
  const snapshot = JSON.parse(chunks.join(""));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const sums = new Map<string, number>();
  const nodes: number[] = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt!]!]!;
    // strings and code by kind; objects by constructor
    const name = ["object", "closure", "native"].includes(type)
      ? `${type} ${snapshot.strings[nodes[i + nameAt!]!]}`
      : type;
    sums.set(name, (sums.get(name) ?? 0) + nodes[i + sizeAt!]!);
  }
  return { usage, heap: sums };
}

/** Records the branch of `root` for SECONDS; returns /proc's figures and the heap's. */
async function measure(root: number, port: number, dir: string, compact: boolean) {
  const db = `${dir}/m${port}.sqlite`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--inspect=127.0.0.1:${port}`,
      // BENCH_V8_FLAGS=--max-semi-space-size=1 tries a heap setting on the recorder
      ...(Deno.env.get("BENCH_V8_FLAGS") ? [`--v8-flags=${Deno.env.get("BENCH_V8_FLAGS")}`] : []),
      new URL("../src/main.ts", import.meta.url).pathname,
      "record",
      ...(compact ? ["--compact"] : []),
      "-i",
      "1",
      "-p",
      String(root),
      "-d",
      db,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errors = new Response(child.stderr).text();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  let proc: Record<string, number>;
  try {
    proc = memoryOf(child.pid);
  } catch {
    throw new Error(`the recorder ended early: ${await errors}`);
  }
  const { usage, heap } = await inspectHeap(port);
  child.kill("SIGINT");
  await child.status;
  await errors;
  return { proc, usage, heap };
}

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-memory-" });
Deno.mkdirSync(`${dir}/small`);
Deno.mkdirSync(`${dir}/large`);
const small = await spawnTree(`${dir}/small`, SMALL);
const large = await spawnTree(`${dir}/large`, LARGE);
try {
  for (const compact of LAYOUTS.map((layout) => layout === "compact")) {
    const a = await measure(small.rootPid, compact ? 9332 : 9330, dir, compact);
    const b = await measure(large.rootPid, compact ? 9333 : 9331, dir, compact);
    const extra = LARGE - SMALL;
    console.log(
      `\nrecord -i 1${
        compact ? " --compact" : ""
      }, ${SMALL} vs ${LARGE} processes after ${SECONDS} s ` +
        `(load ${load()}):`,
    );
    for (const key of Object.keys(a.proc)) {
      const per = (b.proc[key]! - a.proc[key]!) / extra;
      console.log(
        `  ${key.padEnd(10)} ${String(a.proc[key]).padStart(8)} → ${
          String(b.proc[key]).padStart(8)
        }` +
          `  ${
            key === "fds" ? per.toFixed(2) + " a process" : (per * 1024).toFixed(0) + " B a process"
          }`,
      );
    }
    for (const key of ["rss", "heapTotal", "heapUsed", "external"]) {
      const [x, y] = [a.usage[key] ?? 0, b.usage[key] ?? 0];
      console.log(
        `  Deno.memoryUsage().${key.padEnd(9)} ${(x / 1024).toFixed(0).padStart(7)} kB → ` +
          `${(y / 1024).toFixed(0).padStart(7)} kB  ${((y - x) / extra).toFixed(0)} B a process`,
      );
    }
    const total = (heap: Map<string, number>) => [...heap.values()].reduce((s, v) => s + v, 0);
    console.log(
      `  V8 heap (snapshot) ${(total(a.heap) / 1024).toFixed(0)} kB → ${
        (total(b.heap) / 1024).toFixed(0)
      } kB: ${((total(b.heap) - total(a.heap)) / extra).toFixed(0)} B a process, of which:`,
    );
    const growth = [...b.heap.entries()]
      .map(([name, size]) => [name, (size - (a.heap.get(name) ?? 0)) / extra] as const)
      .sort((x, y) => y[1] - x[1]).slice(0, 12);
    for (const [name, per] of growth) console.log(`    ${per.toFixed(0).padStart(6)} B  ${name}`);
  }
} finally {
  await small.kill();
  await large.kill();
  Deno.removeSync(dir, { recursive: true });
}

/** Ranks what `record -i 1` of the whole host allocates a sample (see the module's doc). */
async function profile(count: number, samples: number, layout: string) {
  const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-profile-" });
  const tree = await spawnTree(dir, count);
  const port = 9340;
  try {
    const flags = Deno.env.get("BENCH_V8_FLAGS");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `--inspect=127.0.0.1:${port}`,
        ...(flags ? [`--v8-flags=${flags}`] : []),
        new URL("../src/main.ts", import.meta.url).pathname,
        "record",
        ...(layout === "compact" ? ["--compact"] : []),
        "-i",
        "1",
        "-d",
        `${dir}/p.sqlite`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await new Promise((r) => setTimeout(r, 5000));
    const processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
    const session = await inspector(port);
    await session.send("HeapProfiler.enable");
    await session.send("HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await new Promise((r) => setTimeout(r, samples * 1000));
    const { profile: root } = await session.send("HeapProfiler.stopSampling") as {
      profile: { head: ProfileNode };
    };
    session.close();
    child.kill("SIGINT");
    await child.status;
    const sites = new Map<string, number>();
    // a built-in (`subarray`, `Map.set`) is named with the procpath function calling it
    const walk = (node: ProfileNode, caller: string) => {
      const frame = node.callFrame;
      const name = frame.functionName || "(anonymous)";
      const own = frame.url.includes("/src/")
        ? `${name} ${frame.url.replace(/^.*\/src\//, "src/")}:${frame.lineNumber + 1}`
        : null;
      const key = own ?? `${name} ← ${caller}`;
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child, own ?? caller);
    };
    walk(root.head, "(runtime)");
    const total = [...sites.values()].reduce((a, b) => a + b, 0);
    console.log(
      `record -i 1${layout === "compact" ? " --compact" : ""}, whole host of ${processes} ` +
        `processes, ${samples} s sampled (load ${load()}): ` +
        `${(total / samples / 1024).toFixed(0)} kB a sample, ` +
        `${(total / samples / processes).toFixed(0)} B a sample and process`,
    );
    for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(
        `  ${(bytes / samples / 1024).toFixed(0).padStart(7)} kB ` +
          `${(bytes / samples / processes).toFixed(0).padStart(5)} B  ${site}`,
      );
    }
  } finally {
    await tree.kill();
    Deno.removeSync(dir, { recursive: true });
  }
}

/** `Deno.memoryUsage()` of the process behind inspector `port`, bytes. */
async function usageOf(port: number): Promise<Record<string, number>> {
  const inspect = await inspector(port);
  const answer = await inspect.send("Runtime.evaluate", {
    expression: "JSON.stringify(Deno.memoryUsage())",
    returnByValue: true,
  }) as { result: { value: string } };
  inspect.close();
  return JSON.parse(answer.result.value);
}

/** The whole-host and one-process figures (see the module's doc). */
async function host(count: number, runs: number, checkouts: string[]) {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  if (checkouts.length === 0) checkouts.push(here);
  const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-host-" });
  const tree = await spawnTree(dir, count);
  const sleeper = new Deno.Command("sleep", { args: ["600"] }).spawn();
  const processes = () => [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
  const results = new Map<string, number[][]>();
  try {
    for (let run = 0; run < runs; run++) {
      const order = checkouts.map((_, i) => checkouts[(i + run) % checkouts.length]!);
      let port = 9360;
      const recorders = order.flatMap((checkout) =>
        [[], ["-p", String(sleeper.pid)]].map((selection) => {
          const at = port++;
          const child = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              ...flagsOf(checkout),
              `--inspect=127.0.0.1:${at}`,
              "--quiet",
              "--config",
              `${checkout}/deno.json`,
              `${checkout}/src/main.ts`,
              "record",
              "-i",
              "1",
              ...selection,
              "-d",
              `${dir}/r${run}-${at}.sqlite`,
            ],
            stdin: "null",
            stdout: "null",
            stderr: "null",
          }).spawn();
          return { checkout, one: selection.length > 0, child, port: at };
        })
      );
      try {
        await new Promise((r) => setTimeout(r, 15_000));
        const at15 = recorders.map((r) => residentOf(r.child.pid));
        const hostAt15 = processes();
        await new Promise((r) => setTimeout(r, 45_000));
        const at60 = recorders.map((r) => residentOf(r.child.pid));
        const usage = await Promise.all(recorders.map((r) => usageOf(r.port)));
        for (const checkout of checkouts) {
          const i = recorders.findIndex((r) => r.checkout === checkout && !r.one);
          const j = recorders.findIndex((r) => r.checkout === checkout && r.one);
          const [h15, h60, o15, o60] = [at15[i]!, at60[i]!, at15[j]!, at60[j]!];
          const per = (h: number, o: number) => (h - o) / (hostAt15 - 1);
          const row = [
            h15.VmRSS!,
            h15.RssAnon!,
            h60.VmRSS!,
            h60.RssAnon!,
            o15.VmRSS!,
            o60.VmRSS!,
            per(h15.VmRSS!, o15.VmRSS!),
            per(h60.VmRSS!, o60.VmRSS!),
            (h60.cpuMs! - h15.cpuMs!) / 45,
            usage[i]!.heapTotal! / 1024,
            usage[i]!.heapUsed! / 1024,
            usage[j]!.heapTotal! / 1024,
            usage[j]!.heapUsed! / 1024,
          ];
          results.set(checkout, [...(results.get(checkout) ?? []), row]);
          console.log(
            `${checkout} run ${run + 1}, ${hostAt15} processes (load ${load()}): host ` +
              `15 s ${row[0]} kB (anon ${row[1]}), 60 s ${row[2]} (anon ${row[3]}); one ` +
              `${row[4]} → ${row[5]}; per process ${row[6]!.toFixed(1)} / ` +
              `${row[7]!.toFixed(1)} kB; CPU ${row[8]!.toFixed(1)} ms/s; heap total ` +
              `${row[9]!.toFixed(0)} used ${row[10]!.toFixed(0)} kB at 60 s (one: ` +
              `${row[11]!.toFixed(0)} / ${row[12]!.toFixed(0)})`,
          );
        }
      } finally {
        for (const r of recorders) {
          r.child.kill("SIGINT");
          await r.child.status;
        }
      }
    }
  } finally {
    sleeper.kill();
    await sleeper.status;
    await tree.kill();
    Deno.removeSync(dir, { recursive: true });
  }
  const range = (values: number[], scale = 1 / 1024) =>
    `${(Math.min(...values) * scale).toFixed(1)}–${(Math.max(...values) * scale).toFixed(1)}`;
  console.log(`\nrecord -i 1, forker ${count}, ${runs} runs (MiB; per process KiB):`);
  for (const [checkout, rows] of results) {
    const col = (k: number) => rows.map((r) => r[k]!);
    console.log(
      `${checkout}: host 15 s ${range(col(0))} anon ${range(col(1))}; 60 s ${range(col(2))} ` +
        `anon ${range(col(3))}; one 15 s ${range(col(4))}, 60 s ${range(col(5))}; per ` +
        `process 15 s ${range(col(6), 1)}, 60 s ${range(col(7), 1)}; CPU ` +
        `${range(col(8), 1)} ms/s; heap 60 s total ${range(col(9))} used ${range(col(10))} ` +
        `(one: ${range(col(11))} / ${range(col(12))})`,
    );
  }
}
