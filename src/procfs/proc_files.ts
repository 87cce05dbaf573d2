import { parseCmdline } from "./parse_cmdline.ts";
import { IO_FIELDS, parseIo } from "./parse_io.ts";
import { emptySmapsRollup, parseSmapsRollup, SMAPS_ROLLUP_FIELDS } from "./parse_smaps_rollup.ts";
import { parseStatBytes, STAT_FIELDS } from "./parse_stat.ts";
import { emptyStatus, parseStatus, STATUS_FIELDS } from "./parse_status.ts";
import {
  LIMITS_FIELDS,
  parseCgroup,
  parseLimits,
  parseOomScore,
  parseSchedstat,
  parseWchan,
  SCHEDSTAT_FIELDS,
} from "./parse_inspect_files.ts";
import type { Fd, ProcFileName } from "./types.ts";

/** SQLite storage class of a field, as the reference derives it from its schema. */
export type SqlType = "INTEGER" | "TEXT";

/** A field of a procfile: its record key and its column type. */
export interface FieldSpec {
  name: string;
  sqlType: SqlType;
}

/** How one procfile is read, parsed and stored. */
export interface ProcFileSpec {
  /** `file` is read as bytes and parsed; `fd` is a directory whose entries are classified. */
  source: "file" | "fd";
  /** Record fields in schema order; `null` for a scalar file (`cmdline`). */
  fields: readonly FieldSpec[] | null;
  /** The column type of a scalar file: TEXT unless said (`oom_score` is INTEGER). */
  scalarType?: SqlType;
  /** Parses the file's bytes. Throws `ProcfsSyntaxError` on text it cannot read. */
  parse: (bytes: Uint8Array) => unknown;
  /** The value stored when the file cannot be read or parsed. */
  empty: () => unknown;
}

const decoder = new TextDecoder();
const text = (bytes: Uint8Array) => decoder.decode(bytes);
const ints = (names: readonly string[]): FieldSpec[] =>
  names.map((name) => ({ name, sqlType: "INTEGER" }));
const nulls = (names: readonly string[]) => () =>
  Object.fromEntries(names.map((name) => [name, null]));

/** The fd types counted, in schema order (the `S_IFMT` classes plus anonymous inodes). */
export const FD_FIELDS = ["anon", "dir", "chr", "blk", "reg", "fifo", "lnk", "sock"] as const;

/** Returns an fd record with every count at zero (also the empty value). */
export function emptyFd(): Fd {
  return { anon: 0, dir: 0, chr: 0, blk: 0, reg: 0, fifo: 0, lnk: 0, sock: 0 };
}

/**
 * The one table of procfiles: which exist, how each is parsed, what its empty value
 * is, and (through `store/schema.ts`) which SQLite columns it produces.
 */
export const PROC_FILES: Record<ProcFileName, ProcFileSpec> = {
  stat: {
    source: "file",
    fields: STAT_FIELDS.map((name) => ({
      name,
      sqlType: name === "comm" || name === "state" ? "TEXT" : "INTEGER",
    })),
    parse: parseStatBytes,
    empty: nulls(STAT_FIELDS),
  },
  cmdline: { source: "file", fields: null, parse: parseCmdline, empty: () => null },
  io: {
    source: "file",
    fields: ints(IO_FIELDS),
    parse: (b) => parseIo(text(b)),
    empty: nulls(IO_FIELDS),
  },
  status: {
    source: "file",
    fields: STATUS_FIELDS.map((field) => ({
      name: field.name,
      sqlType: ["int", "octal", "kb", "hex"].includes(field.kind) ? "INTEGER" : "TEXT",
    })),
    parse: (bytes) => parseStatus(text(bytes)),
    empty: emptyStatus,
  },
  fd: { source: "fd", fields: ints(FD_FIELDS), parse: () => emptyFd(), empty: emptyFd },
  smaps_rollup: {
    source: "file",
    fields: ints(SMAPS_ROLLUP_FIELDS),
    parse: (bytes) => parseSmapsRollup(text(bytes)),
    empty: emptySmapsRollup,
  },
  schedstat: {
    source: "file",
    fields: ints(SCHEDSTAT_FIELDS),
    parse: (bytes) => parseSchedstat(text(bytes)),
    empty: nulls(SCHEDSTAT_FIELDS),
  },
  wchan: {
    source: "file",
    fields: null,
    parse: (bytes) => parseWchan(text(bytes)),
    empty: () => null,
  },
  limits: {
    source: "file",
    fields: ints(LIMITS_FIELDS),
    parse: (bytes) => parseLimits(text(bytes)),
    empty: nulls(LIMITS_FIELDS),
  },
  oom_score: {
    source: "file",
    fields: null,
    scalarType: "INTEGER",
    parse: (bytes) => parseOomScore(text(bytes)),
    empty: () => null,
  },
  cgroup: {
    source: "file",
    fields: null,
    parse: (bytes) => parseCgroup(text(bytes)),
    empty: () => null,
  },
};
