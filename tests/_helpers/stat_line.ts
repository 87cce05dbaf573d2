/** Fields of a synthetic stat line; anything left out gets a plausible value. */
export interface StatLineFields {
  pid: number;
  comm: string;
  state?: string | undefined;
  ppid: number;
  utime?: number;
  stime?: number;
  starttime?: number;
  vsize?: number;
  rss?: number;
  num_threads?: number;
  delayacct_blkio_ticks?: number;
}

/**
 * Returns a complete 52-field `/proc/<pid>/stat` line (kernel ≥ 3.5 layout), so that
 * parser and fixture tests use the same text the kernel writes.
 */
export function statLine(f: StatLineFields): string {
  const fields = [
    f.pid, // 1 pid
    `(${f.comm})`, // 2 comm
    f.state ?? "S", // 3 state
    f.ppid, // 4 ppid
    f.pid, // 5 pgrp
    f.pid, // 6 session
    0, // 7 tty_nr
    -1, // 8 tpgid
    4194560, // 9 flags
    1000, // 10 minflt
    0, // 11 cminflt
    2, // 12 majflt
    0, // 13 cmajflt
    f.utime ?? 10, // 14 utime
    f.stime ?? 5, // 15 stime
    0, // 16 cutime
    0, // 17 cstime
    20, // 18 priority
    0, // 19 nice
    f.num_threads ?? 1, // 20 num_threads
    0, // 21 itrealvalue
    f.starttime ?? 1000, // 22 starttime
    f.vsize ?? 10485760, // 23 vsize
    f.rss ?? 512, // 24 rss
    "18446744073709551615", // 25 rsslim
    ...Array(16).fill(0), // 26..41 startcode … policy
    f.delayacct_blkio_ticks ?? 0, // 42 delayacct_blkio_ticks
    0, // 43 guest_time
    0, // 44 cguest_time
    ...Array(8).fill(0), // 45..52
  ];
  return fields.join(" ") + "\n";
}
