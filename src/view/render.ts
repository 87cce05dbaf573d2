import { flattenTree } from "../tree/flatten_tree.ts";
import type { ProcessNode } from "../tree/types.ts";
import type { CellValue, Column, ColumnContext, RowSort } from "./columns.ts";
import { oneLine } from "../text/visible.ts";
import { charWidth, displayWidth } from "../text/display_width.ts";

/** The glyphs of a tree's branches: box drawing, or ASCII. */
export const BRANCHES = {
  box: { tee: "├─ ", last: "└─ ", bar: "│  ", gap: "   " },
  ascii: { tee: "|- ", last: "`- ", bar: "|  ", gap: "   " },
} as const;

/** The prefix of a node's children, from its own prefix and branch. */
export function innerPrefix(
  prefix: string,
  branch: string,
  glyph: typeof BRANCHES[keyof typeof BRANCHES],
): string {
  return prefix + (branch === glyph.tee ? glyph.bar : branch === "" ? "" : glyph.gap);
}

/** Options of the tree view. */
export interface TreeOptions {
  /** Extra columns after PID and name. */
  columns: readonly Column[];
  context: ColumnContext;
  /** ASCII branches instead of box drawing. */
  ascii?: boolean | undefined;
  /** Cut each line to this many characters (a terminal's width). */
  width?: number | undefined;
  /** Nodes are threads: show each under its process as `{name}(tid)` (needs `status.tgid`). */
  threads?: boolean;
  /**
   * With `threads`, the whole forest: a process's other threads are its siblings there,
   * not its children, so a selection alone would leave them out.
   */
  forest?: readonly ProcessNode[];
}

/** The selected nodes, each process once, outermost first (a node inside another's subtree is left out). */
export function distinctRoots(nodes: readonly ProcessNode[]): ProcessNode[] {
  const inside = new Set<ProcessNode>();
  const pending = [...nodes];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const child of node.children ?? []) {
      if (!inside.has(child)) {
        inside.add(child);
        pending.push(child);
      }
    }
  }
  const seen = new Set<unknown>();
  return nodes.filter((node) => {
    if (inside.has(node) || seen.has(node.stat.pid)) return false;
    seen.add(node.stat.pid);
    return true;
  });
}

/**
 * A line cut to `width` terminal columns, with "…" where it was cut: a wide character
 * (CJK, emoji) takes two, a combining mark none, and no character is split. Escape
 * control characters first (`oneLine`): a cut line that held one would not be `width`
 * wide on a terminal.
 */
export function cutLine(line: string, width?: number): string {
  if (width === undefined || displayWidth(line) <= width) return line;
  let used = 0, end = 0;
  for (const char of line) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    used += w;
    end += char.length;
  }
  return line.slice(0, end) + "…";
}
const cut = cutLine;

/** A thread's process: its `status.tgid` when that differs from its own id. */
const processOf = (node: ProcessNode) => {
  const tgid = node.status?.tgid;
  return typeof tgid === "number" && tgid !== node.stat.pid ? tgid : null;
};

/**
 * Renders the selected subtrees as `pstree` does, one line per process: branches,
 * PID, name, then the columns. Iterative, so any depth renders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTree } from "./render.ts";
 * const node = (pid: number, comm: string, children?: unknown[]) => ({ stat: { pid, comm }, ...(children && { children }) }) as never;
 * const context = { pageSize: 4096, clockTicks: 100, bootTime: 0, now: 0 };
 * const lines = renderTree([node(1, "init", [node(10, "a b"), node(20, "c")])], { columns: [], context });
 * assert(lines.join("\n") === "1 init\n├─ 10 a b\n└─ 20 c");
 * ```
 */
export function renderTree(nodes: readonly ProcessNode[], options: TreeOptions): string[] {
  const glyph = options.ascii ? BRANCHES.ascii : BRANCHES.box;
  // with threads, each non-main thread moves under its process, before its child processes
  const threadsOf = new Map<unknown, ProcessNode[]>();
  const present = new Set<unknown>();
  if (options.threads) {
    for (const node of flattenTree(nodes)) present.add(node.stat.pid);
    for (const node of flattenTree(options.forest ?? nodes)) {
      const process = processOf(node);
      if (process === null) continue;
      const list = threadsOf.get(process);
      if (list) list.push(node);
      else threadsOf.set(process, [node]);
    }
  }
  // a thread whose process's parent is not in the tree (a captured subtree) is a root of
  // its own, and drawn under its process already when that is drawn
  const drawnUnder = (node: ProcessNode) => {
    const process = processOf(node);
    return process !== null && present.has(process);
  };
  // each line's branches and name, and its column cells: aligned under a header once
  // the whole tree is known (a line with no columns is pstree's, unpadded)
  const entries: { label: string; cells: string[] }[] = [];
  const label = (node: ProcessNode, thread: boolean) => {
    const name = oneLine(String(node.stat.comm));
    return thread ? `{${name}}(${node.stat.pid})` : `${node.stat.pid} ${name}`;
  };
  const kids = (node: ProcessNode) => [
    ...(threadsOf.get(node.stat.pid) ?? []).map((t) => ({ node: t, thread: true })),
    ...(node.children ?? []).filter((c) => !options.threads || processOf(c) === null)
      .map((c) => ({ node: c, thread: false })),
  ];
  type Item = { node: ProcessNode; thread: boolean; prefix: string; branch: string };
  const pending: Item[] = distinctRoots(nodes).filter((node) => !drawnUnder(node)).reverse()
    .map((node) => ({ node, thread: false, prefix: "", branch: "" }));
  while (pending.length > 0) {
    const { node, thread, prefix, branch } = pending.pop()!;
    entries.push({
      label: prefix + branch + label(node, thread),
      cells: options.columns.map((c) => oneLine(c.show(c.value(node, options.context)))),
    });
    if (thread) continue;
    const below = kids(node);
    const inner = innerPrefix(prefix, branch, glyph);
    for (let i = below.length - 1; i >= 0; i--) {
      pending.push({
        ...below[i]!,
        prefix: inner,
        branch: i === below.length - 1 ? glyph.last : glyph.tee,
      });
    }
  }
  if (options.columns.length === 0) return entries.map((e) => cut(e.label, options.width));
  return alignRows(
    ["PROCESS", ...options.columns.map((c) => c.header)],
    entries.map((e) => [e.label, ...e.cells]),
    [false, ...options.columns.map((c) => c.numeric)],
    options.width,
  );
}

