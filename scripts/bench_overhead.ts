/**
 * The CPU a monitoring tool costs, beside its peers, in the same run: on a host of
 * ~3,000 extra sleeping processes each tool runs alone for DURATION seconds at a 1 s
 * interval, and `/usr/bin/time` reports the CPU of it and everything it waited for.
 * Prints % of one core and the ratio to procps `top -b -d 1`, twice: over the whole
 * window (start-up included, as `/usr/bin/time` sees it) and in the steady state (the
 * CPU the tool's processes used from 5 s after the start to the end of the window, read
 * from their `/proc/PID/stat`). Peers that are not installed (htop, pidstat, atop) are
 * left out with a note. Terminal tools run in a 160×50 tmux window.
 *
 *   deno task bench:overhead [DURATION] [PROCESSES] [ROUNDS] [record]
 *   (defaults 30, 3000, 1; `record`: procps top and procpath record's layouts alone)
 *
 * With ROUNDS > 1 every tool runs once a round, in the same order each round (the
 * tools interleaved, so a change of the host's load falls on all of them), and each
 * cell is the range over the rounds.
 */
import { descendants, installed, procpathCommand, spawnTree } from "./_bench_tree.ts";

const DURATION = Number(Deno.args[0] ?? 30);
/** Seconds after the start when the steady state's measure begins. */
const SETTLE = 5;
const CLOCK_TICKS = 100;
const COUNT = Number(Deno.args[1] ?? 3000);
const ROUNDS = Number(Deno.args[2] ?? 1);
const RECORD_ONLY = Deno.args[3] === "record";

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** CPU of a measure, % of one core: the whole window, and the steady state. */
interface Cpu {
  whole: number;
  steady: number;
}

/** Clock ticks of user and system time of the processes below `root`. */
function ticksBelow(root: number): number {
  let ticks = 0;
  for (const pid of descendants(root)) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    } catch {
      // ended meanwhile
    }
  }
  return ticks;
}

/**
 * The steady state's CPU of what runs below `root`: from SETTLE s after the start to
 * one second before the window closes, % of one core.
 */
async function steadyBelow(root: number): Promise<number> {
  await new Promise((r) => setTimeout(r, SETTLE * 1000));
  const from = ticksBelow(root);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, (DURATION - SETTLE - 1) * 1000));
  const seconds = (performance.now() - started) / 1000;
  return 100 * (ticksBelow(root) - from) / CLOCK_TICKS / seconds;
}

/**
 * Runs `line` through `sh` for DURATION seconds under `/usr/bin/time` (SIGINT at the
 * end, as Ctrl+C); returns its CPU as % of one core over the wall time and in the
 * steady state.
 */
async function measure(line: string, dir: string, terminal: boolean): Promise<Cpu> {
  const out = `${dir}/time-${crypto.randomUUID().slice(0, 8)}`;
  // a terminal program stays in the terminal's foreground process group: else its reads stop it
  // (htop ignores SIGINT: a terminal tool gets SIGTERM, and SIGKILL 2 s later)
  const timeout = terminal ? "timeout --foreground -k 2 -s TERM" : "timeout -s INT";
  let steady = 0;
  const timed = `/usr/bin/time -o ${out} -f '%U %S %e' ${timeout} ${DURATION} sh -c ${
    quote(`exec ${line}`)
  } > /dev/null 2>&1`;
  if (terminal) {
    const session = `bench-${crypto.randomUUID().slice(0, 8)}`;
    const tmux = (...args: string[]) => new Deno.Command("tmux", { args }).outputSync();
    tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "50");
    const pane = Number(
      new TextDecoder().decode(tmux("list-panes", "-t", session, "-F", "#{pane_pid}").stdout),
    );
    tmux("send-keys", "-t", session, `${timed.replace(" > /dev/null 2>&1", "")}; exit`, "Enter");
    steady = await steadyBelow(pane);
    while (!exists(out) || Deno.readTextFileSync(out).trim() === "") {
      await new Promise((r) => setTimeout(r, 500));
    }
    tmux("kill-session", "-t", session);
  } else {
    const child = new Deno.Command("sh", { args: ["-c", timed] }).spawn();
    steady = await steadyBelow(child.pid);
    await child.status;
  }
  const fields = Deno.readTextFileSync(out).trim().split("\n").at(-1)!.split(" ").map(Number);
  const [user = 0, system = 0, wall = DURATION] = fields;
  return { whole: 100 * (user + system) / wall, steady };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const dir = Deno.makeTempDirSync({ prefix: "procpath-overhead-" });
