// procpath's views beside the classic tools at the same moment: the thread target against
// `ps -T` and the kernel's CPU counters, a top ten by memory against `ps --sort -rss`, a
// command line with control characters against the kernel's cmdline (and one row per
// process, live in tmux too), the PIDs of a program against `pidof` with zombies present.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { descendantsOf, readUntil, spawnGroup, waitFor } from "../_helpers/processes.ts";
import { repoPath, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const hasPython = installed("python3");
const hasPs = installed("ps");
const script = (name: string) => repoPath(`tests/fixtures/oracle_views/${name}`);

/** What a command printed on stdout (it must succeed). */
function output(command: string, args: string[]): string {
  const result = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).outputSync();
  const text = new TextDecoder().decode(result.stdout);
  if (!result.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(result.stderr)}`);
  }
  return text;
}

/** The whole numbers of a text, in order. */
const numbers = (text: string) => [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
const ascending = (list: number[]) => [...list].sort((a, b) => a - b);

/** Starts a fixture script; returns it once it printed "ready". */
async function startScript(args: string[]) {
  const child = new Deno.Command("python3", { args, stdout: "piped", stderr: "null" }).spawn();
  const { rest } = await readUntil(child.stdout, /ready/);
  return {
    pid: child.pid,
    async stop() {
      for (const pid of [...descendantsOf(child.pid), child.pid]) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* gone */ }
      }
      await child.status;
      await rest;
    },
  };
}

/** Every process node's PID in a JSON result, nested ones included. */
function jsonPids(items: unknown[]): number[] {
  const pids: number[] = [];
  const pending = [...items] as { stat: { pid: number }; children?: unknown[] }[];
  while (pending.length > 0) {
    const node = pending.pop()!;
    pids.push(node.stat.pid);
    pending.push(...(node.children ?? []) as typeof pending);
  }
  return pids;
}

Deno.test({
  ...needs("thread target: pids, table, CSV, JSON and top -b list the TIDs ps -T lists", {
    "python3 is not installed": hasPython,
    "ps is not installed": hasPs,
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await startScript([script("threads.py")]);
    try {
      const child = descendantsOf(work.pid)[0]!;
      const tids = (pids: number[]) =>
        ascending(numbers(output("ps", ["-T", "-p", pids.join(","), "-o", "spid="])));
      const all = tids([work.pid, child]);
      const own = tids([work.pid]);
      assertEquals([all.length, own.length], [6, 4]);
      const thread = ["--procfs-target", "thread"];
      const pids = await runProcpath([
        "query",
        ...thread,
        "--pid",
        `${work.pid}`,
        "--format",
        "pids",
      ]);
      assertEquals(numbers(pids.stdout), all, pids.stderr);
      const alone = await runProcpath([
        "query",
        ...thread,
        "--pid",
        `${work.pid}`,
        "--no-subtree",
        "--format",
        "pids-space",
      ]);
      assertEquals(numbers(alone.stdout), own);
      const table = await runProcpath([
        "query",
        ...thread,
        "--pid",
        `${work.pid}`,
        "--format",
        "table",
        "--columns",
        "pid",
      ]);
      assertEquals(ascending(numbers(table.stdout)), all);
      const csv = await runProcpath([
        "query",
        ...thread,
        "--pid",
        `${work.pid}`,
        "--format",
        "csv",
        "--columns",
        "pid,ppid",
      ]);
      const rows = csv.stdout.trim().split("\n").slice(1).map((line) =>
        line.split(",").map(Number)
      );
      assertEquals(ascending(rows.map(([pid]) => pid!)), all);
      // a thread's ppid is its process's parent's, as ps -T prints it
      const ppids = new Map(
        output("ps", ["-T", "-p", `${work.pid},${child}`, "-o", "spid=,ppid="]).trim().split("\n")
          .map((line) => numbers(line) as [number, number]),
      );
      for (const [pid, ppid] of rows) assertEquals(ppid, ppids.get(pid!));
      const json = await runProcpath([
        "query",
        ...thread,
        `$..children[?(@.stat.pid == ${work.pid})]`,
      ]);
      assertEquals(ascending(jsonPids(JSON.parse(json.stdout))), all);
      // status was read to find each thread's process, not asked for: not in the output
      assertEquals(json.stdout.includes('"status"'), false);

      const top = await runProcpath([
        "top",
        "-b",
        ...thread,
        "--pid",
        `${work.pid}`,
        "-r",
        "1",
        "-i",
        "0.3",
      ]);
      assertEquals(top.code, 0, top.stderr);
      const lines = top.stdout.split("\n");
      assertIncludes(lines[0]!, "  6 threads of 2 processes  CPU ");
      const shown = lines.filter((line) => /^\s+\d+\s/.test(line)).map((line) => numbers(line)[0]!);
      assertEquals(ascending(shown), all);
      // memory and the thread count are each process's, counted once per process
      const total = lines.find((line) => line.trimStart().startsWith("TOTAL"))!;
      const [rss, threads] = total.trim().split(/\s+/).slice(4, 6).map(Number);
      assertEquals(threads, 6);
      const psRss = numbers(output("ps", ["-p", `${work.pid},${child}`, "-o", "rss="]));
      const mib = (psRss[0]! + psRss[1]!) / 1024;
      assertEquals(Math.abs(rss! - mib) < 0.5, true, `TOTAL ${rss} MiB, ps ${mib} MiB`);
    } finally {
      await work.stop();
    }
  },
});

Deno.test({
  ...needs("thread target: a process of 600 threads lists the TIDs ps -T lists, in pids and JSON", {
    "python3 is not installed": hasPython,
    "ps is not installed": hasPs,
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await startScript([script("threads.py"), "600"]);
    try {
      const tids = ascending(numbers(output("ps", ["-T", "-p", `${work.pid}`, "-o", "spid="])));
      assertEquals(tids.length, 601);
      const thread = ["--procfs-target", "thread", "--pid", `${work.pid}`, "--no-subtree"];
      const pids = await runProcpath(["query", ...thread, "--format", "pids"]);
      assertEquals(numbers(pids.stdout), tids, pids.stderr);
      const json = await runProcpath([
        "query",
        "--procfs-target",
        "thread",
        `$..children[?(@.stat.pid == ${work.pid})]`,
      ]);
      const child = descendantsOf(work.pid)[0]!;
      const below = numbers(output("ps", ["-T", "-p", `${child}`, "-o", "spid="]));
      assertEquals(ascending(jsonPids(JSON.parse(json.stdout))), ascending([...tids, ...below]));
    } finally {
      await work.stop();
    }
  },
});

Deno.test({
  ...needs(
    "thread target: top -b's CPU of a multi-threaded process that reaps busy children is the kernel's count",
    { "python3 is not installed": hasPython },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const work = await startScript([script("threads.py"), "reap"]);
    // the subtree's CPU as the kernel counts it (clock ticks): each live process's own and
    // what it reaped (a busy child counts as it runs, then in its parent's cutime)
    const ticksOf = (pid: number) => {
      try {
        const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]!.split(" ");
        return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      } catch {
        return 0; // exited since it was listed: its parent's cutime has it
      }
    };
    const kernelTicks = () =>
      descendantsOf(work.pid).reduce((sum, pid) => sum + ticksOf(pid), 0) + ticksOf(work.pid);
    const top = spawnProcpath([
      "top",
      "-b",
      "--procfs-target",
      "thread",
      "--pid",
      `${work.pid}`,
      "-r",
      "4",
      "-i",
      "1",
    ]);
    try {
      // each block is written as its sample is read: the kernel's count is read as it
      // arrives, and the time between two arrivals is the block's interval
      const blocks: { heading: string; at: number; ticks: number }[] = [];
      let text = "";
      for await (const chunk of top.stdout.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        for (const line of text.split("\n").filter((l) => l.includes(" incl. exited"))) {
          if (blocks.some((b) => b.heading === line)) continue;
          blocks.push({ heading: line, at: performance.now(), ticks: kernelTicks() });
        }
      }
      assertEquals((await top.status).code, 0);
      assertEquals(blocks.length, 4, text);
      const cpus = navigator.hardwareConcurrency;
      let counted = 0;
      blocks.forEach((block, i) => {
        const percent = Number(/CPU ([\d.]+)%/.exec(block.heading)![1]);
        // no block claims more than the machine has (tick rounding aside)
        assertEquals(percent <= cpus * 100 * 1.1, true, block.heading);
        // % of a core over the block's seconds, in ticks (100 a second)
        if (i > 0) counted += percent * (block.at - blocks[i - 1]!.at) / 1000;
      });
      const kernel = blocks.at(-1)!.ticks - blocks[0]!.ticks;
      // each thread's stat repeats its process's reaped CPU: counted on every thread, it
      // came to 3.4 times the kernel's here; counted once, 0.69–1.24 times beside two busy
      // loops (each interval's ends are the blocks' arrivals, not the reads' moments)
      const within = counted <= kernel * 1.6 + 15 && counted >= kernel * 0.5 - 15;
      assertEquals(within, true, `top ${counted.toFixed(0)} ticks, kernel ${kernel}\n${text}`);
      // the heading splits what exited children used from the rows' TOTAL when they differ
      for (const block of text.split("\n\n").filter((b) => b.includes("TOTAL"))) {
        const [heading] = block.split("\n");
        const total = Number(/CPU ([\d.]+)%/.exec(heading!)![1]);
        const rows = Number(
          block.split("\n").find((l) => l.trimStart().startsWith("TOTAL"))!.trim().split(/\s+/)[3],
        );
        if (Math.abs(total - rows) >= 0.15) assertIncludes(heading!, "exited children");
      }
    } finally {
      try {
        top.kill("SIGKILL");
      } catch { /* ended */ }
      await top.status;
      await work.stop();
    }
  },
});

Deno.test({
  ...needs("the top ten by memory is ps --sort -rss's, figures exact and ties in any order", {
    "python3 is not installed": hasPython,
    "ps is not installed": hasPs,
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // twelve processes holding 5–12 MiB, the larger started later (a higher PID: the
    // tree's order is the wrong one), three of 5 MiB across the tenth place and two pairs
    // (ties), beside 200 sleeps of one size; on 24 GiB they all show the same %MEM
    const sizes = [5, 5, 5, 6, 7, 8, 9, 10, 11, 11, 12, 12];
    const ladder = sizes.map((mib) => `python3 ${script("resident.py")} ${mib} &`).join(" ");
    const group = spawnGroup([
      "sh",
      "-c",
      `${ladder} for i in $(seq 200); do sleep 600 & done; wait`,
    ]);
    try {
      const members = () => [group.pid, ...descendantsOf(group.pid)];
      const psRows = () => {
        const rows = output("ps", ["-o", "pid=,rss=", "--sort", "-rss", "-p", members().join(",")])
          .trim().split("\n").map((line) => numbers(line) as [number, number]);
        return rows;
      };
      // settled: every process there and no resident size still growing
      let settled: [number, number][] = [];
      const ready = await waitFor(() => {
        if (members().length !== 213) return false;
        const first = psRows();
        const again = psRows();
        settled = again;
        return JSON.stringify(first) === JSON.stringify(again) && again[11]![1] > 1024 * 9;
      }, 30000);
      assertEquals(ready, true, `${members().length} processes`);
      for (const format of ["csv", "table"]) {
        const result = await runProcpath([
          "query",
          "--pid",
          `${group.pid}`,
          "--format",
          format,
          "--columns",
          "pid,rss,mem",
          "--sort",
          "-mem",
          "--limit",
          "10",
        ]);
        assertEquals(result.code, 0, result.stderr);
        const ours = result.stdout.trim().split("\n").slice(1).map((line) =>
          format === "csv" ? line.split(",").map(Number) : line.trim().split(/\s+/).map(Number)
        );
        assertEquals(ours.length, 10);
        // ps's ten figures in ps's order, each PID with the figure ps has for it: processes
        // of equal RSS may come in any order (the CSV's MiB is exact, the table's rounded)
        const psRss = new Map(settled);
        const figure = (kib: number) => format === "csv" ? kib : Number((kib / 1024).toFixed(1));
        assertEquals(ours.map(([, mib]) => format === "csv" ? Math.round(mib! * 1024) : mib), [
          ...settled.slice(0, 10).map(([, rss]) => figure(rss)),
        ]);
        for (const [pid, mib] of ours) {
          const shown = format === "csv" ? Math.round(mib! * 1024) : mib;
          assertEquals(figure(psRss.get(pid!)!), shown, `PID ${pid}`);
        }
      }
    } finally {
      await group.kill();
    }
  },
});

/** A command line with a newline, a tab and an escape sequence, and a marker of its own. */
function oddCommand(marker: string): string {
  // then wide characters (two columns each on a terminal) past any width
  return `sleep 600; : '${marker}\nline2\tcol\x1b[31mred${"日本語のプロセス🚀".repeat(12)}'`;
}
const ESCAPED = "\\x0aline2\\x09col\\x1b[31mred";

Deno.test({
  ...needs(
    "a command line with \\n, \\t and ESC: one row in table, tree and top -b; exact in CSV and JSON",
    {
      "ps is not installed": hasPs,
    },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const marker = `oracle-${crypto.randomUUID().slice(0, 8)}`;
    const group = spawnGroup(["sh", "-c", oddCommand(marker)]);
    const cmdline = () => Deno.readTextFileSync(`/proc/${group.pid}/cmdline`);
    try {
      assertEquals(
        await waitFor(() => cmdline().includes("line2") && descendantsOf(group.pid).length === 1),
        true,
      );
      // the kernel's command line, as procpath joins it (arguments by spaces)
      const kernel = cmdline().replaceAll("\0", " ").trim();
      const pid = `${group.pid}`;
      const table = await runProcpath([
        "query",
        "--pid",
        pid,
        "--no-subtree",
        "--format",
        "table",
        "--columns",
        "pid,cmdline",
      ]);
      assertEquals(table.stdout.split("\n").length, 3, table.stdout); // header, row, end
      assertIncludes(table.stdout, marker + ESCAPED);
      const tree = await runProcpath([
        "query",
        "--pid",
        pid,
        "--format",
        "tree",
        "--columns",
        "cmdline",
      ]);
      assertEquals(tree.stdout.trimEnd().split("\n").length, 3, tree.stdout); // header, sh, sleep
      assertIncludes(tree.stdout, marker + ESCAPED);
      const top = await runProcpath(["top", "-b", "--pid", pid, "-r", "1", "-i", "0.2"]);
      const block = top.stdout.trimEnd().split("\n");
      // heading, the machine's two lines, header, sh, sleep, TOTAL
      assertEquals(block.length, 7, top.stdout);
      assertEquals(block.filter((line) => line.includes(marker)).length, 1);
      assertIncludes(top.stdout, marker + ESCAPED);
      const csv = await runProcpath([
        "query",
        "--pid",
        pid,
        "--no-subtree",
        "--format",
        "csv",
        "--columns",
        "pid,cmdline",
      ]);
      assertEquals(csv.stdout, `pid,cmdline\n${pid},"${kernel.replaceAll('"', '""')}"\n`);
      const json = await runProcpath(["query", `$..children[?(@.stat.pid == ${pid})]`]);
      assertEquals(JSON.parse(json.stdout)[0].cmdline, kernel);
    } finally {
      await group.kill();
    }
  },
});

