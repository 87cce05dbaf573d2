import { displayCommand } from "../model/process.ts";
import type { KernelUnits } from "../model/process.ts";
import { UsageFailure } from "../exit_codes.ts";
import { formatAge, formatDuration, formatLocalTime } from "../time/format_time.ts";

export { formatAge, formatDuration, formatLocalTime };
import { PROC_FILE_NAMES } from "../procfs/types.ts";
import { toNumber } from "../procfs/int.ts";
import type { ProcessRecord, ProcFileName } from "../procfs/types.ts";

/** Facts a column needs to turn kernel units into human ones. */
export interface ColumnContext extends KernelUnits {
  /** When the machine booted, unix seconds (stat's `starttime` counts from it); NaN when unknown. */
  bootTime: number;
  /** Now, unix seconds (for `age`). */
  now: number;
  /** User names by uid (for `user`), from the machine's `/etc/passwd`. */
  userNames?: ReadonlyMap<number, string> | undefined;
  /** The machine's memory, bytes (for `mem`). */
  memoryBytes?: number | undefined;
}

/**
 * The name of a terminal from `stat.tty_nr`, as ps shows it: `pts/3`, `tty1`, `ttyS0`,
 * `?` for none (the kernel's major and minor numbers, devices.txt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ttyName } from "./columns.ts";
 * assert.deepEqual([ttyName(34816), ttyName(34819), ttyName(1025), ttyName(0)], ["pts/0", "pts/3", "tty1", "?"]);
 * ```
 */
export function ttyName(ttyNr: number | null): string {
  if (!ttyNr) return "?";
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return `${major}:${minor}`;
}

/** A value a column gives for sorting and machine output. */
export type CellValue = number | string | null;

/** One column of the readable outputs. */
export interface Column {
  readonly name: string;
  readonly header: string;
  /** Procfiles it reads (read automatically when `-f` leaves them out). */
  readonly files: readonly ProcFileName[];
  /** Numbers align right and sort numerically. */
  readonly numeric: boolean;
  /** The raw value (CSV, sorting), in the unit the header names. */
  value(node: ProcessRecord, context: ColumnContext): CellValue;
  /** The value as a person reads it. */
  show(value: CellValue): string;
}

const MIB = 1024 * 1024;
const num = toNumber;
const plain = (value: CellValue) => (value === null ? "-" : String(value));
const mib = (value: CellValue) => (value === null ? "-" : (value as number).toFixed(1));

const statField = (name: string, header: string, field: string): Column => ({
  name,
  header,
  files: ["stat"],
  numeric: true,
  value: (node) => num((node.stat as unknown as Record<string, unknown>)[field]),
  show: plain,
});

const startSeconds = (node: ProcessRecord, c: ColumnContext) => {
  const ticks = num(node.stat.starttime);
  // a recording does not know its machine's boot time: no start, no age
  return ticks === null || !Number.isFinite(c.bootTime) ? null : c.bootTime + ticks / c.clockTicks;
};

/**
 * Resident memory, bytes: `status`'s `VmRSS` where it was read, which is what ps and top
 * show (the kernel sums its per-CPU counters for it), else `stat`'s `rss` (the quick
 * sum, up to tens of pages per CPU below, proc(5): "inaccurate").
 */
function residentBytes(node: ProcessRecord, c: ColumnContext): number | null {
  const kb = num(node.status?.vmrss);
  if (kb !== null) return kb * 1024;
  const pages = num(node.stat.rss);
  return pages === null ? null : pages * c.pageSize;
}

