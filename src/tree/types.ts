import type { ProcessRecord } from "../procfs/mod.ts";

/** A process in the forest; `children` exists only when it has any, ascending by PID. */
export type ProcessNode = ProcessRecord & { children?: ProcessNode[] };

/** The document queries run against: a wrapper whose only key is `children` (the roots). */
export interface ProcessForest {
  children: ProcessNode[];
}
