export { emptyFd, FD_FIELDS, PROC_FILES } from "./proc_files.ts";
export type { FieldSpec, ProcFileSpec, SqlType } from "./proc_files.ts";
export { createProcReader } from "./proc_reader.ts";
export type { ProcfsTarget, ProcReader } from "./proc_reader.ts";
export { readDetails, readDetailsOf, readRecords, readStat, readStats } from "./read_records.ts";
export type { DetailOptions, ReadWarning, WarningSink } from "./read_records.ts";
export { parseAuxv, readSystemInfo } from "./system_info.ts";
export { LIVE_PROCFS, liveRoot, procRoot } from "./proc_root.ts";
export type { ProcRoot } from "./proc_root.ts";
export type { SystemInfo } from "./system_info.ts";
export { classifyReadError } from "./classify_error.ts";
export { parseStat, parseStatBytes } from "./parse_stat.ts";
export { parseCmdline } from "./parse_cmdline.ts";
export { parseIo } from "./parse_io.ts";
export { parseStatus } from "./parse_status.ts";
export { parseSmapsRollup } from "./parse_smaps_rollup.ts";
export { ProcfsSyntaxError } from "./errors.ts";
export { PROC_FILE_NAMES } from "./types.ts";
export { toNumber } from "./int.ts";
export type {
  Fd,
  Int,
  Io,
  ProcessRecord,
  ProcFileName,
  SmapsRollup,
  Stat,
  Status,
} from "./types.ts";
