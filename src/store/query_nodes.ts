import type { ProcFileName } from "../procfs/mod.ts";
import type { ProcessNode } from "../tree/mod.ts";
import { columnsFor } from "./schema.ts";
import { flattenNodes } from "./flatten.ts";
import { openStore } from "./open_store.ts";
import type { ResultValue } from "./open_store.ts";

/** How to lay out the nodes for SQL. */
export interface QueryNodesOptions {
  /** The procfiles the nodes carry: the `record` table's columns. */
  files: readonly ProcFileName[];
  /** The `meta` rows (`page_size`, `clock_ticks`, …) the SQL may read. */
  meta: Record<string, string>;
  /** The rows' `ts`, unix seconds. */
  ts: number;
}

/**
 * Runs one read-only statement the user wrote over process nodes: they become the rows
 * of a scratch `record` table (each process once, as `record` stores them) beside a
 * `meta` table, in memory. Returns the statement's rows; throws `SqlError`.
 */
export function queryNodes(
  nodes: readonly ProcessNode[],
  sql: string,
  options: QueryNodesOptions,
): Record<string, ResultValue>[] {
  const columns = columnsFor(options.files);
  const store = openStore(":memory:", { columns, meta: options.meta });
  try {
    store.insertSnapshot(options.ts, flattenNodes(nodes, columns));
    return store.query(sql);
  } finally {
    store.close();
  }
}