const tree = await spawnTree(dir, COUNT);
const procpath = [procpathCommand()[0], ...procpathCommand().slice(1)].map(quote).join(" ");
const hosts = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
const rows: {
  tool: string;
  line: string;
  terminal?: boolean;
  needs?: string;
  /** Runs beside the tool, outside the measure (a scraper), and is ended with it. */
  beside?: string;
}[] = [
  { tool: "procps `top -b -d 1`", line: "top -b -d 1" },
  { tool: "htop (160×50)", line: "htop -d 10", terminal: true, needs: "htop" },
  { tool: "`pidstat -p ALL 1`", line: "pidstat -p ALL 1", needs: "pidstat" },
  { tool: "`atop -w raw 1`", line: `atop -w ${dir}/atop.raw 1`, needs: "atop" },
  { tool: "`procpath top -b -i 1`", line: `${procpath} top -b -i 1` },
  { tool: "`procpath top -i 1` (160×50)", line: `${procpath} top -i 1`, terminal: true },
  {
    tool: "`procpath record -i 1` of the whole host (stat, cmdline)",
    line: `${procpath} record -i 1 -d ${dir}/r.sqlite`,
  },
  {
    tool: "the same, `--no-events`",
    line: `${procpath} record -i 1 --no-events -d ${dir}/r2.sqlite`,
  },
  {
    tool: "the same, `--compact`",
    line: `${procpath} record -i 1 --compact -d ${dir}/r3.sqlite`,
  },
  {
    tool: "`procpath metrics`, scraped every second",
    line: `${procpath} metrics -p 9871`,
    beside: "while :; do curl -s localhost:9871/metrics > /dev/null; sleep 1; done",
    needs: "curl",
  },
];
const chosen = RECORD_ONLY
  ? rows.filter((row) => row.tool.startsWith("procps") || row.line.includes(" record "))
  : rows;
const results: [string, Cpu[] | string][] = chosen.map((row) => [row.tool, []]);
const loads: string[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "));
    for (const [at, row] of chosen.entries()) {
      if (row.needs && !installed(row.needs)) {
        results[at]![1] = `${row.needs} is not installed`;
        continue;
      }
      if (row.terminal && !installed("tmux")) {
        results[at]![1] = "tmux is not installed";
        continue;
      }
      const beside = row.beside
        ? new Deno.Command("setsid", { args: ["sh", "-c", row.beside], stdout: "null" }).spawn()
        : null;
      try {
        (results[at]![1] as Cpu[]).push(await measure(row.line, dir, Boolean(row.terminal)));
      } finally {
        if (beside) {
          Deno.kill(-beside.pid, "SIGKILL"); // its own process group (setsid)
          await beside.status;
        }
      }
    }
  }
} finally {
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
const base = results[0]![1] as Cpu[];
/** The range of a figure over the rounds ("3.1" for one round, "3.1–3.4" for more). */
const range = (values: number[], digits: number) => {
  const low = Math.min(...values).toFixed(digits), high = Math.max(...values).toFixed(digits);
  return low === high ? low : `${low}–${high}`;
};
console.log(
  `${hosts} processes on the host, ${DURATION} s each, ${ROUNDS} round(s) (load at each ` +
    `round's start: ${loads.join("; ")}); CPU of the tool and its children, ` +
    `% of one core: the whole window, and from ${SETTLE} s on (steady); a ratio is to ` +
    "procps top's run in the same round",
);
console.log(
  "| tool | whole window | × procps top | steady | × procps top |\n| --- | --- | --- | --- | --- |",
);
for (const [tool, value] of results) {
  console.log(
    typeof value === "string"
      ? `| ${tool} | (${value}) | | | |`
      : `| ${tool} | ${range(value.map((v) => v.whole), 1)} | ${
        range(value.map((v, i) => v.whole / base[i]!.whole), 2)
      } | ${range(value.map((v) => v.steady), 1)} | ${
        range(value.map((v, i) => v.steady / base[i]!.steady), 2)
      } |`,
  );
}
