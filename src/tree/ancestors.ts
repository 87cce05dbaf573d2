/**
 * The chain from PID 1 down to each selected process, as `pstree -s` draws it: what
 * `--ancestors` shows.
 *
 * @module
 */
import type { ProcessNode } from "./types.ts";

/**
 * Returns the forest cut down to the selected processes and their ancestors: each
 * ancestor keeps only the children that lead to a selected process, and a selected
 * process keeps its whole subtree (with `subtree` false, only the children that lead to
 * another selected one). The nodes are new objects; the forest is left as it was. A
 * selected process absent from the forest (the JSONPath's copy of another read) is
 * matched by PID.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withAncestors } from "./ancestors.ts";
 * const node = (pid: number, children: unknown[] = []) => ({ stat: { pid }, children }) as never;
 * const forest = [node(1, [node(5, [node(7, [node(9)]), node(8)]), node(6)])];
 * const pids = (nodes: { stat: { pid: unknown }; children?: unknown[] }[]): unknown[] =>
 *   nodes.map((n) => [n.stat.pid, pids((n.children ?? []) as never)]);
 * assert.deepEqual(pids(withAncestors(forest, [{ stat: { pid: 7 } } as never])), [[1, [[5, [[7, [[9, []]]]]]]]]);
 * assert.deepEqual(pids(withAncestors(forest, [{ stat: { pid: 7 } } as never], false)), [[1, [[5, [[7, []]]]]]]);
 * ```
 */
export function withAncestors(
  forest: readonly ProcessNode[],
  selected: readonly ProcessNode[],
  subtree = true,
): ProcessNode[] {
  const chosen = new Set(selected.map((node) => node.stat.pid as number));
  // a node is kept when it or something below it is selected
  const leads = new Set<number>();
  const mark = (node: ProcessNode): boolean => {
    let below = false;
    for (const child of node.children ?? []) below = mark(child) || below;
    const pid = node.stat.pid as number;
    if (below || chosen.has(pid)) leads.add(pid);
    return below || chosen.has(pid);
  };
  for (const root of forest) mark(root);
  const cut = (node: ProcessNode): ProcessNode => {
    const pid = node.stat.pid as number;
    if (subtree && chosen.has(pid)) return node;
    const children = (node.children ?? []).filter((child) => leads.has(child.stat.pid as number));
    return { ...node, children: children.map(cut) };
  };
  return forest.filter((root) => leads.has(root.stat.pid as number)).map(cut);
}
