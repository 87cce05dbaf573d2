/**
 * The thread target's one model: a task's stat names its process's parent as `ppid`,
 * so a process's other threads are its siblings in the forest, not its children. A
 * process selected there brings its threads along (as `ps -T -p PID` lists them), in
 * every output; its child processes' threads are already below it (their `ppid` is it).
 * A task's process is its `status.tgid`.
 *
 * @module
 */
import { flattenTree } from "./flatten_tree.ts";
import type { ProcessNode } from "./types.ts";

/** A task's process (thread group) ID: `status.tgid`, else its own ID. */
export function processIdOf(node: ProcessNode): number {
  const tgid = node.status?.tgid;
  return typeof tgid === "number" ? tgid : node.stat.pid as number;
}

/** Whether a task is a thread other than its process's main one (needs `status.tgid`). */
export function isOtherThread(node: ProcessNode): boolean {
  return processIdOf(node) !== node.stat.pid;
}

/**
 * Returns `selected` with the other threads of every process it holds added, each
 * after the item that holds its process: with `subtree`, a process anywhere below a
 * selected node counts as held (its threads are then listed once, not inside the node
 * and again beside it). Threads are found in `forest` by `status.tgid`; without it
 * nothing is added. Items that are not process nodes pass through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withThreads } from "./thread_groups.ts";
 * const task = (pid: number, tgid: number, ppid: number, children?: unknown[]) =>
 *   ({ stat: { pid, ppid }, status: { tgid }, ...(children && { children }) }) as never;
 * // process 10 (threads 11, 12) under 1; its child 20 (thread 21) has ppid 10
 * const p10 = task(10, 10, 1, [task(20, 20, 10), task(21, 20, 10)]);
 * const forest = [task(1, 1, 0, [p10, task(11, 10, 1), task(12, 10, 1)])];
 * const pids = (nodes: { stat: { pid: unknown } }[]) => nodes.map((n) => n.stat.pid).join();
 * assert.equal(pids(withThreads<{ stat: { pid: unknown } }>([p10], forest, true)), "10,11,12");
 * // without the subtree, the child process's thread is not held
 * assert.equal(pids(withThreads<{ stat: { pid: unknown } }>([p10], forest, false)), "10,11,12");
 * ```
 */
export function withThreads<T>(
  selected: readonly T[],
  forest: readonly ProcessNode[],
  subtree: boolean,
): (T | ProcessNode)[] {
  const threadsOf = new Map<number, ProcessNode[]>();
  for (const node of flattenTree(forest)) {
    if (!isOtherThread(node)) continue;
    const tgid = processIdOf(node);
    const list = threadsOf.get(tgid);
    if (list) list.push(node);
    else threadsOf.set(tgid, [node]);
  }
  if (threadsOf.size === 0) return [...selected];
  const held = new Set<unknown>();
  const isNode = (item: unknown): item is ProcessNode =>
    item !== null && typeof item === "object" && "stat" in item;
  const nodesOf = (item: ProcessNode) => subtree ? flattenTree([item]) : [item];
  for (const item of selected) {
    if (isNode(item)) { for (const node of nodesOf(item)) held.add(node.stat.pid); }
  }
  const out: (T | ProcessNode)[] = [];
  for (const item of selected) {
    out.push(item);
    if (!isNode(item)) continue;
    for (const node of nodesOf(item)) {
      for (const thread of threadsOf.get(node.stat.pid as number) ?? []) {
        if (held.has(thread.stat.pid)) continue;
        held.add(thread.stat.pid);
        out.push(thread);
      }
    }
  }
  return out;
}
