import { assertEquals } from "../../_helpers/assert.ts";
import { dropFile, flattenTree, withThreads } from "../../../src/tree/mod.ts";
import type { ProcessNode } from "../../../src/tree/mod.ts";

const task = (pid: number, tgid: number | null, ppid: number, children?: ProcessNode[]) =>
  ({
    stat: { pid, ppid },
    ...(tgid !== null && { status: { tgid } }),
    ...(children && { children }),
  }) as unknown as ProcessNode;
const pids = (nodes: readonly unknown[]) => nodes.map((n) => (n as ProcessNode).stat.pid);

// 1 ─ 10 (threads 11, 12; child 20 with thread 21)
const forest = () => {
  const p10 = task(10, 10, 1, [task(20, 20, 10), task(21, 20, 10)]);
  return { p10, roots: [task(1, 1, 0, [p10, task(11, 10, 1), task(12, 10, 1)])] };
};

Deno.test("withThreads adds each held process's other threads once, after what holds it", () => {
  const { p10, roots } = forest();
  assertEquals(pids(withThreads([p10], roots, true)), [10, 11, 12]);
  // the parent selected too: 10's threads are its children there, already held
  assertEquals(pids(withThreads([roots[0]!, p10], roots, true)), [1, 10]);
  // without subtrees each node holds itself alone: 20's thread comes after 20
  const p20 = p10.children![0]!;
  assertEquals(pids(withThreads([p20, p10], roots, false)), [20, 21, 10, 11, 12]);
  // values pass through
  assertEquals(withThreads([7, "x"], roots, true), [7, "x"]);
});

Deno.test("without status.tgid nothing is taken for a thread", () => {
  const p10 = task(10, null, 1);
  assertEquals(pids(withThreads([p10], [task(1, null, 0, [p10, task(11, null, 1)])], true)), [10]);
});

Deno.test("dropFile removes a procfile from every node below", () => {
  const { roots } = forest();
  dropFile(roots, "status");
  assertEquals(flattenTree(roots).some((n) => "status" in n), false);
});
