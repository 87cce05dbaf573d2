import { isProcessNode } from "../tree/flatten_tree.ts";
import type { ProcessNode } from "../tree/types.ts";

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
  return new RowFlattener(columns).flatten(nodes);
}

/** A process's row and the procfile values it was made of. */
interface KeptRow {
  row: Row;
  values: unknown[];
  /** The call that last flattened it. */
  round: number;
}

/**
 * {@link flattenNodes} for a recording's samples: a process whose procfile values are
 * the very ones of the previous sample (a `stat` the reader served again because its
 * bytes had not changed, the same command line) gets the same row back, not a new one
 * — rows made every sample were a quarter of what a sample allocated. Rows returned
 * are shared: read them, never change them.
 */
export class RowFlattener {
  readonly #readers: ((node: Record<string, unknown>) => SqlValue)[];
  readonly #files: string[];
  readonly #kept = new Map<unknown, KeptRow>();
  #round = 0;

  constructor(columns: readonly Column[]) {
    // one accessor per column, built once rather than per row
    this.#readers = columns.map(({ file, field }) =>
      field === null
        ? (node: Record<string, unknown>) => toSqlValue(node[file])
        : (node: Record<string, unknown>) =>
          toSqlValue((node[file] as Record<string, unknown> | undefined)?.[field])
    );
    this.#files = [...new Set(columns.map((column) => column.file))];
  }

  /** The rows of `nodes` (see {@link flattenNodes}). */
  flatten(nodes: readonly unknown[]): Row[] {
    const round = ++this.#round;
    const files = this.#files;
    const rows: Row[] = [];
    // flattenTree's order (depth first, parents first, each PID once), its set of PIDs
    // seen kept in the rows' rounds instead of made anew each sample
    const pending: ProcessNode[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (isProcessNode(nodes[i])) pending.push(nodes[i] as ProcessNode);
    }
    while (pending.length > 0) {
      const node = pending.pop()!;
      const data = node as unknown as Record<string, unknown>;
      const pid = node.stat.pid;
      const kept = this.#kept.get(pid);
      if (kept !== undefined && kept.round === round) continue; // a PID met before
      const children = node.children;
      if (children !== undefined) {
        for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]!);
      }
      if (kept !== undefined && sameValues(kept.values, data, files)) {
        kept.round = round;
        rows.push(kept.row);
        continue;
      }
      const row = this.#rowOf(data);
      rows.push(row);
      if (kept === undefined) {
        this.#kept.set(pid, { row, values: files.map((file) => data[file]), round });
      } else {
        kept.row = row;
        for (let i = 0; i < files.length; i++) kept.values[i] = data[files[i]!];
        kept.round = round;
      }
    }
    // forget the processes this call did not see
    this.#kept.forEach((kept, pid) => {
      if (kept.round !== round) this.#kept.delete(pid);
    });
    return rows;
  }

  #rowOf(data: Record<string, unknown>): Row {
    const readers = this.#readers;
    const row: Row = new Array(readers.length);
    for (let i = 0; i < readers.length; i++) row[i] = readers[i]!(data);
    return row;
  }
}

/** Whether `data` holds the very `values` (by identity) of `files`. */
function sameValues(values: readonly unknown[], data: Record<string, unknown>, files: string[]) {
  for (let i = 0; i < files.length; i++) if (values[i] !== data[files[i]!]) return false;
  return true;
}
