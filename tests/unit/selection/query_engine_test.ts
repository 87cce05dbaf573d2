import { assertEquals, assertRejects } from "../../_helpers/assert.ts";
import { fixture } from "../../_helpers/run_procpath.ts";
import { runQueryPlan, SelectionError } from "../../../src/selection/query_engine.ts";
import type { QueryPlan } from "../../../src/selection/query_engine.ts";
import { procRoot } from "../../../src/procfs/proc_root.ts";

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
