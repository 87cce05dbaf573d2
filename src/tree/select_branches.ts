import type { ProcessRecord } from "../procfs/mod.ts";

/**
 * Returns the PIDs kept by the branch filter (`record -p`): every listed PID that
 * exists, its whole subtree, and its chain of ancestors up to a root. PIDs that do
 * not exist are ignored, so an empty set means none of them exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectBranches } from "./select_branches.ts";
 * const rec = (pid: number, ppid: number) => ({ stat: { pid, ppid } }) as never;
 * const kept = selectBranches([rec(1, 0), rec(10, 1), rec(11, 10), rec(20, 1)], [10, 404]);
 * assert([...kept].sort((a, b) => a - b).join() === "1,10,11");
 * ```
 */
export function selectBranches(
  records: readonly ProcessRecord[],
  branchPids: readonly number[],
): Set<number> {
  const parentOf = new Map<number, number>();
  const childrenOf = new Map<number, number[]>();
  for (const { stat } of records) {
    const pid = stat.pid as number;
    const ppid = stat.ppid as number;
    parentOf.set(pid, ppid);
    const siblings = childrenOf.get(ppid);
    if (siblings) siblings.push(pid);
    else childrenOf.set(ppid, [pid]);
  }
  const kept = new Set<number>();
  for (const pid of branchPids) {
    if (!parentOf.has(pid)) continue;
    const stack = [pid];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (kept.has(next)) continue;
      kept.add(next);
      stack.push(...childrenOf.get(next) ?? []);
    }
    for (let up = parentOf.get(pid); up !== undefined && parentOf.has(up); up = parentOf.get(up)) {
      if (kept.has(up) && up !== pid) break;
      kept.add(up);
    }
  }
  return kept;
}
