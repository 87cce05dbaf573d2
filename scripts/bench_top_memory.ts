/**
 * Live `top`'s memory and refresh CPU on a large host (#35): beside the C forker's tree
 * of COUNT sleeping processes, runs `procpath top -i 1` in a tmux terminal 200×60 (50
 * rows of processes on screen) and reads its resident memory (VmRSS, RssAnon, RssFile)
 * at 15 s and 60 s, and its CPU between them (ms a second: the refreshes' cost, one a
 * second). The CHECKOUTs (directories holding src/main.ts and deno.json: this one, or
 * an export of an older commit) run side by side, RUNS rounds: each sees the same host.
 *
 *   deno run -A scripts/bench_top_memory.ts rss [COUNT] [RUNS] [CHECKOUT...]
 *   (defaults 3000, 3, this checkout)
 *
 * `profile` mode ranks what a refresh allocates: after 10 s it runs V8's sampling heap
 * profiler through the inspector for SECONDS refreshes, objects later collected
 * included, and prints the allocating functions by bytes a refresh.
 *
 *   deno run -A scripts/bench_top_memory.ts profile [COUNT] [SECONDS] [CHECKOUT]
 *   (defaults 3000, 10, this checkout)
 */
import { spawnTree } from "./_bench_tree.ts";
import { flagsOf, inspector, type ProfileNode, residentOf } from "./_bench_memory.ts";
import { newSession, tmux } from "../tests/_helpers/tmux.ts";

const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident figures and CPU so far of `pid` (`residentOf`), and the host's processes then. */
function memoryOf(pid: number): Record<string, number> {
  const kb = residentOf(pid);
  // the host's processes then: other work's come and go, and top reads them all
  kb.processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
  return kb;
}

/** Starts `top -i 1` of `checkout` in a tmux session; returns its PID and the session. */
function startTop(checkout: string, inspect?: number): { pid: number; session: string } {
  const session = `bench-top-${crypto.randomUUID().slice(0, 8)}`;
  const command = [
    "exec",
    Deno.execPath(),
    "run",
    ...flagsOf(checkout),
    ...(inspect ? [`--inspect=127.0.0.1:${inspect}`] : []),
    "--quiet",
    "--config",
    `${checkout}/deno.json`,
    `${checkout}/src/main.ts`,
    "top",
    "-i",
    "1",
  ].join(" ");
  newSession(session, "-x", "200", "-y", "60", command);
  const pid = Number(tmux("display", "-p", "-t", session, "#{pane_pid}").trim());
  return { pid, session };
}

