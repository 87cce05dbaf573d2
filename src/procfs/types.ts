/**
 * Typed records for the procfs files procpath reads. Field names are proc(5)
 * names exactly (status keys lower-cased), because they are also the JSONPath
 * keys and, prefixed with the file name, the SQLite column names.
 *
 * @module
 */

import type { Limits, Schedstat } from "./parse_inspect_files.ts";

/** An integer field; `bigint` only where a value exceeds 2^53 − 1 (e.g. signal masks). */
export type Int = number | bigint;

/** `/proc/<pid>/stat`, the 27 fields the reference keeps. */
export interface Stat {
  pid: number | null;
  /** Command name, may contain spaces and parentheses. */
  comm: string | null;
  /** One-letter state: R, S, D, Z, T, t, X, I … */
  state: string | null;
  ppid: number | null;
  pgrp: number | null;
  session: number | null;
  tty_nr: number | null;
  tpgid: number | null;
  flags: Int | null;
  minflt: Int | null;
  cminflt: Int | null;
  majflt: Int | null;
  cmajflt: Int | null;
  /** User-mode CPU time, clock ticks. */
  utime: Int | null;
  /** Kernel-mode CPU time, clock ticks. */
  stime: Int | null;
  cutime: Int | null;
  cstime: Int | null;
  priority: number | null;
  nice: number | null;
  num_threads: number | null;
  itrealvalue: Int | null;
  /** Start time after boot, clock ticks. */
  starttime: Int | null;
  /** Virtual memory size, bytes. */
  vsize: Int | null;
  /** Resident set size, pages. */
  rss: Int | null;
  /** Aggregated block I/O delay, clock ticks (kernel ≥ 2.6.18). */
  delayacct_blkio_ticks: Int | null;
  /** Guest time, clock ticks (kernel ≥ 2.6.24). */
  guest_time: Int | null;
  cguest_time: Int | null;
}

/** `/proc/<pid>/io`, bytes and call counts. */
export interface Io {
  rchar: Int | null;
  wchar: Int | null;
  syscr: Int | null;
  syscw: Int | null;
  read_bytes: Int | null;
  write_bytes: Int | null;
  cancelled_write_bytes: Int | null;
}

/** `/proc/<pid>/fd`, open descriptors counted by the type of what they point at. */
export interface Fd {
  anon: number;
  dir: number;
  chr: number;
  blk: number;
  reg: number;
  fifo: number;
  lnk: number;
  sock: number;
}

/** A value of a status or smaps_rollup field: int, text, or a tuple of ints. */
export type FieldValue = Int | string | Int[] | null;

/** `/proc/<pid>/status`, lower-cased keys; `vm*`, `rss*`, `hugetlbpages` in kB. */
export type Status = Record<string, FieldValue>;

/** `/proc/<pid>/smaps_rollup`, every field in kB. */
export type SmapsRollup = Record<string, number | null>;

/** The parsed files of one process (or thread). `stat` is always present. */
export interface ProcessRecord {
  stat: Stat;
  cmdline?: string | null | undefined;
  io?: Io;
  status?: Status;
  fd?: Fd;
  smaps_rollup?: SmapsRollup;
  schedstat?: Schedstat;
  wchan?: string | null;
  limits?: Limits;
  oom_score?: number | null;
  cgroup?: string | null;
}

/**
 * The names of the procfs files procpath can read: the reference's, in its registry
 * order, then procpath's own (read only when `-f` names them).
 */
export const PROC_FILE_NAMES = [
  "stat",
  "cmdline",
  "io",
  "status",
  "fd",
  "smaps_rollup",
  "schedstat",
  "wchan",
  "limits",
  "oom_score",
  "cgroup",
] as const;

/** One of {@link PROC_FILE_NAMES}. */
export type ProcFileName = typeof PROC_FILE_NAMES[number];
