import { assertEquals } from "../../_helpers/assert.ts";
import { withAncestors } from "../../../src/tree/ancestors.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const node = (pid: number, children: ProcessNode[] = []) =>
  ({ stat: { pid }, children }) as unknown as ProcessNode;
const shape = (nodes: readonly ProcessNode[]): unknown[] =>
  nodes.map((n) => [n.stat.pid, shape(n.children ?? [])]);

// 1 ─ 5 ─ 7 ─ 9, 5 ─ 8, 1 ─ 6; 2 (a second root: kernel threads under kthreadd)
const forest = () => [node(1, [node(5, [node(7, [node(9)]), node(8)]), node(6)]), node(2)];

Deno.test("withAncestors() keeps two selected processes' shared ancestors once", () => {
  assertEquals(shape(withAncestors(forest(), [node(9), node(8)])), [
    [1, [[5, [[7, [[9, []]]], [8, []]]]]],
  ]);
});

Deno.test("withAncestors() without subtrees keeps the chain between two selected processes", () => {
  assertEquals(shape(withAncestors(forest(), [node(5), node(9)], false)), [
    [1, [[5, [[7, [[9, []]]]]]]],
  ]);
});

Deno.test("withAncestors() leaves the forest as it was and returns nothing for nothing", () => {
  const before = forest();
  withAncestors(before, [node(9)], false);
  assertEquals(shape(before), shape(forest()));
  assertEquals(withAncestors(before, []), []);
  assertEquals(shape(withAncestors(before, [node(2)])), [[2, []]]);
});
