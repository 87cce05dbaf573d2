import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { fixture } from "../../_helpers/run_procpath.ts";
import { runQueryPlan, SelectionError } from "../../../src/selection/query_engine.ts";
import type { QueryPlan } from "../../../src/selection/query_engine.ts";
import { procRoot } from "../../../src/procfs/proc_root.ts";
import { parseColumns } from "../../../src/view/mod.ts";
import { statLine } from "../../_helpers/stat_line.ts";

/** Runs a plan over the browser fixture; returns the exit status and what it printed. */
async function run(
  plan: Partial<QueryPlan>,
): Promise<{ code: number; out: string; dropped: boolean }> {
  let out = "", dropped = false;
  const code = await runQueryPlan({
    environment: [],
    procfs: procRoot(fixture("browser")),
    procfsTarget: "process",
    procfileList: ["stat", "cmdline"],
    subtree: true,
    failEmpty: false,
    ...plan,
  }, {
    pid: -1,
    now: () => 0,
    info: () => {},
    warning: () => {},
    dropPermissions: () => dropped = true,
    writeOut: (text) => out += typeof text === "string" ? text : new TextDecoder().decode(text),
    stdoutIsTerminal: false,
  });
  return { code, out, dropped };
}

Deno.test("the query engine: PIDs, a tree, JSON values, and permissions dropped after the read", async () => {
  const query = "$..children[?(@.stat.pid == 111)]";
  const pids = await run({ query, format: "pids" });
  assertEquals([pids.code, pids.out, pids.dropped], [0, "111,112,113\n", true]);
  assertEquals((await run({ query, format: "pids", subtree: false })).out, "111\n");
  const tree = await run({ query, format: "tree" });
  assertEquals(tree.out.split("\n")[0], "111 python3 (x)");
  const values = await run({ query: `${query}..pid`, delimiter: "," });
  assertEquals(values.out, "111,112,113\n");
  // SQL over the selection's temporary record table
  const sql = await run({ query, sql: "SELECT COUNT(*) n FROM record" });
  assertEquals(sql.out, '[{"n": 3}]\n');
});

Deno.test("the query engine: nothing selected fails only when asked; a bad shape is refused", async () => {
  const none = "$..children[?(@.stat.pid == 999999)]";
  assertEquals((await run({ query: none, format: "pids" })).code, 0);
  assertEquals((await run({ query: none, format: "pids", failEmpty: true })).code, 1);
  await assertRejects(() => run({ query: "$..stat.comm", format: "pids" }), SelectionError);
  await assertRejects(() => run({ query: "$..stat", format: "table" }), SelectionError);
});

/**
 * A thread target's procfs tree (`<tid>/task/<tid>/…`, as `capture` writes one): process
 * 10 (threads 10, 11, 12) under 1, its child 20 (threads 20, 21) and its zombie 30.
 */
function threadTree(): string {
  const dir = Deno.makeTempDirSync();
  const template = Deno.readTextFileSync(`${fixture("browser")}/111/status`);
  const tasks = [
    [1, 1, 0, "S"],
    [10, 10, 1, "S"],
    [11, 10, 1, "S"],
    [12, 10, 1, "S"],
    [
      20,
      20,
      10,
      "S",
    ],
    [21, 20, 10, "S"],
    [30, 30, 10, "Z"],
  ] as const;
  for (const [tid, tgid, ppid, state] of tasks) {
    const base = `${dir}/${tid}/task/${tid}`;
    Deno.mkdirSync(base, { recursive: true });
    Deno.writeTextFileSync(`${base}/stat`, statLine({ pid: tid, ppid, comm: `t${tid}`, state }));
    Deno.writeTextFileSync(`${base}/cmdline`, state === "Z" ? "" : `p${tgid}\0`);
    Deno.writeTextFileSync(
      `${base}/status`,
      template.replace(/^Tgid:\t\d+/m, `Tgid:\t${tgid}`).replace(/^Pid:\t\d+/m, `Pid:\t${tid}`),
    );
  }
  return dir;
}

Deno.test("the thread target: a selected process brings its threads in every output; PIDs leave zombies out", async () => {
  const dir = threadTree();
  try {
    const threads = { procfs: procRoot(dir), procfsTarget: "thread" as const };
    const query = "$..children[?(@.stat.pid == 10)]";
    assertEquals((await run({ ...threads, query, format: "pids" })).out, "10,11,12,20,21\n");
    assertEquals(
      (await run({ ...threads, query, format: "pids", subtree: false })).out,
      "10,11,12\n",
    );
    const csv = await run({ ...threads, query, format: "csv", columns: parseColumns("pid,ppid") });
    assertEquals(csv.out, "pid,ppid\n10,1\n20,10\n21,10\n30,10\n11,1\n12,1\n");
    // JSON: the process's node (its children below it), then its threads; status, read
    // only to find each thread's process, is left out
    const json = JSON.parse((await run({ ...threads, query })).out);
    assertEquals(json.map((n: { stat: { pid: number } }) => n.stat.pid), [10, 11, 12]);
    assertEquals(JSON.stringify(json).includes("status"), false);
    const tree = await run({ ...threads, query, format: "tree" });
    assertEquals(
      tree.out,
      "10 t10\n├─ {t11}(11)\n├─ {t12}(12)\n├─ 20 t20\n│  └─ {t21}(21)\n└─ 30 t30\n",
    );
    // a thread selected by its TID is that thread alone
    const one = await run({
      ...threads,
      query: "$..children[?(@.stat.pid == 11)]",
      format: "pids",
    });
    assertEquals(one.out, "11\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
