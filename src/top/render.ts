import { BRANCHES, cutLine, innerPrefix } from "../view/render.ts";
import { formatCpuTime } from "../time/format_time.ts";
import type { ProcessRates } from "../model/rates.ts";
import { countOf } from "../text/plural.ts";
import { oneLine } from "../text/visible.ts";

/** What the view sorts by: a column's name (`cpu`, `rss`, `pid`, `user`, …). */
export type TopSort = string;

/** The sorts, by the key that selects them in the live view (htop's P, M, T; c tags). */
export const SORT_KEYS: Record<string, TopSort> = {
  m: "res",
  p: "pid",
  P: "cpu",
  M: "res",
  T: "time",
};

/** How to lay out one frame. */
export interface FrameOptions {
  tree: boolean;
  sort: TopSort;
  /** Sort the other way than the column's natural order (largest first for figures). */
  invert?: boolean | undefined;
  /** Cut lines to this many characters. */
  width?: number | undefined;
  ascii?: boolean | undefined;
  /** The columns before COMMAND; the default ones when absent. */
  columns?: readonly TopColumn[] | undefined;
  /** PIDs whose subtrees the tree view folds into their row. */
  collapsed?: ReadonlySet<number>;
  /** Only processes whose command line holds this (any case), with their ancestors in the tree. */
  filter?: string;
  /** The thread target: each row's process ID; the tree nests threads under their process. */
  processOf?: ReadonlyMap<number, number> | null | undefined;
}

/** A row's parent in the tree: a thread's process (the thread target), else its `ppid`. */
function parentOf(r: ProcessRates, processOf?: ReadonlyMap<number, number> | null): number {
  const process = processOf?.get(r.pid);
  return process !== undefined && process !== r.pid ? process : r.ppid;
}

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
 * short-lived processes shows the load it really has. Where the exited children's share
 * shows, the line splits it from the rows' (whose sum the TOTAL row prints):
 * `CPU 99.6% incl. exited: 3.1% rows + 96.5% exited children`.
 */
export function totalCpu(rates: readonly ProcessRates[]): string {
  let own = 0, reaped = 0;
  // indexed: a for-of over every process made an iterator result each (~96 KiB a refresh
  // of 3,000 processes in code V8 has not optimized, as a loop run once a second stays)
  for (let i = 0; i < rates.length; i++) {
    const r = rates[i]!;
    own += r.userPercent + r.systemPercent;
    reaped += r.reapedPercent;
  }
  const total = `CPU ${(own + reaped).toFixed(1)}% incl. exited`;
  return reaped.toFixed(1) === "0.0"
    ? total
    : `${total}: ${own.toFixed(1)}% rows + ${reaped.toFixed(1)}% exited children`;
}

/**
 * What a block or status line counts: `3 processes`; for the thread target (with
 * `processOf`, each row's process ID) `7 threads of 2 processes`.
 */
export function countLine(
  rates: readonly ProcessRates[],
  processOf?: ReadonlyMap<number, number> | null,
): string {
  if (!processOf) return countOf(rates.length, "process");
  const processes = new Set(rates.map((r) => processOf.get(r.pid) ?? r.pid));
  return `${countOf(rates.length, "thread")} of ${countOf(processes.size, "process")}`;
}

/** One column of `top`: its header, width and cell. */
export interface TopColumn {
  readonly name: string;
  readonly header: string;
  readonly width: number;
  /** Left-aligned (text) instead of right-aligned (numbers). */
  readonly text?: boolean;
  /** Procfiles it needs besides `stat`, `cmdline` and `io`. */
  readonly files?: readonly ("schedstat" | "wchan" | "status")[];
  cell(r: ProcessRates): string;
  /** What it sorts by; figures sort largest first, text and IDs in ascending order. */
  value(r: ProcessRates): number | string;
}

type ExtraFile = NonNullable<TopColumn["files"]>[number];

const oneDecimal = (n: number) => n.toFixed(1);

/**
 * A right-aligned figure: shown with `show` (one decimal by default; `-` where absent),
 * sorted by the figure itself (an absent one below every other).
 */
function figure(
  name: string,
  header: string,
  width: number,
  pick: (r: ProcessRates) => number | null,
  show: (n: number) => string = oneDecimal,
  files?: readonly ExtraFile[],
): TopColumn {
  return {
    name,
    header,
    width,
    ...(files ? { files } : {}),
    cell(r) {
      const n = pick(r);
      return n === null ? "-" : show(n);
    },
    value: (r) => pick(r) ?? -1,
  };
}

