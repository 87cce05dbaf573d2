/**
 * What `inspect` watches of a selection: each process once, parents first, with its
 * depth in the selection (for the report's indentation), narrowed to `-p` PIDs when given.
 *
 * @module
 */
import { flattenTree } from "../tree/flatten_tree.ts";
import type { ProcessNode } from "../tree/types.ts";

/** The processes to watch, and the `-p` PIDs that were not there. */
export interface InspectSelection {
  processes: { pid: number; depth: number }[];
  absent: number[];
}

/**
 * Narrows `nodes` (the selection, parents first) to the `pids` given and, unless
 * `subtree` is false, what runs below them; gives each its depth within the selection.
 */
export function inspectSelection(
  nodes: readonly ProcessNode[],
  options: { pids?: readonly number[] | undefined; subtree: boolean },
): InspectSelection {
  let chosen: readonly ProcessNode[] = nodes;
  let absent: number[] = [];
  if (options.pids) {
    const wanted = new Set(options.pids);
    const roots = nodes.filter((n) => wanted.has(n.stat.pid as number));
    chosen = options.subtree ? flattenTree(roots) : roots;
    const found = new Set(chosen.map((n) => n.stat.pid as number));
    absent = options.pids.filter((pid) => !found.has(pid));
  }
  // depth within the selection, parents first (flattenTree's order)
  const depth = new Map<number, number>();
  const processes = chosen.map((node) => {
    const pid = node.stat.pid as number;
    const d = (depth.get(node.stat.ppid as number) ?? -1) + 1;
    depth.set(pid, d);
    return { pid, depth: d };
  });
  return { processes, absent };
}
