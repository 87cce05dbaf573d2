/**
 * Per-process procfs files the kernel makes as a single record, for which a read that
 * returns less than it asked for has returned the whole file. Every other file is read
 * until `read` returns 0.
 *
 * Why a short read ends these files: each is a `seq_file` opened with `single_open`
 * (`stat`, `status`, `statm`, `io`, `schedstat`, `wchan`, `limits`, `oom_score`,
 * `cgroup`, `comm` are `ONE()` entries of fs/proc/base.c; `smaps_rollup` uses
 * `single_open_size`), whose read grows its buffer until the one record fits and then
 * copies as much of it as the caller has room for; `cmdline` loops in the kernel until
 * the caller's room or the arguments end. A `seq_file` of many records (a thread's
 * `children`, `maps`, `mountinfo`, `net/tcp`) stops at the end of its page-sized buffer
 * however much room is left: reading one of those until a short read loses the rest
 * (a parent of 1,500 children showed 683).
 *
 * One read instead of two: reading these on to the end-of-file read costs 6–10 % more
 * CPU (3,100 processes' `stat`, `cmdline` and `status`, least CPU of 35 rounds, three
 * runs each on a loaded machine: kept files 55–57 ms a round with one read, 58–61 ms
 * to the end, 53–55 ms before the full reads; opened each time 146–155 ms against 157).
 *
 * @module
 */

/** Names of the files above, as under `/proc/<pid>/`. */
export const ONE_RECORD_FILES: ReadonlySet<string> = new Set([
  "stat",
  "statm",
  "status",
  "io",
  "schedstat",
  "wchan",
  "limits",
  "oom_score",
  "cgroup",
  "comm",
  "smaps_rollup",
  "cmdline",
]);
