/**
 * The README's "Everyday tasks" table, measured: each classic command beside procpath's,
 * on a live service this script starts (a multi-threaded python3 with two children),
 * in the same run — the time of each (median of several runs), the characters typed,
 * and whether both name the same processes.
 *
 *   deno task bench:everyday [RUNS]      (default 10)
 */
import { installed, median, procpathCommand } from "./_bench_tree.ts";

const RUNS = Number(Deno.args[0] ?? 10);
const MARKER = "everyday-bench-service";
const decoder = new TextDecoder();

const SERVICE = `
import subprocess, threading, time, sys
children = [subprocess.Popen(["sleep", "600"]) for _ in range(2)]
for _ in range(3):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
print("ready", flush=True)
time.sleep(600)
`;

/** Runs a command line through the shell (as typed); returns its output and time. */
function run(line: string): { out: string; ms: number; ok: boolean } {
  const t0 = performance.now();
  const result = new Deno.Command("sh", { args: ["-c", line], stdout: "piped", stderr: "null" })
    .outputSync();
  return { out: decoder.decode(result.stdout), ms: performance.now() - t0, ok: result.success };
}

/** The numbers a line of output names as PIDs, by patterns of each tool's output. */
const pidsBy = (...patterns: RegExp[]) => (out: string) =>
  new Set(patterns.flatMap((p) => [...out.matchAll(p)].map((m) => Number(m[1]))));

interface Row {
  task: string;
  classic: string;
  procpath: string;
  /** PIDs each output names; absent where the two outputs are not comparable so. */
  pids?: [(out: string) => Set<number>, (out: string) => Set<number>];
  /** What the classic answer misses, when it is known to be partial. */
  note?: string;
}

const service = new Deno.Command("setsid", {
  args: ["python3", "-c", SERVICE, MARKER],
  stdout: "piped",
  stderr: "null",
}).spawn();
const reader = service.stdout.getReader();
await reader.read(); // "ready"
const pid = service.pid;
const [deno, ...flags] = procpathCommand();
// the procpath command as a user types it (`procpath …`) and as this run starts it
const typed = (args: string) => `procpath ${args}`;
const started = (args: string) =>
  [deno, ...flags].map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(" ") + " " + args;

const rows: Row[] = [
  {
    task: "the tree of a service, with PIDs and threads",
    classic: `pstree -pt ${pid}`,
    procpath: `query --procfs-target thread --pid ${pid}`,
    // procpath's tree: `PID name` lines, threads as `{name}(TID)` (as pstree)
    pids: [pidsBy(/\((\d+)\)/g), pidsBy(/^\D*?(\d+) /gm, /\((\d+)\)/g)],
  },
  {
    // the bracket keeps the shell that runs the command from matching itself
    task: "PIDs and command lines by pattern",
    classic: `pgrep -af ${MARKER.slice(0, -1)}[${MARKER.at(-1)}]`,
    procpath: `query -m ${MARKER.slice(0, -1)}[${MARKER.at(-1)}] --no-subtree`,
    pids: [pidsBy(/^(\d+) /gm), pidsBy(/^\D*?(\d+) /gm)],
  },
  {
    task: "the PIDs of a program",
    classic: "pidof python3",
    procpath: "query -n python3 --no-subtree --format pids-space",
    pids: [pidsBy(/(\d+)/g), pidsBy(/(\d+)/g)],
  },
  {
    task: "the top memory consumers",
    classic: "ps aux --sort=-%mem | head",
    procpath: "query --format table --columns pid,user,mem,rss,cmdline --sort -mem --limit 10",
  },
  {
    task: "the tree with job-control columns",
    classic: "ps axjf",
    procpath: "query --format tree --columns ppid,pgid,sid,tty,tpgid,state,user,cpu_time,cmdline",
  },
  {
    task: "a subtree's PIDs for strace, perf, py-spy",
    classic: `pgrep -d, -P ${pid}`,
    procpath: `query --pid ${pid} --format pids`,
    pids: [pidsBy(/(\d+)/g), pidsBy(/(\d+)/g)],
    note: "pgrep -P lists the children only: the service itself and grandchildren are missing",
  },
];
if (installed("pidstat")) {
  rows.push({
    task: "per-second CPU of a process and its children",
    classic: `pidstat -p ${pid} 1 1`,
    procpath: `top -b -i 1 -r 1 --pid ${pid}`,
  });
}

const lines = [
  "| task | classic | chars | ms | procpath | chars | ms | same processes |",
  "|---|---|---|---|---|---|---|---|",
];
try {
  for (const row of rows) {
    const [tool] = row.classic.split(" ");
    if (!installed(tool)) {
      lines.push(`| ${row.task} | \`${row.classic}\` | not installed | | | | | |`);
      continue;
    }
    const classic = Array.from({ length: RUNS }, () => run(row.classic));
    const ours = Array.from({ length: RUNS }, () => run(started(row.procpath)));
    let same = "—";
    if (row.pids) {
      const a = row.pids[0](classic[0].out), b = row.pids[1](ours[0].out);
      const missing = [...b].filter((p) => !a.has(p));
      const extra = [...a].filter((p) => !b.has(p));
      same = missing.length === 0 && extra.length === 0
        ? "yes"
        : `no: classic lacks ${missing.length}, has ${extra.length} more`;
      if (row.note && same !== "yes") same += ` (${row.note})`;
    }
    const ms = (list: { ms: number }[]) => median(list.map((r) => r.ms)).toFixed(0);
    lines.push(
      `| ${row.task} | \`${row.classic}\` | ${row.classic.length} | ${ms(classic)} | \`${
        typed(row.procpath)
      }\` | ${typed(row.procpath).length} | ${ms(ours)} | ${same} |`,
    );
  }
} finally {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch { /* gone */ }
  await service.status;
}
const empty = Deno.makeTempFileSync({ suffix: ".ts" });
const bare = Array.from({ length: RUNS }, () => run(`'${Deno.execPath()}' run -A '${empty}'`));
Deno.removeSync(empty);
console.log(lines.join("\n"));
console.log(
  `\n${RUNS} runs each; an empty deno run takes ${
    median(bare.map((r) => r.ms)).toFixed(0)
  } ms here (procpath runs from source; the compiled binary skips the module loading).`,
);