/** A left-aligned text cut to its width, `-` where absent; sorted by the text. */
function text(
  name: string,
  header: string,
  width: number,
  pick: (r: ProcessRates) => string | null,
  files?: readonly ExtraFile[],
): TopColumn {
  return {
    name,
    header,
    width,
    text: true,
    ...(files ? { files } : {}),
    // escaped before it is cut: a control character is one cell of the row, never a break
    cell: (r) => oneLine(pick(r) ?? "-").slice(0, width),
    value: (r) => pick(r) ?? "",
  };
}

const whole = String;

/**
 * Memory as htop prints it in five characters, from MiB: KiB below 100,000 (`98304`),
 * then MiB below 10,000 (`1234M`), then GiB (`97.7G`, `1234G`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatMemory } from "./render.ts";
 * assert.deepEqual(
 *   [0.5, 96, 1234, 18272, 100000, 1263616].map(formatMemory),
 *   ["512", "98304", "1234M", "17.8G", "97.7G", "1234G"],
 * );
 * ```
 */
export function formatMemory(mib: number): string {
  const kib = mib * 1024;
  if (kib < 100000) return String(Math.round(kib));
  if (Math.round(mib) < 10000) return `${Math.round(mib)}M`;
  const gib = mib / 1024;
  return gib < 99.95 ? `${gib.toFixed(1)}G` : `${Math.round(gib)}G`;
}

/** Every column `top --columns` knows, by name; COMMAND always closes the line. */
export const TOP_COLUMNS: Readonly<Record<string, TopColumn>> = {
  pid: figure("pid", "PID", 7, (r) => r.pid, whole),
  ppid: figure("ppid", "PPID", 7, (r) => r.ppid, whole),
  // live, the owner of /proc/PID (no status read); a captured tree reads status for it
  user: text("user", "USER", 9, (r) => r.user),
  // a real-time policy's priority (-100 and below) shows as RT, as in htop
  pri: figure("pri", "PRI", 3, (r) => r.priority, (n) => n <= -100 ? "RT" : String(n)),
  nice: figure("nice", "NI", 3, (r) => r.nice, whole),
  virt: figure("virt", "VIRT", 5, (r) => r.virtMib, formatMemory),
  res: figure("res", "RES", 5, (r) => r.rssMib, formatMemory),
  shr: figure("shr", "SHR", 5, (r) => r.shrMib, formatMemory, ["status"]),
  state: text("state", "S", 2, (r) => r.state),
  usr: figure("usr", "USR%", 6, (r) => r.userPercent),
  sys: figure("sys", "SYS%", 6, (r) => r.systemPercent),
  cpu: figure("cpu", "CPU%", 6, (r) => r.userPercent + r.systemPercent),
  // what it reaped from children that exited in the interval: short-lived processes
  exited: figure("exited", "EXIT%", 6, (r) => r.reapedPercent),
  time: figure("time", "TIME+", 9, (r) => r.cpuSeconds, formatCpuTime),
  rss: figure("rss", "RSS_MIB", 9, (r) => r.rssMib),
  mem: figure("mem", "MEM%", 5, (r) => r.memPercent),
  thr: figure("thr", "THR", 4, (r) => r.threads, whole),
  read: figure("read", "READ/s", 8, (r) => r.readRate, formatRate),
  write: figure("write", "WRITE/s", 8, (r) => r.writeRate, formatRate),
  // share of the interval runnable but waiting for a CPU, from schedstat
  runq: figure("runq", "RUNQ%", 6, (r) => r.waitPercent, oneDecimal, ["schedstat"]),
  wchan: text("wchan", "WCHAN", 16, (r) => r.wchan, ["wchan"]),
  // sorting only: COMMAND always closes the line, uncut
  command: {
    name: "command",
    header: "COMMAND",
    width: 0,
    text: true,
    cell: (r) => r.command,
    value: (r) => r.command,
  },
};

/** The names `--columns` takes (COMMAND closes every line and is not one of them). */
export const COLUMN_NAMES: readonly string[] = Object.keys(TOP_COLUMNS).filter((n) =>
  n !== "command"
);

/**
 * The columns the live view shows without `--columns`: htop's but SHR, the one that needs
 * `status` read for every process each refresh (2.3–2.7× procps top's CPU on 3,000
 * processes with it, 1.0× without); `C` or `--columns` adds it.
 */