Deno.test({
  ...needs(
    "live top: a command line with \\n, \\t and ESC keeps one row and the status line at 160 columns",
    {
      "tmux is not installed": installed("tmux"),
    },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const marker = `oracle-${crypto.randomUUID().slice(0, 8)}`;
    const group = spawnGroup(["sh", "-c", oddCommand(marker)]);
    const session = `procpath-oracle-${crypto.randomUUID().slice(0, 8)}`;
    const screen = () =>
      tmux("capture-pane", "-p", "-J", "-t", session).split("\n").map((l) => l.trimEnd());
    try {
      await waitFor(() => descendantsOf(group.pid).length === 1);
      newSession(session, "-x", "160", "-y", "40", "-c", repoPath(""));
      tmux("send-keys", "-t", session, `scripts/procpath top --pid ${group.pid}`, "Enter");
      const drawn = await waitFor(() => screen().some((line) => line.includes(marker)), 20000);
      assertEquals(drawn, true, screen().join("\n"));
      const lines = screen();
      assertEquals(lines[0]!.startsWith("procpath top"), true, lines.join("\n"));
      const rows = lines.filter((line) => line.includes(marker));
      assertEquals(rows.length, 1, lines.join("\n"));
      assertIncludes(rows[0]!, marker + "\\x0aline2");
      // nothing wrapped: the terminal's own lines (no -J) under the column header are rows
      // (PID first), blank, or the key line; a wrapped row would go on in CJK text
      const raw = tmux("capture-pane", "-p", "-t", session).split("\n");
      const below = raw.slice(raw.findIndex((line) => line.includes("COMMAND")) + 1);
      for (const line of below) {
        const ok = line.trim() === "" || /^\s+\d+ /.test(line) || line.includes("q quit");
        assertEquals(ok, true, raw.join("\n"));
      }
      tmux("send-keys", "-t", session, "q", "");
      await waitFor(() => !screen()[0]!.startsWith("procpath top"));
    } finally {
      tmux("kill-session", "-t", session);
      await group.kill();
    }
  },
});

