import { assertEquals } from "../../_helpers/assert.ts";
import { buildForest, selectBranches } from "../../../src/tree/mod.ts";
import type { ProcessRecord } from "../../../src/procfs/mod.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const rec = (pid: number, ppid: number) => ({ stat: { pid, ppid } }) as unknown as ProcessRecord;
const shape = (nodes: ReturnType<typeof buildForest>): unknown =>
  nodes.map((n) => n.children ? { [n.stat.pid!]: shape(n.children) } : n.stat.pid);

Deno.test("buildForest() orders children by pid and makes invisible parents' children roots", () => {
  const roots = buildForest([
    rec(20, 1),
    rec(12, 10),
    rec(1, 0),
    rec(10, 1),
    rec(11, 10),
    rec(2, 0),
    rec(500, 499),
  ]);
  assertEquals(shape(roots), [{ 1: [{ 10: [11, 12] }, 20] }, 2, 500]);
});

Deno.test("buildForest() leaves no children key on leaves and never throws on a self-parent", () => {
  const roots = buildForest([rec(5, 5)]);
  assertEquals(roots.length, 1);
  assertEquals("children" in roots[0], false);
});

Deno.test("selectBranches() keeps subtrees and ancestor chains, ignoring unknown pids", () => {
  const records = [
    rec(1, 0),
    rec(10, 1),
    rec(11, 10),
    rec(12, 10),
    rec(20, 1),
    rec(21, 20),
    rec(2, 0),
  ];
  assertEquals([...selectBranches(records, [10, 21, 999])].sort((a, b) => a - b), [
    1,
    10,
    11,
    12,
    20,
    21,
  ]);
  assertEquals(selectBranches(records, [404]).size, 0);
  assertEquals(
    shape(buildForest(records.filter((r) => selectBranches(records, [11]).has(r.stat.pid!)))),
    [{ 1: [{ 10: [11] }] }],
  );
});

Deno.test("buildForest() links records already in PID order as it links them shuffled", () => {
  const rec = (pid: number, ppid: number) => ({ stat: { pid, ppid } }) as never;
  // written out: 1 ← 3 ← 7, 1 ← 5, 2 ← 4; 9's parent 8 is not there
  const shape = (roots: readonly ProcessNode[]): unknown =>
    roots.map((node) => [node.stat.pid, shape(node.children ?? [])]);
  const expected = [[1, [[3, [[7, []]]], [5, []]]], [2, [[4, []]]], [9, []]];
  const pairs: [number, number][] = [[1, 0], [2, 0], [3, 1], [4, 2], [5, 1], [7, 3], [9, 8]];
  assertEquals(shape(buildForest(pairs.map(([p, pp]) => rec(p, pp)))), expected);
  assertEquals(shape(buildForest(pairs.toReversed().map(([p, pp]) => rec(p, pp)))), expected);
});