export const DEFAULT_TOP_COLUMNS: readonly TopColumn[] = [
  "pid",
  "user",
  "pri",
  "nice",
  "virt",
  "res",
  "state",
  "cpu",
  "mem",
  "time",
].map((name) => TOP_COLUMNS[name]!);

/**
 * The columns batch blocks show without `--columns`: pidstat's figures (user and
 * system CPU, I/O rates), for logs and scripts that compare blocks.
 */
export const BATCH_TOP_COLUMNS: readonly TopColumn[] = [
  "pid",
  "usr",
  "sys",
  "cpu",
  "rss",
  "thr",
  "read",
  "write",
].map((name) => TOP_COLUMNS[name]!);

const align = (column: TopColumn, text: string) =>
  column.text ? text.padEnd(column.width) : text.padStart(column.width);

/** Whether a column sorts largest first unless inverted: figures do, text and IDs do not. */
const descendingByDefault = (column: TopColumn) =>
  !column.text && column.name !== "pid" && column.name !== "ppid" && column.name !== "nice";

/** The comparison of a sort: the column's order (or the other way), then PID. */
export function compareBy(
  sort: TopSort,
  invert = false,
): (a: ProcessRates, b: ProcessRates) => number {
  const column = TOP_COLUMNS[sort] ?? TOP_COLUMNS.cpu;
  const sign = descendingByDefault(column!) !== invert ? -1 : 1;
  return (a, b) => {
    const x = column!.value(a), y = column!.value(b);
    const order = typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y));
    return sign * order || a.pid - b.pid;
  };
}

/**
 * `rates` in the order of `compareBy(sort, invert)`, each row's key taken once: a
 * comparison reads two keys from an array instead of calling the column twice (CPU%'s
 * sum made a number each time: ~160 KiB a refresh of 3,000 processes).
 */
function sortedBy(
  rates: readonly ProcessRates[],
  sort: TopSort,
  invert = false,
): ProcessRates[] {
  const column = TOP_COLUMNS[sort] ?? TOP_COLUMNS.cpu!;
  const sign = descendingByDefault(column) !== invert ? -1 : 1;
  const keys = rates.map((r) => column.value(r));
  const order = new Uint32Array(rates.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((i, j) => {
    const x = keys[i]!, y = keys[j]!;
    const by = typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y));
    return sign * by || rates[i]!.pid - rates[j]!.pid;
  });
  const sorted = new Array<ProcessRates>(order.length);
  for (let i = 0; i < order.length; i++) sorted[i] = rates[order[i]!]!;
  return sorted;
}

/** The sort's marker in a header: which way the rows run. */
export function sortMarker(sort: TopSort, invert = false, ascii = false): string {
  const column = TOP_COLUMNS[sort] ?? TOP_COLUMNS.cpu;
  const down = descendingByDefault(column!) !== invert;
  return ascii ? (down ? "v" : "^") : (down ? "▼" : "▲");
}

/**
 * The column header line of a frame with `columns`; with `sort`, the sorted column's
 * header carries the marker of its direction (`CPU%▼`).
 */
export function headerLine(
  columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS,
  sort?: { by: TopSort; invert?: boolean | undefined; ascii?: boolean | undefined },
): string {
  const mark = (name: string, header: string) =>
    sort && sort.by === name ? header + sortMarker(sort.by, sort.invert, sort.ascii) : header;
  return columns.map((c) => {
    const text = mark(c.name, c.header);
    // a one-letter column has no room for the marker's padding: it grows by it
    return text.length > c.width && !c.text ? text : align(c, text);
  }).join(" ") + "  " + mark("command", "COMMAND");
}

/** One row of a frame: a process, and in the tree its branches and what it folds. */
export interface VisibleRow {
  readonly rates: ProcessRates;
  /** Tree branches before the command; empty in the table. */
  readonly prefix: string;
  /** Processes folded into this row (a collapsed subtree); 0 when none. */
  readonly folded: number;
  /** Shown only as an ancestor of a filtered process. */
  readonly context?: boolean;
}

/**
 * The line of a row: its cells, then branches, what it folds (`[+12]`) and the command.
 * A tree deeper than `maxPrefix` characters keeps its innermost branches behind `…`, so
 * that a deep process's command still shows on a narrow terminal.
 */
