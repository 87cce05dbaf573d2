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
  // a sampler's records come in the listing's ascending order: used as they are, and the
  // parent found by a binary search, no copy, sort or map of every process each sample
  const nodes = ascending(records)
    ? records as readonly ProcessNode[]
    : (records as ProcessNode[]).slice()
      .sort((a, b) => (a.stat.pid as number) - (b.stat.pid as number));
  const roots: ProcessNode[] = [];
  for (const node of nodes) {
    const parent = lastWithPid(nodes, node.stat.ppid as number);
    if (parent === undefined || parent === node) {
      roots.push(node);
    } else {
      (parent.children ??= []).push(node);
    }
  }
  return roots;
}

function ascending(records: readonly ProcessRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if ((records[i - 1]!.stat.pid as number) > (records[i]!.stat.pid as number)) return false;
  }
  return true;
}

/** The last node of ascending `nodes` with this PID (a map of them would keep the last too). */
function lastWithPid(nodes: readonly ProcessNode[], pid: number): ProcessNode | undefined {
  let low = 0, high = nodes.length; // the first index whose PID is above `pid`
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((nodes[mid]!.stat.pid as number) <= pid) low = mid + 1;
    else high = mid;
  }
  const found = nodes[low - 1];
  return found !== undefined && found.stat.pid === pid ? found : undefined;
}
