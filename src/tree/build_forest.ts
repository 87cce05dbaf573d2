import type { ProcessRecord } from "../procfs/mod.ts";
import type { ProcessNode } from "./types.ts";

/**
 * Links records into a forest and returns its roots: the processes whose parent is
 * not among the records (normally PID 1 and 2), ascending by PID. Children are
 * ascending by PID too. The records themselves become the nodes (a `children` list is
 * attached to each parent), so pass records this forest may own. Never throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildForest } from "./build_forest.ts";
 * const rec = (pid: number, ppid: number) => ({ stat: { pid, ppid } }) as never;
 * const roots = buildForest([rec(10, 1), rec(1, 0), rec(7, 99)]);
 * assert(roots.map((r) => r.stat.pid).join() === "1,7");
 * assert(roots[0].children?.[0].stat.pid === 10);
 * ```
 */
export function buildForest(records: readonly ProcessRecord[]): ProcessNode[] {
  const nodes = (records as ProcessNode[]).slice()
    .sort((a, b) => (a.stat.pid as number) - (b.stat.pid as number));
  const byPid = new Map<number, ProcessNode>();
  for (const node of nodes) byPid.set(node.stat.pid as number, node);
  const roots: ProcessNode[] = [];
  for (const node of nodes) {
    const parent = byPid.get(node.stat.ppid as number);
    if (parent === undefined || parent === node) {
      roots.push(node);
    } else {
      (parent.children ??= []).push(node);
    }
  }
  return roots;
}
