export { buildForest } from "./build_forest.ts";
export { selectBranches } from "./select_branches.ts";
export { readForest } from "./read_forest.ts";
export type { ReadForestOptions } from "./read_forest.ts";
export type { ProcessForest, ProcessNode } from "./types.ts";
export { descendantNodes, descendantsOf } from "./descendants.ts";
export { dropFile, flattenTree, isProcessNode, withoutChildren } from "./flatten_tree.ts";
export { isOtherThread, processIdOf, withThreads } from "./thread_groups.ts";
