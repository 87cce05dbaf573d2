import type { ProcessNode } from "./types.ts";

/**
 * Returns the PIDs below `pid` in the forest (not `pid` itself), parents before
 * children; empty when `pid` is not in it.
 *
 * @example
 * ```ts
 * import { descendantsOf } from "./descendants.ts";
 * const node = (pid: number, children?: unknown[]) => ({ stat: { pid }, children }) as never;
 * console.assert(descendantsOf([node(1, [node(5, [node(7)]), node(6)])], 5).join() === "7");
 * ```
 */
export function descendantsOf(roots: readonly ProcessNode[], pid: number): number[] {
  const find = (nodes: readonly ProcessNode[]): ProcessNode | undefined => {
    for (const node of nodes) {
      if (node.stat.pid === pid) return node;
      const found = find(node.children ?? []);
      if (found) return found;
    }
    return undefined;
  };
  const start = find(roots);
  const out: number[] = [];
  const walk = (node: ProcessNode) => {
    for (const child of node.children ?? []) {
      out.push(child.stat.pid as number);
      walk(child);
    }
  };
  if (start) walk(start);
  return out;
}
