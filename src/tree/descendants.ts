import { flattenTree } from "./flatten_tree.ts";
import type { ProcessNode } from "./types.ts";

/**
 * Returns the nodes below `pid` in the forest (not `pid` itself), parents before
 * children; empty when `pid` is not in it.
 */
export function descendantNodes(roots: readonly ProcessNode[], pid: number): ProcessNode[] {
  const pending = [...roots];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.stat.pid === pid) return flattenTree(node.children ?? []);
    pending.push(...node.children ?? []);
  }
  return [];
}

/**
 * Returns the PIDs below `pid` in the forest (not `pid` itself), parents before
 * children; empty when `pid` is not in it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { descendantsOf } from "./descendants.ts";
 * const node = (pid: number, children?: unknown[]) => ({ stat: { pid }, children }) as never;
 * assert(descendantsOf([node(1, [node(5, [node(7)]), node(6)])], 5).join() === "7");
 * ```
 */
export function descendantsOf(roots: readonly ProcessNode[], pid: number): number[] {
  return descendantNodes(roots, pid).map((node) => node.stat.pid as number);
}
