import { flattenTree, isProcessNode } from "../tree/flatten_tree.ts";
import type { ProcessNode } from "../tree/types.ts";
import { runQuery } from "./query.ts";
import type { CompiledQuery } from "./query.ts";

/**
 * The processes a query selects in a forest and everything below them, each once,
 * parents first (no query: the whole forest); with `subtrees` false only the selected
 * processes themselves (`--no-subtree`). `whole` is false when the query also
 * selected something other than process nodes (`$..pid`): the views that need whole
 * processes refuse such a query, a metrics group counts the processes among them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileQuery } from "./query.ts";
 * import { selectProcesses } from "./select_processes.ts";
 * const roots = [{ stat: { pid: 1 }, children: [{ stat: { pid: 7 } }] }] as never;
 * const { nodes, whole } = selectProcesses(compileQuery("$..children[?(@.stat.pid == 1)]"), roots);
 * assert(whole && nodes.map((n) => n.stat.pid).join() === "1,7");
 * ```
 */
export function selectProcesses(
  query: CompiledQuery | null,
  roots: readonly ProcessNode[],
  subtrees = true,
): { nodes: ProcessNode[]; whole: boolean } {
  const selected = query ? runQuery(query, { children: roots }) : roots;
  const processes = selected.filter(isProcessNode);
  const nodes = subtrees || !query ? flattenTree(processes) : [...new Set(processes)];
  return { nodes, whole: processes.length === selected.length };
}
