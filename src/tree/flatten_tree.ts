import type { ProcessNode } from "./types.ts";

/**
 * Returns every node at and below `roots`, parents before children (depth-first
 * pre-order), each PID once (the first occurrence wins, so overlapping query results
 * count once). An explicit stack: a chain may be as deep as the kernel allows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flattenTree } from "./flatten_tree.ts";
 * const node = (pid: number, children?: unknown[]) => ({ stat: { pid }, children }) as never;
 * const tree = node(1, [node(5, [node(7)]), node(6)]);
 * assert(flattenTree([tree, tree]).map((n) => n.stat.pid).join() === "1,5,7,6");
 * ```
 */
export function flattenTree(roots: readonly ProcessNode[]): ProcessNode[] {
  const out: ProcessNode[] = [];
  const seen = new Set<unknown>();
  const pending = [...roots].reverse();
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (seen.has(node.stat.pid)) continue;
    seen.add(node.stat.pid);
    out.push(node);
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
  }
  return out;
}

/** Whether a query result item is a whole process node (has a `stat` record). */
export function isProcessNode(item: unknown): item is ProcessNode {
  return item !== null && typeof item === "object" && !Array.isArray(item) &&
    typeof (item as { stat?: unknown }).stat === "object";
}

/** A process node's own data, without what runs below it (`--no-subtree`). */
export function withoutChildren(node: ProcessNode): ProcessNode {
  const { children: _below, ...own } = node;
  return own;
}

/**
 * Removes the procfile `file` from the nodes and everything below them, in place: one
 * read for procpath's own use, which the output must not show. For a snapshot the
 * caller owns.
 */
export function dropFile(nodes: readonly ProcessNode[], file: keyof ProcessNode): void {
  for (const node of flattenTree(nodes)) delete node[file];
}
