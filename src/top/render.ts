import { BRANCHES, cutLine, innerPrefix } from "../view/render.ts";
import type { ProcessRates } from "./sample.ts";

/** What the live view sorts by. */
export type TopSort = "cpu" | "rss" | "pid";

/** The sorts, by the key that selects them in the live view. */
export const SORT_KEYS: Record<string, TopSort> = { c: "cpu", m: "rss", p: "pid" };

/** How to lay out one frame. */
export interface FrameOptions {
  tree: boolean;
  sort: TopSort;
  /** Cut lines to this many characters. */
  width?: number;
  ascii?: boolean;
  /** The columns before COMMAND; the default ones when absent. */
  columns?: readonly TopColumn[];
}

const order: Record<TopSort, (a: ProcessRates, b: ProcessRates) => number> = {
  cpu: (a, b) =>
    (b.userPercent + b.systemPercent) - (a.userPercent + a.systemPercent) || a.pid - b.pid,
  rss: (a, b) => b.rssMib - a.rssMib || a.pid - b.pid,
  pid: (a, b) => a.pid - b.pid,
};

/** Bytes per second as a person reads them: `0`, `512`, `12.3K`, `4.0M`. */
export function formatRate(bytes: number | null): string {
  if (bytes === null) return "-";
  if (bytes < 1024) return String(Math.round(bytes));
  const units = ["K", "M", "G", "T"];
  let value = bytes / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) value /= 1024, unit++;
  return `${value.toFixed(1)}${units[unit]}`;
}

/**
 * The selection's CPU for a status line: its processes' own and what they reaped from
 * children that exited in the interval (`CPU 99.6% incl. exited`), so a subtree of
 * short-lived processes shows the load it really has.
 */
export function totalCpu(rates: readonly ProcessRates[]): string {
  let own = 0, reaped = 0;
  for (const r of rates) {
    own += r.userPercent + r.systemPercent;
    reaped += r.reapedPercent;
  }
  return `CPU ${(own + reaped).toFixed(1)}% incl. exited`;
}

/** One column of `top`: its header, width and cell. */
export interface TopColumn {
  readonly name: string;
  readonly header: string;
  readonly width: number;
  /** Left-aligned (text) instead of right-aligned (numbers). */
  readonly text?: boolean;
  /** Procfiles it needs besides `stat`, `cmdline` and `io`. */
  readonly files?: readonly ("schedstat" | "wchan")[];
  cell(r: ProcessRates): string;
}

const percent = (n: number | null) => (n === null ? "-" : n.toFixed(1));

/** Every column `top --columns` knows, by name; COMMAND always closes the line. */
export const TOP_COLUMNS: Readonly<Record<string, TopColumn>> = {
  pid: { name: "pid", header: "PID", width: 7, cell: (r) => String(r.pid) },
  ppid: { name: "ppid", header: "PPID", width: 7, cell: (r) => String(r.ppid) },
  state: { name: "state", header: "S", width: 1, text: true, cell: (r) => r.state },
  usr: { name: "usr", header: "USR%", width: 6, cell: (r) => r.userPercent.toFixed(1) },
  sys: { name: "sys", header: "SYS%", width: 6, cell: (r) => r.systemPercent.toFixed(1) },
  cpu: {
    name: "cpu",
    header: "CPU%",
    width: 6,
    cell: (r) => (r.userPercent + r.systemPercent).toFixed(1),
  },
  exited: {
    // what it reaped from children that exited in the interval: short-lived processes
    name: "exited",
    header: "EXIT%",
    width: 6,
    cell: (r) => r.reapedPercent.toFixed(1),
  },
  rss: { name: "rss", header: "RSS_MIB", width: 9, cell: (r) => r.rssMib.toFixed(1) },
  mem: { name: "mem", header: "%MEM", width: 5, cell: (r) => r.memPercent.toFixed(1) },
  thr: { name: "thr", header: "THR", width: 4, cell: (r) => String(r.threads) },
  read: { name: "read", header: "READ/s", width: 8, cell: (r) => formatRate(r.readRate) },
  write: { name: "write", header: "WRITE/s", width: 8, cell: (r) => formatRate(r.writeRate) },
  runq: {
    name: "runq",
    header: "RUNQ%",
    width: 6,
    files: ["schedstat"],
    cell: (r) => percent(r.waitPercent),
  },
  wchan: {
    name: "wchan",
    header: "WCHAN",
    width: 16,
    text: true,
    files: ["wchan"],
    cell: (r) => (r.wchan ?? "-").slice(0, 16),
  },
};

/** The columns `top` shows without `--columns`. */
export const DEFAULT_TOP_COLUMNS: readonly TopColumn[] = [
  "pid",
  "usr",
  "sys",
  "cpu",
  "rss",
  "thr",
  "read",
  "write",
].map((name) => TOP_COLUMNS[name]);

const align = (column: TopColumn, text: string) =>
  column.text ? text.padEnd(column.width) : text.padStart(column.width);