export function rowText(
  row: VisibleRow,
  columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS,
  maxPrefix = Infinity,
): string {
  const folded = row.folded > 0 ? `[+${row.folded}] ` : "";
  const prefix = row.prefix.length > maxPrefix
    ? "…" + row.prefix.slice(row.prefix.length - Math.max(3, maxPrefix) + 1)
    : row.prefix;
  const command = oneLine(row.rates.command);
  return [...columns.map((c) => align(c, c.cell(row.rates))), prefix + folded + command].join(" ");
}

/** The characters the cells of `columns` take before COMMAND, separators included. */
export function cellsWidth(columns: readonly TopColumn[]): number {
  return columns.reduce((sum, c) => sum + c.width + 1, 0);
}

/**
 * The rows of a frame in order: a flat table sorted as asked, or the tree (children
 * under their parents, siblings sorted as asked) with branches, collapsed subtrees
 * folded into their row; with a filter, only matching processes (and in the tree their
 * ancestors, marked as context).
 */
export function orderRows(
  rates: readonly ProcessRates[],
  options: Omit<FrameOptions, "width" | "columns">,
): VisibleRow[] {
  const compare = compareBy(options.sort, options.invert);
  const needle = options.filter?.toLowerCase() ?? "";
  const matches = (r: ProcessRates) => needle === "" || r.command.toLowerCase().includes(needle);
  if (!options.tree) {
    return sortedBy(needle === "" ? rates : rates.filter(matches), options.sort, options.invert)
      .map((r) => ({ rates: r, prefix: "", folded: 0 }));
  }
  const byPid = new Map(rates.map((r) => [r.pid, r]));
  const children = new Map<number, ProcessRates[]>();
  const roots: ProcessRates[] = [];
  const up = (r: ProcessRates) => parentOf(r, options.processOf);
  for (const r of rates) {
    const parent = up(r);
    if (byPid.has(parent) && parent !== r.pid) {
      const list = children.get(parent);
      if (list) list.push(r);
      else children.set(parent, [r]);
    } else roots.push(r);
  }
  // with a filter, a process stays when it or a descendant matches
  let kept: Set<number> | null = null;
  if (needle !== "") {
    kept = new Set();
    for (const r of rates) {
      if (!matches(r)) continue;
      for (let p: ProcessRates | undefined = r; p && !kept.has(p.pid); p = byPid.get(up(p))) {
        kept.add(p.pid);
        if (up(p) === p.pid) break;
      }
    }
  }
  const size = (pid: number): number => {
    let count = 0;
    const stack = [...(children.get(pid) ?? [])];
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (kept && !kept.has(r.pid)) continue;
      count++;
      stack.push(...(children.get(r.pid) ?? []));
    }
    return count;
  };
  const glyph = options.ascii ? BRANCHES.ascii : BRANCHES.box;
  const rows: VisibleRow[] = [];
  const visible = (list: ProcessRates[]) => kept ? list.filter((r) => kept.has(r.pid)) : list;
  const pending = visible(roots).sort(compare).reverse()
    .map((r) => ({ r, prefix: "", branch: "" }));
  while (pending.length > 0) {
    const { r, prefix, branch } = pending.pop()!;
    const folded = options.collapsed?.has(r.pid) ? size(r.pid) : 0;
    rows.push({
      rates: r,
      prefix: prefix + branch,
      folded,
      ...(kept && !matches(r) ? { context: true } : {}),
    });
    if (folded > 0) continue;
    const below = visible(children.get(r.pid) ?? []).sort(compare);
    const inner = innerPrefix(prefix, branch, glyph);
    for (let i = below.length - 1; i >= 0; i--) {
      pending.push({
        r: below[i]!,
        prefix: inner,
        branch: i === below.length - 1 ? glyph.last : glyph.tee,
      });
    }
  }
  return rows;
}

/** The PIDs of the processes that have children among `rates`: what `*` collapses. */
export function parentPids(
  rates: readonly ProcessRates[],
  processOf?: ReadonlyMap<number, number> | null,
): Set<number> {
  const pids = new Set(rates.map((r) => r.pid));
  const parents = rates.map((r) => ({ pid: r.pid, parent: parentOf(r, processOf) }));
  return new Set(
    parents.filter((p) => pids.has(p.parent) && p.parent !== p.pid).map((p) => p.parent),
  );
}

/**
 * The rows of a frame as lines: a flat table sorted as asked, or the tree (children
 * under their parents, siblings sorted as asked) with branches before each command.
 */
