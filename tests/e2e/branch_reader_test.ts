// Reading only the selected branches (through the kernel's children files) must give
// exactly what the whole scan gives: same nodes, same order, same warnings.
import { assertEquals } from "../_helpers/assert.ts";
import { fixture, runProcpath } from "../_helpers/run_procpath.ts";
import { sql } from "../_helpers/sqlite.ts";
import { descendantsOf, waitFor } from "../_helpers/processes.ts";
import { branchPidsOf, compileQuery } from "../../src/query/mod.ts";
import { createProcReader } from "../../src/procfs/mod.ts";
import { readBranches } from "../../src/tree/read_forest.ts";

const BROWSER = fixture("browser");

/** A copy of the browser fixture with `task/<pid>/children` files, as the kernel has them. */
async function withChildrenFiles(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await new Deno.Command("cp", { args: ["-r", BROWSER, `${dir}/proc`] }).output();
  const children = new Map<number, number[]>();
  const pids = [...Deno.readDirSync(`${dir}/proc`)].map((e) => e.name).filter((n) =>
    /^\d+$/.test(n)
  );
  for (const name of pids) {
    const stat = Deno.readTextFileSync(`${dir}/proc/${name}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  for (const name of pids) {
    Deno.mkdirSync(`${dir}/proc/${name}/task/${name}`, { recursive: true });
    const kids = (children.get(Number(name)) ?? []).sort((a, b) => a - b);
    Deno.writeTextFileSync(
      `${dir}/proc/${name}/task/${name}/children`,
      kids.map((k) => `${k} `).join(""),
    );
  }
  return `${dir}/proc`;
}

Deno.test("branchPidsOf() recognises the branch shapes and nothing else", () => {
  const pids = (q: string) => branchPidsOf(compileQuery(q));
  assertEquals(pids("$..children[?(@.stat.pid == 2610)]"), [2610]);
  assertEquals(pids("$..children[?(2610 == @.stat.pid)]..pid"), [2610]);
  assertEquals(pids("$..children[?(@.stat.pid in [1, 2])].stat.comm"), [1, 2]);
  for (
    const other of [
      "$..children[?(@.stat.ppid == 1)]",
      "$.children[?(@.stat.pid == 1)]",
      "$..children[?(@.stat.pid == 1 or @.stat.pid == 2)]",
      "$..stat",
      "$..children[?(@.stat.pid == 'x')]",
    ]
  ) {
    assertEquals(pids(other), null, other);
  }
});

Deno.test("the branch reader keeps what the whole scan keeps, and falls back where children files are missing", async () => {
  const proc = await withChildrenFiles();
  const withFiles = readBranches(createProcReader(proc), [108, 4, 9999])!;
  assertEquals(withFiles.map((r) => r.stat.pid), [1, 2, 4, 100, 108, 111, 112, 113]);
  assertEquals(readBranches(createProcReader(BROWSER), [108]), null);
  for (
    const args of [
      ["$..children[?(@.stat.pid == 108)]"],
      ["-d", ",", "$..children[?(@.stat.pid in [111, 4])]..pid"],
      ["-f", "stat,cmdline,status,io", "$..children[?(@.stat.pid == 100)]"],
      ["$..children[?(@.stat.pid == 108)]", "SELECT COUNT(*) n, SUM(stat_rss) rss FROM record"],
    ]
  ) {
    const whole = await runProcpath(["query", "--procfs", BROWSER, ...args]);
    const branch = await runProcpath(["query", "--procfs", proc, ...args]);
    assertEquals([branch.code, branch.stdout, branch.stderr], [
      whole.code,
      whole.stdout,
      whole.stderr,
    ], args.join(" "));
  }
  for (const args of [["-p", "108,4"], ["$..children[?(@.stat.pid == 108)]"]]) {
    const rows = async (root: string) => {
      const db = `${proc}/../${root === proc ? "branch" : "whole"}.sqlite`;
      await runProcpath(["record", "--procfs", root, "-r", "1", "-d", db, ...args]);
      return sql(db, "SELECT stat_pid, stat_comm, cmdline FROM record ORDER BY record_id");
    };
    assertEquals(await rows(proc), await rows(BROWSER), args.join(" "));
  }
  await Deno.remove(proc.replace(/\/proc$/, ""), { recursive: true });
});

Deno.test({
  name: "on the live /proc, a branch query reads the same subtree as the whole scan",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const tree = new Deno.Command("sh", {
      args: ["-c", "sleep 30 & (sleep 30 & sleep 30 & wait) & sh -c 'sleep 30 & wait' & wait"],
    }).spawn();
    // five sleeps below two shells
    await waitFor(() => descendantsOf(tree.pid).length === 7);
    const shape = ["-d", ",", `$..children[?(@.stat.pid == ${tree.pid})]..stat.comm`];
    // "and True" keeps the same selection in a shape the branch reader does not take
    const scan = ["-d", ",", `$..children[?(@.stat.pid == ${tree.pid} and True)]..stat.comm`];
    const branch = await runProcpath(["query", ...shape]);
    const whole = await runProcpath(["query", ...scan]);
    tree.kill("SIGKILL");
    await tree.status;
    assertEquals(branch.stdout, whole.stdout);
    assertEquals(branch.stdout.split(",").length, 7, branch.stdout); // sh, sleep, (sh: sleep, sleep), sh: sleep
  },
});
