// -u/--user beside pgrep -u, and --ancestors beside pstree -s, on live processes.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, runProcpath } from "../_helpers/run_procpath.ts";
import { spawnGroup, waitFor } from "../_helpers/processes.ts";
import { NOBODY } from "../_helpers/unprivileged.ts";

const sh = (command: string) =>
  new TextDecoder().decode(new Deno.Command("sh", { args: ["-c", command] }).outputSync().stdout)
    .trim();

/** PIDs pgrep prints, ascending, comma-joined. */
const pgrep = (...args: string[]) => sh(`pgrep ${args.join(" ")} | sort -n | paste -sd,`);

/** Children of `pid`, from the kernel's list. */
const childrenOf = (pid: number) => {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
    return text === "" ? [] : text.split(" ").map(Number);
  } catch {
    return [];
  }
};

/**
 * Runs `procpath args` until pgrep, asked before and after, agreed with itself (other
 * tests start and end processes as nobody too); returns procpath's and pgrep's output.
 */
async function besidePgrep(args: string[], pgrepArgs: string[]): Promise<[string, string]> {
  let last: [string, string] = ["", ""];
  for (let attempt = 0; attempt < 8; attempt++) {
    const before = pgrep(...pgrepArgs);
    const result = await runProcpath(args);
    const after = pgrep(...pgrepArgs);
    last = [result.stdout.trim(), after];
    if (before === after && last[0] === after) return last;
  }
  return last;
}

