import { flattenTree, isProcessNode } from "../tree/flatten_tree.ts";

export { isProcessNode };
import type { Column } from "./schema.ts";

/** A value as bound to SQLite. */
export type SqlValue = number | bigint | string | null;

/** A flattened process: one value per column, in column order. */
export type Row = SqlValue[];

const INT64_MAX = 9223372036854775807n;

// Tuples are lists of integers (possibly bigint), stored as compact JSON: "[1000,1000]".
function toJsonText(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(toJsonText).join(",") + "]";
  return typeof value === "bigint" ? String(value) : JSON.stringify(value);
}

/** Converts a record value to what SQLite stores: tuples as compact JSON, huge ints as hex text. */
export function toSqlValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value > INT64_MAX ? "0x" + value.toString(16) : value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" || typeof value === "string") return value;
  return toJsonText(value);
}

/**
 * Flattens query results into rows: depth-first over each node and its children,
 * each process once (first occurrence wins), values in column order. Items that
 * are not process nodes are ignored.
 */
export function flattenNodes(nodes: readonly unknown[], columns: readonly Column[]): Row[] {
  // one accessor per column, built once per call rather than per row
  const readers = columns.map(({ file, field }) =>
    field === null
      ? (node: Record<string, unknown>) => toSqlValue(node[file])
      : (node: Record<string, unknown>) =>
        toSqlValue((node[file] as Record<string, unknown> | undefined)?.[field])
  );
  const rows: Row[] = [];
  for (const node of flattenTree(nodes.filter(isProcessNode))) {
    const row: Row = new Array(readers.length);
    const data = node as unknown as Record<string, unknown>;
    for (let i = 0; i < readers.length; i++) row[i] = readers[i]!(data);
    rows.push(row);
  }
  return rows;
}
