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
  // explicit stacks, not recursion: a chain may be as deep as the kernel allows
  const find = (): ProcessNode | undefined => {
    const pending = [...roots];
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (node.stat.pid === pid) return node;
      pending.push(...node.children ?? []);
    }
    return undefined;
  };
  const out: number[] = [];
  const start = find();
  const pending = start ? [...(start.children ?? [])].reverse() : [];
  while (pending.length > 0) {
    const node = pending.pop()!;
    out.push(node.stat.pid as number);
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
  }
  return out;
}
