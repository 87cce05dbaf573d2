import { assertEquals } from "../../_helpers/assert.ts";
import { inspectSelection } from "../../../src/inspect/selection.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const node = (pid: number, ppid: number, children: ProcessNode[] = []): ProcessNode =>
  ({ stat: { pid, ppid }, ...(children.length ? { children } : {}) }) as unknown as ProcessNode;

Deno.test("inspect watches the selection with depths, narrowed to -p PIDs and their subtrees", () => {
  const leaf = node(3, 2), mid = node(2, 1, [leaf]), root = node(1, 0, [mid]);
  const all = [root, mid, leaf];
  assertEquals(inspectSelection(all, { subtree: true }).processes, [
    { pid: 1, depth: 0 },
    { pid: 2, depth: 1 },
    { pid: 3, depth: 2 },
  ]);
  assertEquals(inspectSelection(all, { pids: [2, 9], subtree: true }), {
    processes: [{ pid: 2, depth: 0 }, { pid: 3, depth: 1 }],
    absent: [9],
  });
  assertEquals(inspectSelection(all, { pids: [2], subtree: false }).processes, [
    { pid: 2, depth: 0 },
  ]);
});