/** The named columns, beside any `<procfile>.<field>` path. */
const NAMED: Column[] = [
  statField("pid", "PID", "pid"),
  statField("ppid", "PPID", "ppid"),
  statField("pgid", "PGID", "pgrp"),
  statField("sid", "SID", "session"),
  {
    // the terminal's name as ps prints it (pts/0, tty1, ?); stat.tty_nr holds the number
    name: "tty",
    header: "TTY",
    files: ["stat"],
    numeric: false,
    value: (node) => ttyName(num(node.stat.tty_nr)),
    show: plain,
  },
  statField("tpgid", "TPGID", "tpgid"),
  statField("threads", "THREADS", "num_threads"),
  statField("nice", "NI", "nice"),
  statField("priority", "PRI", "priority"),
  {
    name: "state",
    header: "S",
    files: ["stat"],
    numeric: false,
    value: (node) => node.stat.state,
    show: plain,
  },
  {
    name: "comm",
    header: "COMM",
    files: ["stat"],
    numeric: false,
    value: (node) => node.stat.comm,
    show: plain,
  },
  {
    name: "cmdline",
    header: "COMMAND",
    files: ["stat", "cmdline"],
    numeric: false,
    // as ps: a process without arguments (a kernel thread, a zombie) shows [comm]
    value: (node) => displayCommand(node.cmdline, node.stat.comm),
    show: plain,
  },
  {
    name: "rss",
    header: "RSS_MIB",
    files: ["stat"],
    numeric: true,
    value: (node, c) => {
      const bytes = residentBytes(node, c);
      return bytes === null ? null : bytes / MIB;
    },
    show: mib,
  },
  ...(["pss", "swap"] as const).map((field): Column => ({
    name: field,
    header: `${field.toUpperCase()}_MIB`,
    files: ["smaps_rollup"],
    numeric: true,
    value: (node) => {
      const kb = num(node.smaps_rollup?.[field]);
      return kb === null ? null : kb / 1024;
    },
    show: mib,
  })),
  {
    name: "uss",
    header: "USS_MIB",
    files: ["smaps_rollup"],
    numeric: true,
    value: (node) => {
      const clean = num(node.smaps_rollup?.private_clean);
      const dirty = num(node.smaps_rollup?.private_dirty);
      return clean === null || dirty === null ? null : (clean + dirty) / 1024;
    },
    show: mib,
  },
  {
    name: "cpu_time",
    header: "TIME",
    files: ["stat"],
    numeric: true,
    value: (node, c) => {
      const ticks = (num(node.stat.utime) ?? 0) + (num(node.stat.stime) ?? 0);
      return ticks / c.clockTicks;
    },
    show: (v) => (v === null ? "-" : formatDuration(v as number)),
  },
  {
    name: "start",
    header: "STARTED",
    files: ["stat"],
    numeric: true,
    value: startSeconds,
    show: (v) => (v === null ? "-" : formatLocalTime(v as number)),
  },
  {
    name: "age",
    header: "AGE",
    files: ["stat"],
    numeric: true,
    value: (node, c) => {
      const start = startSeconds(node, c);
      return start === null ? null : c.now - start;
    },
    show: (v) => (v === null ? "-" : formatAge(v as number)),
  },
  {
    // the user's name from the machine's /etc/passwd (the number where it has none)
    name: "user",
    header: "USER",
    files: ["status"],
    numeric: false,
    value: (node, c) => {
      const uid = node.status?.uid;
      const id = Array.isArray(uid) ? num(uid[0]) : null;
      return id === null ? null : c.userNames?.get(id) ?? String(id);
    },
    show: plain,
  },
  {
    // resident memory as a share of the machine's, as ps and top print %MEM
    name: "mem",
    header: "%MEM",
    files: ["stat"],
    numeric: true,
    // exact (sorting and CSV); shown to one decimal as ps does
    value: (node, c) => {
      const bytes = residentBytes(node, c);
      return bytes === null || !c.memoryBytes ? null : 100 * bytes / c.memoryBytes;
    },
    show: (value) => (value === null ? "-" : (value as number).toFixed(1)),
  },
  {
    name: "uid",
    header: "UID",
    files: ["status"],
    numeric: true,
    value: (node) => {
      const uid = node.status?.uid;
      return Array.isArray(uid) ? num(uid[0]) : null;
    },
    show: plain,
  },
  ...(["read_bytes", "write_bytes"] as const).map((field): Column => ({
    name: field,
    header: field.toUpperCase(),
    files: ["io"],
    numeric: true,
    value: (node) => num(node.io?.[field]),
    show: plain,
  })),
  {
    name: "wchan",
    header: "WCHAN",
    files: ["wchan"],
    numeric: false,
    value: (node) => node.wchan ?? null,
    show: plain,
  },
  {
    // the time it waited for a CPU while runnable, since it started: ms
    name: "run_delay",
    header: "RUNQ_MS",
    files: ["schedstat"],
    numeric: true,
    value: (node) => {
      const ns = node.schedstat?.run_delay;
      return ns === null || ns === undefined ? null : ns / 1e6;
    },
    show: (value) => (value === null ? "-" : String(Math.round(value as number))),
  },
  {
    name: "oom_score",
    header: "OOM",
    files: ["oom_score"],
    numeric: true,
    value: (node) => node.oom_score ?? null,
    show: plain,
  },
  {
    name: "nofile",
    header: "NOFILE",
    files: ["limits"],
    numeric: true,
    value: (node) => {
      const soft = node.limits?.open_files_soft;
      return soft === null || soft === undefined || soft < 0 ? null : soft;
    },
    show: plain,
  },
  {
    name: "cgroup",
    header: "CGROUP",
    files: ["cgroup"],
    numeric: false,
    value: (node) => node.cgroup ?? null,
    show: plain,
  },
];