Deno.test({
  ...needs("the PIDs of a program are pidof's: its zombies left out (pgrep lists them)", {
    "python3 is not installed": hasPython,
    "pidof is not installed": installed("pidof"),
    "pgrep is not installed": installed("pgrep"),
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      // a program name no other process has: a copy of sleep
      const name = `pz${crypto.randomUUID().slice(0, 6)}`;
      const sleep = output("sh", ["-c", "command -v sleep"]).trim();
      await Deno.copyFile(sleep, `${dir}/${name}`);
      await Deno.chmod(`${dir}/${name}`, 0o755);
      const work = await startScript([script("zombies.py"), `${dir}/${name}`]);
      try {
        const pidof = ascending(numbers(output("pidof", [name])));
        const pgrep = ascending(numbers(output("pgrep", ["-x", name])));
        assertEquals([pidof.length, pgrep.length], [3, 5]);
        const ours = await runProcpath([
          "query",
          "-n",
          name,
          "--no-subtree",
          "--format",
          "pids-space",
        ]);
        assertEquals(numbers(ours.stdout), pidof, ours.stderr);
        // the zombies are there, and shown where a state is
        const table = await runProcpath([
          "query",
          "-n",
          name,
          "--format",
          "table",
          "--columns",
          "pid,state",
        ]);
        assertEquals(table.stdout.split("\n").filter((line) => / Z$/.test(line)).length, 2);
        // a subtree's PIDs (for strace -p, kill) leave its zombies out too
        const subtree = await runProcpath(["query", "--pid", `${work.pid}`, "--format", "pids"]);
        assertEquals(numbers(subtree.stdout), ascending([work.pid, ...pidof]));
      } finally {
        await work.stop();
      }
    });
  },
});