/** How rows are ordered and cut. */
export interface RowOptions {
  /** The order (`parseSort`); the tree's when absent. */
  sort?: RowSort | undefined;
  limit?: number | undefined;
  /** Only the selected processes, not what runs below them (as `pgrep` lists). */
  selectedOnly?: boolean;
}

/**
 * The rows of a table: one per process, values by column, sorted and limited. Rows sort
 * by the sort column's exact value (shown or not: `--sort -mem` orders by the share
 * itself, not its rounded figure), absent values last, ties in the tree's order.
 */
export function tableRows(
  nodes: readonly ProcessNode[],
  columns: readonly Column[],
  context: ColumnContext,
  options: RowOptions = {},
): CellValue[][] {
  const seen = new Set<unknown>();
  let listed = options.selectedOnly
    ? nodes.filter((node) => !seen.has(node.stat.pid) && seen.add(node.stat.pid))
    : flattenTree(distinctRoots(nodes));
  const sort = options.sort;
  if (sort) {
    const sign = sort.descending ? -1 : 1;
    const compare = (a: CellValue, b: CellValue) => {
      if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // nulls last
      return sign *
        (typeof a === "number" && typeof b === "number"
          ? a - b
          : String(a).localeCompare(String(b)));
    };
    listed = listed.map((node, i) => ({ node, i, key: sort.column.value(node, context) }))
      .sort((x, y) => compare(x.key, y.key) || x.i - y.i)
      .map(({ node }) => node);
  }
  if (options.limit !== undefined) listed = listed.slice(0, options.limit);
  return listed.map((node) => columns.map((c) => c.value(node, context)));
}

/**
 * Renders rows as an aligned table with a header, as `ps` does: numbers right, text
 * left, the last column unpadded (a command line may be long). One line per row:
 * control characters in a value (a newline in a command line) are shown as `\xHH`.
 */
export function renderTable(
  rows: readonly CellValue[][],
  columns: readonly Column[],
  width?: number,
): string[] {
  return alignRows(
    columns.map((c) => c.header),
    rows.map((row) => row.map((value, i) => oneLine(columns[i]!.show(value)))),
    columns.map((c) => c.numeric),
    width,
  );
}

/**
 * Lines of aligned columns under a header, two spaces apart: numbers right, text left
 * (the last text column unpadded), each line cut to `width`.
 */
function alignRows(
  header: readonly string[],
  cells: readonly string[][],
  numeric: readonly boolean[],
  width?: number,
): string[] {
  // in terminal columns: a wide character (CJK, emoji) takes two
  const widths = header.map((h) => displayWidth(h));
  for (const row of cells) {
    row.forEach((text, i) => widths[i] = Math.max(widths[i]!, displayWidth(text)));
  }
  const pad = (text: string, i: number) => " ".repeat(widths[i]! - displayWidth(text));
  const line = (texts: readonly string[]) =>
    cut(
      texts.map((text, i) => {
        if (numeric[i]) return pad(text, i) + text;
        return i === texts.length - 1 ? text : text + pad(text, i);
      }).join("  ").trimEnd(),
      width,
    );
  return [line(header), ...cells.map(line)];
}

/** Quotes a CSV field when it needs it (RFC 4180). */
const csvField = (text: string) => /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
/** TSV has no quoting: tabs and newlines inside a field become spaces. */
const tsvField = (text: string) => text.replace(/[\t\n\r]/g, " ");

/** Renders rows as CSV or TSV with a header: raw values, for spreadsheets and `sqlite3 .import`. */
export function renderDelimited(
  rows: readonly CellValue[][],
  columns: readonly Column[],
  separator: "," | "\t",
): string[] {
  const field = separator === "," ? csvField : tsvField;
  const text = (value: CellValue) => (value === null ? "" : String(value));
  return [
    columns.map((c) => field(c.name)).join(separator),
    ...rows.map((row) => row.map((value) => field(text(value))).join(separator)),
  ];
}