async function rss(count: number, runs: number, checkouts: string[]) {
  const results = new Map<string, Record<string, number>[][]>();
  for (let run = 0; run < runs; run++) {
    // side by side: each sees the same host (other work's processes come and go, and
    // top reads every one) and the same load; the order of starts turns each round
    const order = checkouts.map((_, i) => checkouts[(i + run) % checkouts.length]!);
    const tops = order.map((checkout) => ({ checkout, ...startTop(checkout) }));
    try {
      await sleep(15_000);
      const at15 = tops.map((top) => memoryOf(top.pid));
      await sleep(45_000);
      const at60 = tops.map((top) => memoryOf(top.pid));
      tops.forEach((top, i) => {
        const [a, b] = [at15[i]!, at60[i]!];
        const list = results.get(top.checkout) ?? [];
        list.push([a, b]);
        results.set(top.checkout, list);
        console.log(
          `${top.checkout} run ${run + 1}: 15 s RSS ${a.VmRSS} anon ${a.RssAnon} kB; ` +
            `60 s RSS ${b.VmRSS} anon ${b.RssAnon} file ${b.RssFile} kB; ` +
            `CPU ${((b.cpuMs - a.cpuMs) / 45).toFixed(1)} ms/s; ` +
            `${a.processes}/${b.processes} processes (load ${load()})`,
        );
      });
    } finally {
      for (const top of tops) tmux("kill-session", "-t", top.session);
    }
    await sleep(1000);
  }
  const range = (values: number[]) =>
    `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  const mib = (kb: number) => kb / 1024;
  console.log(`\nlive top -i 1, 200×60, ${count} extra processes, ${runs} runs each:`);
  for (const [checkout, list] of results) {
    console.log(
      `${checkout}: RSS 15 s ${range(list.map((l) => mib(l[0]!.VmRSS!)))} MiB, ` +
        `anon ${range(list.map((l) => mib(l[0]!.RssAnon!)))}; ` +
        `60 s ${range(list.map((l) => mib(l[1]!.VmRSS!)))} MiB, ` +
        `anon ${range(list.map((l) => mib(l[1]!.RssAnon!)))}, ` +
        `file ${range(list.map((l) => mib(l[1]!.RssFile!)))}; ` +
        `CPU ${range(list.map((l) => (l[1]!.cpuMs! - l[0]!.cpuMs!) / 45))} ms/s`,
    );
  }
}

async function profile(seconds: number, checkout: string) {
  const port = 9350;
  const { session } = startTop(checkout, port);
  try {
    await sleep(10_000);
    const processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
    const inspect = await inspector(port);
    await inspect.send("HeapProfiler.enable");
    await inspect.send("HeapProfiler.startSampling", {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await sleep(seconds * 1000);
    const { profile: root } = await inspect.send("HeapProfiler.stopSampling") as {
      profile: { head: ProfileNode };
    };
    // V8's spaces as the refreshes left them: what of the resident memory is the heap's
    const spaces = await inspect.send("Runtime.evaluate", {
      expression: `import("node:v8").then((v8) => JSON.stringify(v8.getHeapSpaceStatistics()
        .map((s) => [s.space_name, s.space_size, s.space_used_size])))`,
      awaitPromise: true,
      returnByValue: true,
    }) as { result: { value: string } };
    inspect.close();
    console.log("V8 spaces (size / used, kB):");
    for (
      const [name, size, used] of JSON.parse(spaces.result.value) as [string, number, number][]
    ) {
      console.log(
        `  ${name.padEnd(28)} ${(size / 1024).toFixed(0).padStart(7)} ${
          (used / 1024).toFixed(0).padStart(7)
        }`,
      );
    }
    const sites = new Map<string, number>();
    const files = new Map<string, number>();
    // a built-in (no source of procpath's: split, Map.set, TextDecoder) counts for the
    // nearest procpath function that called it
    const walk = (node: ProfileNode, caller: string) => {
      const frame = node.callFrame;
      const file = frame.url.replace(/^.*\/src\//, "src/").replace(/^.*\/ext:/, "ext:");
      const own = file.startsWith("src/")
        ? `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`
        : caller;
      const key = own === caller && !file.startsWith("src/")
        ? `${caller} ← ${frame.functionName || "(anonymous)"}`
        : own;
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
      const at = own.split(" ")[1] ?? "";
      const dir = at.startsWith("src/") ? at.split("/").slice(0, 2).join("/") : "(other)";
      files.set(dir, (files.get(dir) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child, own);
    };
    walk(root.head, "(outside procpath)");
    const total = [...sites.values()].reduce((a, b) => a + b, 0);
    console.log(
      `live top -i 1 of ${checkout}, ${processes} processes, ${seconds} refreshes sampled ` +
        `(load ${load()}): ${(total / seconds / 1024).toFixed(0)} kB a refresh, ` +
        `${(total / seconds / processes).toFixed(0)} B a refresh and process`,
    );
    console.log("by directory (the allocating function's):");
    for (const [dir, bytes] of [...files].sort((a, b) => b[1] - a[1])) {
      console.log(
        `  ${(bytes / seconds / 1024).toFixed(0).padStart(7)} kB ` +
          `${(bytes / seconds / processes).toFixed(0).padStart(5)} B  ${dir}`,
      );
    }
    console.log("by function:");
    for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(
        `  ${(bytes / seconds / 1024).toFixed(0).padStart(7)} kB ` +
          `${(bytes / seconds / processes).toFixed(0).padStart(5)} B  ${site}`,
      );
    }
  } finally {
    tmux("kill-session", "-t", session);
  }
}

/**
 * What stays live between refreshes: a heap snapshot of `top` after SECONDS, self sizes
 * summed by object kind (strings and code by kind, objects by constructor), largest first.
 */
async function heap(seconds: number, checkout: string) {
  const port = 9351;
  const { session } = startTop(checkout, port);
  try {
    await sleep(seconds * 1000);
    const processes = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      webSocketDebuggerUrl: string;
    }[];
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve) => socket.onopen = resolve);
    const chunks: string[] = [];
    const done = new Promise<void>((resolve) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data as string);
        if (message.method === "HeapProfiler.addHeapSnapshotChunk") {
          chunks.push(message.params.chunk);
        }
        if (message.id === 2) resolve();
      };
    });
    socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.enable" }));
    socket.send(JSON.stringify({ id: 2, method: "HeapProfiler.takeHeapSnapshot", params: {} }));
    await done;
    socket.close();
    // BENCH_SNAPSHOT=FILE keeps the snapshot for a closer look (Chrome's DevTools reads it)
    const keep = Deno.env.get("BENCH_SNAPSHOT");
    if (keep) Deno.writeTextFileSync(keep, chunks.join(""));
    const snapshot = JSON.parse(chunks.join(""));
    const fields: string[] = snapshot.snapshot.meta.node_fields;
    const types: string[] = snapshot.snapshot.meta.node_types[0];
    const width = fields.length;
    const [typeAt, nameAt, sizeAt] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
    const sums = new Map<string, [number, number]>();
    const nodes: number[] = snapshot.nodes;
    let total = 0;
    for (let i = 0; i < nodes.length; i += width) {
      const type = types[nodes[i + typeAt!]!]!;
      const name = ["object", "closure", "native"].includes(type)
        ? `${type} ${snapshot.strings[nodes[i + nameAt!]!]}`
        : type;
      const sum = sums.get(name) ?? [0, 0];
      sum[0] += nodes[i + sizeAt!]!;
      sum[1]++;
      total += nodes[i + sizeAt!]!;
      sums.set(name, sum);
    }
    console.log(
      `live top -i 1 of ${checkout} after ${seconds} s, ${processes} processes: heap ` +
        `${(total / 1024).toFixed(0)} kB, ${(total / processes).toFixed(0)} B a process`,
    );
    for (const [name, [size, count]] of [...sums].sort((a, b) => b[1][0] - a[1][0]).slice(0, 25)) {
      console.log(
        `  ${(size / 1024).toFixed(0).padStart(7)} kB ${String(count).padStart(7)} × ` +
          `${(size / processes).toFixed(0).padStart(5)} B a process  ${name}`,
      );
    }
  } finally {
    tmux("kill-session", "-t", session);
  }
}

const mode = Deno.args[0] ?? "rss";
const count = Number(Deno.args[1] ?? 3000);
const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-top-" });
const tree = await spawnTree(dir, count);
try {
  if (mode === "heap") {
    await heap(Number(Deno.args[2] ?? 20), Deno.args[3] ?? here);
  } else if (mode === "profile") {
    await profile(Number(Deno.args[2] ?? 10), Deno.args[3] ?? here);
  } else {
    const checkouts = Deno.args.slice(3);
    await rss(count, Number(Deno.args[2] ?? 3), checkouts.length > 0 ? checkouts : [here]);
  }
} finally {
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