const BY_NAME = new Map(NAMED.map((column) => [column.name, column]));

/** The names `--columns` accepts, besides `<procfile>.<field>` paths. */
export const COLUMN_NAMES: readonly string[] = NAMED.map((column) => column.name);

/** A column list a name cannot be found in. */
export class ColumnError extends UsageFailure {}

function pathColumn(name: string): Column | null {
  const [file, field, ...rest] = name.split(".");
  if (rest.length > 0 || !field || !(PROC_FILE_NAMES as readonly string[]).includes(file!)) {
    return null;
  }
  const procfile = file as ProcFileName;
  return {
    name,
    header: name.toUpperCase(),
    files: ["stat", procfile],
    numeric: true,
    value: (node) => {
      const record = (node as unknown as Record<string, Record<string, unknown> | undefined>)[
        procfile
      ];
      const value = record?.[field];
      if (value === undefined || value === null) return null;
      if (typeof value === "bigint") return Number(value);
      if (Array.isArray(value)) return value.join(",");
      return value as number | string;
    },
    show: plain,
  };
}

/**
 * Resolves a comma-separated column list (`pid,ppid,rss,io.read_bytes`). Throws
 * `ColumnError` naming the valid columns for one it does not know.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseColumns } from "./columns.ts";
 * assert(parseColumns("pid, rss,status.vmrss").map((c) => c.header).join() === "PID,RSS_MIB,STATUS.VMRSS");
 * ```
 */
export function parseColumns(text: string): Column[] {
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new ColumnError("at least one column is needed");
  return names.map((name) => {
    const column = BY_NAME.get(name) ?? pathColumn(name);
    if (!column) {
      throw new ColumnError(
        `unknown column "${name}"; valid: ${COLUMN_NAMES.join(", ")}, or <procfile>.<field> ` +
          `such as io.read_bytes, status.vmrss`,
      );
    }
    return column;
  });
}

/** A table's order: a column (shown or not), largest first when `descending`. */
export interface RowSort {
  column: Column;
  descending: boolean;
  /** Procfiles the order reads besides the column's. */
  files: readonly ProcFileName[];
}

/**
 * Columns whose order needs more than their figure: the resident size's order is ps's
 * only from `status`'s exact sum (two processes a few hundred KiB apart swap places in
 * `stat`'s quick one).
 */
const SORT_FILES: Readonly<Record<string, readonly ProcFileName[]>> = {
  rss: ["status"],
  mem: ["status"],
};

/**
 * Resolves `--sort` (`-mem`, `rss`, `+pid`, `io.read_bytes`): a column name, `-` first
 * for descending. Throws `ColumnError` naming the valid columns for one it does not know.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSort } from "./columns.ts";
 * const { column, descending } = parseSort("-mem");
 * assert(column.name === "mem" && descending);
 * ```
 */
export function parseSort(text: string): RowSort {
  const name = text.trim().replace(/^[-+]/, "");
  if (name.includes(",")) throw new ColumnError("sort by one column");
  const [column] = parseColumns(name);
  return {
    column: column!,
    descending: text.trim().startsWith("-"),
    files: SORT_FILES[column!.name] ?? [],
  };
}

/** The procfiles `columns` read that `files` leaves out. */
export function missingFiles(
  columns: readonly Pick<Column, "files">[],
  files: readonly ProcFileName[],
): ProcFileName[] {
  return [...new Set(columns.flatMap((c) => c.files))].filter((f) => !files.includes(f));
}
