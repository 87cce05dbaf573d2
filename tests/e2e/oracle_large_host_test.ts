// A large host against the classic tools: at least 8,000 processes, five-digit PIDs and
// a parent of 1,500 children, whose `children` list is longer than the page a procfs
// read hands out. procpath's selection, tree and recording of that parent must list
// every child `ps --ppid`, `pgrep -P` and `pstree -p` list (#31: it gave 683 of 1,501).
import { assertEquals } from "../_helpers/assert.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { readUntil, waitFor } from "../_helpers/processes.ts";
import { sql } from "../_helpers/sqlite.ts";

const HOST = 8_000;
const CHILDREN = 1_500;
const PAGE = 4096;

/**
 * Forks a parent of `argv[1]` children (filling the host first, so the PIDs after them
 * have five digits where pid_max allows), then, once they exist, one of `argv[2]`; each
 * child pauses. Prints the second parent's PID once all its children exist, or
 * "refused" when a fork fails.
 */
const FAN_C = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
/* forks a parent of count pausing children; it writes a byte to done once they exist */
static void parent_of(int count, int done) {
  if (fork() != 0) return;
  for (int i = 0; i < count; i++) {
    pid_t child = fork();
    if (child == 0) { pause(); _exit(0); }
    if (child < 0) { printf("refused\\n"); fflush(stdout); _exit(1); }
  }
  char byte = 1;
  if (write(done, &byte, 1) != 1) _exit(1);
  pause();
  _exit(0);
}
int main(int argc, char **argv) {
  int done[2];
  char byte;
  if (pipe(done) != 0) return 1;
  parent_of(atoi(argv[1]), done[1]);
  if (read(done[0], &byte, 1) != 1) return 1;
  pid_t parent = fork();
  if (parent == 0) {
    for (int i = 0; i < atoi(argv[2]); i++) {
      pid_t child = fork();
      if (child == 0) { pause(); _exit(0); }
      if (child < 0) { printf("refused\\n"); fflush(stdout); _exit(1); }
    }
    if (write(done[1], &byte, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  if (read(done[0], &byte, 1) != 1) return 1;
  printf("%d\\n", parent);
  fflush(stdout);
  pause();
  return 0;
}
`;

const processCount = () =>
  [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).length;
const run = (command: string, args: string[]) =>
  new TextDecoder().decode(
    new Deno.Command(command, { args, stdout: "piped" }).outputSync().stdout,
  );
const pidsIn = (text: string, pattern = /\d+/g) =>
  new Set([...text.matchAll(pattern)].map((m) => Number(m[1] ?? m[0])));
const sorted = (pids: Iterable<number>) => [...pids].sort((a, b) => a - b);

/** The node of `pid` in procpath's JSON forest. */
function findNode(nodes: unknown[], pid: number): { children?: unknown[] } | null {
  for (const node of nodes as { stat: { pid: number }; children?: unknown[] }[]) {
    if (node.stat.pid === pid) return node;
    const found = findNode(node.children ?? [], pid);
    if (found) return found;
  }
  return null;
}

/** Whether this host can take 10,000 more processes (pid_max, threads-max, ulimit -u). */
function roomFor(count: number): boolean {
  const number = (path: string) => Number(Deno.readTextFileSync(path).trim());
  const perUser = Deno.uid() === 0 ? Infinity : Number(run("sh", ["-c", "ulimit -u"]).trim());
  const room = Math.min(
    number("/proc/sys/kernel/pid_max"),
    number("/proc/sys/kernel/threads-max"),
    Number.isNaN(perUser) ? Infinity : perUser,
  );
  return room - processCount() > count;
}

Deno.test({
  ...needs("a 1,500-child parent on an 8,000-process host: every child, as ps, pgrep and pstree", {
    "cc is not installed": installed("cc"),
    "ps, pgrep or pstree is not installed": ["ps", "pgrep", "pstree"].every(installed),
    "the host has no room for 10,000 more processes": roomFor(10_000),
  }),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync();
    Deno.writeTextFileSync(`${dir}/fan.c`, FAN_C);
    const built = new Deno.Command("cc", { args: ["-O2", "-o", `${dir}/fan`, `${dir}/fan.c`] })
      .outputSync();
    assertEquals(built.success, true, new TextDecoder().decode(built.stderr));
    // the test makes the 8,000 itself: other tests' processes come and go meanwhile
    const filler = HOST - CHILDREN;
    // a process group of its own (setsid execs in place), ended as one in `finally`
    const fan = new Deno.Command("setsid", {
      args: [`${dir}/fan`, String(filler), String(CHILDREN)],
      stdout: "piped",
    }).spawn();
    try {
      const { match } = await readUntil(fan.stdout, /^(\d+|refused)$/m);
      assertEquals(match[1] !== "refused", true, "a fork was refused");
      const parent = Number(match[1]);
      assertEquals(await waitFor(() => processCount() >= HOST, 30_000), true, "8,000 processes");
      // the oracles, taken before procpath's reads; the kernel's list after them is the same
      const ps = pidsIn(run("ps", ["-o", "pid=", "--ppid", String(parent)]));
      const pgrep = pidsIn(run("pgrep", ["-P", String(parent)]));
      assertEquals(sorted(pgrep), sorted(ps));
      assertEquals(ps.size, CHILDREN);
      const fiveDigits = [...ps].filter((pid) => pid >= 10_000).length;
      const listed = Deno.readTextFileSync(`/proc/${parent}/task/${parent}/children`);
      assertEquals(listed.length > PAGE, true, `children list of ${listed.length} bytes`);

      const pids = await runProcpath(["query", "--pid", String(parent), "--format", "pids"]);
      assertEquals(pids.code, 0, pids.stderr);
      assertEquals(sorted(pidsIn(pids.stdout)), sorted([parent, ...ps]));

      const json = await runProcpath(["query", "--pid", String(parent), "--format", "json"]);
      assertEquals(json.code, 0, json.stderr);
      const node = findNode(JSON.parse(json.stdout), parent);
      const children = (node?.children ?? []) as { stat: { pid: number } }[];
      assertEquals(sorted(children.map((c) => c.stat.pid)), sorted(pgrep));

      const tree = await runProcpath(["query", "--pid", String(parent), "--format", "tree"]);
      assertEquals(tree.code, 0, tree.stderr);
      const pstree = run("pstree", ["-p", String(parent)]);
      // pstree draws the parent and its children as name(PID)
      assertEquals(
        sorted(pidsIn(tree.stdout, /^[^\d]*(\d+) /gm)),
        sorted(pidsIn(pstree, /\((\d+)\)/g)),
      );

      // the whole host: every process of the group, parents included
      const group = pidsIn(run("pgrep", ["-g", String(fan.pid)]));
      const all = await runProcpath(["query", "--format", "pids"]);
      assertEquals(all.code, 0, all.stderr);
      const host = pidsIn(all.stdout);
      assertEquals([...group].filter((pid) => !host.has(pid)), []);

      // a recording of the parent, through kept files
      const db = `${dir}/large.sqlite`;
      const recorded = await runProcpath(
        ["record", "-i", "0", "-r", "1", "--no-events", "-d", db, "--pid", String(parent)],
      );
      assertEquals(recorded.code, 0, recorded.stderr);
      const rows = sql(db, "SELECT stat_pid FROM record").map((r) => Number(r.stat_pid));
      assertEquals(sorted(rows), sorted([parent, ...ps]));

      const after = pidsIn(Deno.readTextFileSync(`/proc/${parent}/task/${parent}/children`));
      assertEquals(sorted(after), sorted(ps), "no child came or went meanwhile");
      console.log(
        `host ${processCount()} processes; ${CHILDREN} children (${fiveDigits} of five ` +
          `digits), a ${listed.length}-byte children list`,
      );
    } finally {
      try {
        Deno.kill(-fan.pid, "SIGKILL");
      } catch { /* gone */ }
      await fan.status;
      await waitFor(() => run("pgrep", ["-g", String(fan.pid)]).trim() === "", 10_000);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