export function frameRows(rates: readonly ProcessRates[], options: FrameOptions): string[] {
  return orderRows(rates, options).map((row) =>
    cutLine(rowText(row, options.columns), options.width)
  );
}

/** Columns a total line sums; the others stay empty in it. */
const SUMMED = new Set([
  "virt",
  "res",
  "shr",
  "usr",
  "sys",
  "cpu",
  "exited",
  "time",
  "rss",
  "mem",
  "thr",
  "read",
  "write",
]);

/**
 * The total line under a batch block's rows (`pidstat` has none; a subtree's sum is
 * what a person adds up by hand): every summed column over the selection.
 */
export function totalLine(
  rates: readonly ProcessRates[],
  columns: readonly TopColumn[] = DEFAULT_TOP_COLUMNS,
  processOf?: ReadonlyMap<number, number> | null,
): string {
  const sum = (pick: (r: ProcessRates) => number | null, rows = rates) => {
    let total: number | null = null;
    for (const r of rows) {
      const value = pick(r);
      if (value !== null) total = (total ?? 0) + value;
    }
    return total;
  };
  // the thread target: memory and the thread count are the process's, shown on each of
  // its threads' rows, and count once per process
  const seen = new Set<number>();
  const perProcess = processOf
    ? rates.filter((r) => {
      const process = processOf.get(r.pid) ?? r.pid;
      return !seen.has(process) && seen.add(process);
    })
    : rates;
  const totals: ProcessRates = {
    ...rates[0]!,
    userPercent: sum((r) => r.userPercent) ?? 0,
    systemPercent: sum((r) => r.systemPercent) ?? 0,
    reapedPercent: sum((r) => r.reapedPercent) ?? 0,
    cpuSeconds: sum((r) => r.cpuSeconds) ?? 0,
    rssMib: sum((r) => r.rssMib, perProcess) ?? 0,
    virtMib: sum((r) => r.virtMib, perProcess) ?? 0,
    shrMib: sum((r) => r.shrMib, perProcess),
    memPercent: sum((r) => r.memPercent, perProcess) ?? 0,
    threads: sum((r) => r.threads, perProcess) ?? 0,
    readRate: sum((r) => r.readRate),
    writeRate: sum((r) => r.writeRate),
  };
  const cells = columns.map((c) =>
    c.name === "pid" ? align(c, "TOTAL") : align(c, SUMMED.has(c.name) ? c.cell(totals) : "")
  );
  return [...cells, countLine(rates, processOf)].join(" ");
}

/**
 * One block of batch output, as `pidstat` prints them: a heading line (time, counts),
 * the machine's lines (`machine`, as procps `top -b` heads its blocks; none in a
 * replay), the header, the rows and a blank line, each line ended.
 */
export function batchBlock(
  heading: string,
  rates: readonly ProcessRates[],
  options: {
    tree?: boolean | undefined;
    sort: TopSort;
    ascii?: boolean | undefined;
    columns?: readonly TopColumn[] | undefined;
    /** The thread target: each row's process ID (its threads' totals count it once). */
    processOf?: ReadonlyMap<number, number> | null | undefined;
    /** Lines between the heading and the header: the machine's load, tasks and memory. */
    machine?: readonly string[] | undefined;
  },
): string {
  const columns = options.columns ?? BATCH_TOP_COLUMNS;
  const rows = frameRows(rates, {
    tree: Boolean(options.tree),
    sort: options.sort,
    ascii: options.ascii,
    columns,
    processOf: options.processOf,
  });
  const total = rates.length > 1 ? [totalLine(rates, columns, options.processOf)] : [];
  return [heading, ...options.machine ?? [], headerLine(columns), ...rows, ...total, ""]
    .join("\n") + "\n";
}

/**
 * Resolves `top --columns` (`pid,cpu,runq,wchan`). Throws one line naming the valid
 * columns for one it does not know.
 */
export function parseTopColumns(text: string): TopColumn[] {
  const names = text.split(",").map((n) => n.trim()).filter((n) => n !== "");
  if (names.length === 0) throw new Error("at least one column is needed");
  return names.map((name) => {
    const column = COLUMN_NAMES.includes(name) ? TOP_COLUMNS[name] : undefined;
    if (!column) {
      throw new Error(`unknown column "${name}"; valid: ${COLUMN_NAMES.join(", ")}`);
    }
    return column;
  });
}