/** The column header line of a frame with `columns`. */
export function headerLine(columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS): string {
  return columns.map((c) => align(c, c.header)).join(" ") + "  COMMAND";
}

function row(
  rates: ProcessRates,
  command: string,
  columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS,
): string {
  return [...columns.map((c) => align(c, c.cell(rates))), command].join(" ");
}

const cut = cutLine;

/**
 * The rows of a frame: a flat table sorted as asked, or the tree (children under
 * their parents, siblings sorted as asked) with branches before each command.
 */
export function frameRows(rates: readonly ProcessRates[], options: FrameOptions): string[] {
  const compare = order[options.sort];
  if (!options.tree) {
    return [...rates].sort(compare).map((r) =>
      cut(row(r, r.command, options.columns), options.width)
    );
  }
  const byPid = new Map(rates.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRates[]>();
  const roots: ProcessRates[] = [];
  for (const r of rates) {
    if (byPid.has(r.ppid) && r.ppid !== r.pid) {
      const list = children.get(r.ppid);
      if (list) list.push(r);
      else children.set(r.ppid, [r]);
    } else roots.push(r);
  }
  const glyph = options.ascii ? BRANCHES.ascii : BRANCHES.box;
  const lines: string[] = [];
  const pending = roots.sort(compare).reverse().map((r) => ({ r, prefix: "", branch: "" }));
  while (pending.length > 0) {
    const { r, prefix, branch } = pending.pop()!;
    lines.push(cut(row(r, prefix + branch + r.command, options.columns), options.width));
    const below = (children.get(r.pid) ?? []).sort(compare);
    const inner = innerPrefix(prefix, branch, glyph);
    for (let i = below.length - 1; i >= 0; i--) {
      pending.push({
        r: below[i],
        prefix: inner,
        branch: i === below.length - 1 ? glyph.last : glyph.tee,
      });
    }
  }
  return lines;
}

/** Columns a total line sums; the others stay empty in it. */
const SUMMED = new Set(["usr", "sys", "cpu", "exited", "rss", "mem", "thr", "read", "write"]);

/**
 * The total line under a batch block's rows (`pidstat` has none; a subtree's sum is
 * what a person adds up by hand): every summed column over the selection.
 */
export function totalLine(
  rates: readonly ProcessRates[],
  columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS,
): string {
  const sum = (pick: (r: ProcessRates) => number | null) => {
    let total: number | null = null;
    for (const r of rates) {
      const value = pick(r);
      if (value !== null) total = (total ?? 0) + value;
    }
    return total;
  };
  const totals: ProcessRates = {
    ...rates[0],
    userPercent: sum((r) => r.userPercent) ?? 0,
    systemPercent: sum((r) => r.systemPercent) ?? 0,
    reapedPercent: sum((r) => r.reapedPercent) ?? 0,
    rssMib: sum((r) => r.rssMib) ?? 0,
    memPercent: sum((r) => r.memPercent) ?? 0,
    threads: sum((r) => r.threads) ?? 0,
    readRate: sum((r) => r.readRate),
    writeRate: sum((r) => r.writeRate),
  };
  const cells = columns.map((c) =>
    c.name === "pid" ? align(c, "TOTAL") : align(c, SUMMED.has(c.name) ? c.cell(totals) : "")
  );
  return [...cells, `${rates.length} processes`].join(" ");
}

/**
 * One block of batch output, as `pidstat` prints them: a heading line (time, counts),
 * the header, the rows and a blank line, each line ended.
 */
export function batchBlock(
  heading: string,
  rates: readonly ProcessRates[],
  options: { tree?: boolean; sort: TopSort; ascii?: boolean; columns?: readonly TopColumn[] },
): string {
  const rows = frameRows(rates, {
    tree: Boolean(options.tree),
    sort: options.sort,
    ascii: options.ascii,
    columns: options.columns,
  });
  const total = rates.length > 1 ? [totalLine(rates, options.columns)] : [];
  return [heading, headerLine(options.columns), ...rows, ...total, ""].join("\n") + "\n";
}

/**
 * Resolves `top --columns` (`pid,cpu,runq,wchan`). Throws one line naming the valid
 * columns for one it does not know.
 */
export function parseTopColumns(text: string): TopColumn[] {
  const names = text.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (names.length === 0) throw new Error("at least one column is needed");
  return names.map((name) => {
    const column = TOP_COLUMNS[name];
    if (!column) {
      throw new Error(`unknown column "${name}"; valid: ${Object.keys(TOP_COLUMNS).join(", ")}`);
    }
    return column;
  });
}

/**
 * The lines of a live frame: the status and key lines, the header and as many rows as
 * the terminal has room for.
 */
export function frameLines(
  status: string,
  keys: string,
  rates: readonly ProcessRates[],
  options: FrameOptions & { rows: number },
): string[] {
  const body = frameRows(rates, options);
  return [status, keys, headerLine(options.columns), ...body.slice(0, options.rows - 3)];
}