Deno.test({
  name: "-u selects a user's processes as pgrep -u does, by name or UID, alone or narrowing -n",
  ignore: Deno.uid() !== 0,
  async fn() {
    // three sleeps as nobody, in a process group the test ends alone
    const group = spawnGroup([
      ...NOBODY,
      "sh",
      "-c",
      "sleep 301 & sleep 302 & exec sleep 303",
    ]);
    try {
      await waitFor(() => childrenOf(group.pid).length === 2);
      const ours = [group.pid, ...childrenOf(group.pid)].sort((a, b) => a - b).join(",");
      for (const user of ["nobody", "65534"]) {
        const [mine, theirs] = await besidePgrep(
          ["query", "-u", user, "--no-subtree", "--format", "pids"],
          ["-u", user],
        );
        assertEquals(mine, theirs, user);
        assertIncludes(mine, ours);
      }
      // -u narrows -n, as pgrep -u nobody -x sleep
      const [sleeps, pgrepSleeps] = await besidePgrep(
        ["query", "-u", "nobody", "-n", "sleep", "--no-subtree", "--format", "pids"],
        ["-u", "nobody", "-x", "sleep"],
      );
      assertEquals(sleeps, pgrepSleeps);
      // the default output is the tree a person reads, the user's column beside
      const tree = await runProcpath(["query", "-u", "nobody", "--columns", "pid,user,cmdline"]);
      assertEquals(tree.code, 0, tree.stderr);
      assertEquals(new RegExp(`${group.pid} +nobody`).test(tree.stdout), true, tree.stdout);
      // top, record and watch select the same
      const top = await runProcpath(["top", "-b", "-r", "1", "-i", "0.1", "-u", "nobody"]);
      for (const pid of ours.split(",")) assertIncludes(top.stdout, ` ${pid} `);
      const dir = await Deno.makeTempDir();
      try {
        const recorded = await runProcpath(
          ["record", "-r", "1", "-d", `${dir}/r.sqlite`, "-u", "nobody", "-n", "sleep"],
        );
        assertEquals(recorded.code, 0, recorded.stderr);
        const stored = await runProcpath([
          "query",
          "--recording",
          `${dir}/r.sqlite`,
          "--sql",
          `SELECT group_concat(stat_pid) pids FROM (SELECT stat_pid FROM record ` +
          `WHERE stat_pid IN (${ours}) ORDER BY stat_pid)`,
          "-d",
          ",",
        ]);
        assertEquals(stored.stdout.trim(), `{"pids": "${ours}"}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      const watched = await runProcpath(
        ["watch", "-i", "1", "-r", "1", "-u", "nobody", "-n", "sleep", "-c", "echo pids=$PIDS"],
      );
      for (const pid of ours.split(",")) assertIncludes(watched.stderr, pid);
      // inspect looks at the same processes (its selection reads status for -u too)
      const inspected = await runProcpath(
        ["inspect", "-w", "0.1", "-u", "nobody", "-n", "sleep", "--format", "json"],
      );
      assertEquals(inspected.code, 0, inspected.stderr);
      const looked = (JSON.parse(inspected.stdout).processes as { pid: number }[])
        .map((p) => p.pid);
      // the three sleeps (the group's shell became the third by exec)
      assertEquals(looked.filter((pid) => ours.split(",").includes(String(pid))).length, 3);
    } finally {
      await group.kill();
    }
    // a user with no process: exit 1 and the line that says so; an unknown name: exit 2
    for (const command of [["query"], ["top", "-b", "-r", "1"], ["metrics", "-p", "0"]]) {
      const none = await runProcpath([...command, "-u", "4242"]);
      assertEquals(none.code, 1, command[0]);
      if (command[0] !== "query") {
        assertEquals(logLines(none.stderr), ["ERROR No process matches --user 4242"]);
      }
    }
    const unknown = await runProcpath(["query", "-u", "no-such-user-xyz"]);
    assertEquals([unknown.code, logLines(unknown.stderr).length], [2, 1]);
    assertIncludes(unknown.stderr, 'no user named "no-such-user-xyz"');
    const withPath = await runProcpath(["query", "-u", "nobody", "$..children"]);
    assertEquals(withPath.code, 2);
  },
});

/** The PIDs pstree prints, in its order (`name(PID)`), threads hidden. */
const pstreePids = (pid: number) =>
  [...sh(`pstree -l -s -p -T ${pid}`).matchAll(/\((\d+)\)/g)].map((m) => Number(m[1]));

Deno.test("--ancestors draws the chain from PID 1 as pstree -s -p does, on query and top", async () => {
  // a chain of three shells and two sleeps, in a process group the test ends alone
  const group = spawnGroup([
    "sh",
    "-c",
    "sh -c 'sh -c \"sleep 311 & sleep 312; wait\"; wait' ; wait",
  ]);
  try {
    await waitFor(() => {
      const middle = childrenOf(group.pid)[0];
      const inner = middle === undefined ? undefined : childrenOf(middle)[0];
      return inner !== undefined && childrenOf(inner).length === 2;
    });
    const middle = childrenOf(group.pid)[0]!;
    const inner = childrenOf(middle)[0]!;
    const chain = pstreePids(middle);
    // pstree -s: the ancestors, the process, its subtree; procpath's tree draws the same
    const tree = await runProcpath(["query", "--pid", String(middle), "--ancestors"]);
    assertEquals(tree.code, 0, tree.stderr);
    const drawn = tree.stdout.trim().split("\n").map((line) => Number(/\d+/.exec(line)![0]));
    assertEquals(drawn, chain, `${tree.stdout}\n${sh(`pstree -l -s -p -T ${middle}`)}`);
    // each line one level deeper down to the selected process: a chain
    const depth = (line: string) => line.search(/\d/);
    const lines = tree.stdout.trim().split("\n");
    const at = drawn.indexOf(middle);
    for (let i = 1; i <= at + 1; i++) assertEquals(depth(lines[i]!) > depth(lines[i - 1]!), true);
    assertEquals(drawn[0], 1);
    const pids = await runProcpath([
      "query",
      "--pid",
      String(middle),
      "--ancestors",
      "--format",
      "pids",
    ]);
    assertEquals(pids.stdout.trim(), [...chain].sort((a, b) => a - b).join(","));
    // --no-subtree: the chain down to the process, nothing below it
    const alone = await runProcpath(
      ["query", "--pid", String(inner), "--ancestors", "--no-subtree", "--format", "pids"],
    );
    assertEquals(
      alone.stdout.trim(),
      chain.slice(0, chain.indexOf(middle) + 2).sort((a, b) => a - b).join(","),
    );
    // two selected processes share their ancestors once
    const sleeps = childrenOf(inner);
    const both = await runProcpath(
      ["query", "--pid", sleeps.join(","), "--ancestors", "--format", "pids"],
    );
    assertEquals(both.stdout.trim(), chain.sort((a, b) => a - b).join(","));
    // top draws the same chain in its tree view
    const top = await runProcpath(
      ["top", "-b", "-r", "1", "-i", "0.1", "--pid", String(middle), "--ancestors"],
    );
    // heading, the machine's two lines, header, the rows, TOTAL
    const topPids = top.stdout.trim().split("\n").slice(4, -1)
      .map((line) => Number(/\d+/.exec(line)![0]));
    assertEquals(topPids, pstreePids(middle));
    const json = await runProcpath(
      ["query", "--pid", String(middle), "--ancestors", "--format", "json"],
    );
    const roots = JSON.parse(json.stdout) as { stat: { pid: number } }[];
    assertEquals(roots.map((r) => r.stat.pid), [1]);
    const values = await runProcpath(["query", "--ancestors", "$..children..pid"]);
    assertEquals(values.code, 1);
    assertIncludes(values.stderr, "must select whole process nodes");
  } finally {
    await group.kill();
  }
});
