/**
 * The few libc calls procpath makes through Deno's FFI, opened once: `prctl` (the child
 * subreaper), `waitpid` and `getrusage` (the CPU of what it reaped), `clock_gettime`
 * (the kernel's monotonic clock, in which process events are stamped) and the socket
 * calls of the process-events connector (read by a worker of its own, so the main
 * thread never waits in `recv`).
 *
 * @module
 */

const SYMBOLS = {
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  waitpid: { parameters: ["i32", "pointer", "i32"], result: "i32" },
  getrusage: { parameters: ["i32", "buffer"], result: "i32" },
  clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** Blocks the calling thread: for a worker of its own (`proc_events_worker.ts`). */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /**
   * Declared `i32`, not `isize`: a 64-bit result comes back as a BigInt, one per read of
   * every procfile every sample. An i32 result reads the low 32 bits of the return
   * register (rax on x86-64, x0 on arm64), exact for any count under 2 GiB (a procfile
   * read is at most its buffer) and for -1; callers must not ask for 2 GiB or more.
   */
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "i32" },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  /** glibc 2.30 and later: a directory's entries without one object per entry. */
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize", optional: true },
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  /** Only with an int third argument (`F_DUPFD_CLOEXEC`). */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setpriority: { parameters: ["i32", "u32", "i32"], result: "i32" },
  strerror: { parameters: ["i32"], result: "pointer" },
  /** Only as `perf_event_open` (inspect's sampler, `src/kernel/perf_sampler.ts`). */
  syscall: { parameters: ["i64", "buffer", "i32", "i32", "i32", "u64"], result: "i64" },
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The bound symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let libc: Libc | null | undefined;

/**
 * Returns libc's symbols, or `null` where they cannot be had (no FFI permission, no
 * glibc): every caller then degrades to what it can do without them.
 */
export function openLibc(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  } catch {
    libc = null;
  }
  return libc;
}

/** Returns `errno` after a failed call (0 when it cannot be read). */
export function errno(lib: Libc): number {
  const pointer = lib.__errno_location();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const CLOCK_MONOTONIC = 1;

/** CPU of the reaped children (and their reaped descendants), seconds; peak RSS of the largest, KiB. */
export interface ChildrenUsage {
  userSeconds: number;
  systemSeconds: number;
  /**
   * A child that execs keeps its parent's peak at the fork as its own (the kernel
   * records the old memory's peak at exec), so this is at least procpath's peak when
   * it started the command: it says something of the children only above `selfMaxRssKib`.
   */
  maxRssKib: number;
  /** procpath's own peak RSS so far, KiB (`RUSAGE_SELF`). */
  selfMaxRssKib: number;
}

/**
 * Returns `getrusage(RUSAGE_CHILDREN)`: everything procpath has waited for, with what
 * those waited for in turn; `null` without libc.
 */
export function childrenUsage(): ChildrenUsage | null {
  const lib = openLibc();
  if (lib === null) return null;
  // struct rusage: two timevals (16 bytes each on 64-bit), then longs; ru_maxrss first
  const buffer = new BigInt64Array(18);
  if (lib.getrusage(RUSAGE_CHILDREN, buffer) !== 0) return null;
  const seconds = (at: number) => Number(buffer[at]) + Number(buffer[at + 1]) / 1e6;
  const self = new BigInt64Array(18);
  const selfMaxRssKib = lib.getrusage(RUSAGE_SELF, self) === 0 ? Number(self[4]) : Infinity;
  return {
    userSeconds: seconds(0),
    systemSeconds: seconds(2),
    maxRssKib: Number(buffer[4]),
    selfMaxRssKib,
  };
}

/** Returns the kernel's `CLOCK_MONOTONIC` in ns (the clock of process events), or `null`. */
export function monotonicNs(): bigint | null {
  const lib = openLibc();
  if (lib === null) return null;
  const buffer = new BigInt64Array(2);
  if (lib.clock_gettime(CLOCK_MONOTONIC, buffer) !== 0) return null;
  return buffer[0]! * 1_000_000_000n + buffer[1]!;
}

const PRIO_PROCESS = 0;

/**
 * Sets a process's nice value (`setpriority(PRIO_PROCESS)`, -20 to 19; lowering it
 * needs CAP_SYS_NICE). Returns `null` when done, else the system's reason in one line
 * ("Permission denied", "No such process").
 */
export function renice(pid: number, nice: number): string | null {
  const lib = openLibc();
  if (lib === null) return "renice needs libc through Deno's FFI, which this run cannot use";
  if (lib.setpriority(PRIO_PROCESS, pid, nice) === 0) return null;
  const code = errno(lib);
  const text = lib.strerror(code);
  return text === null ? `error ${code}` : new Deno.UnsafePointerView(text).getCString();
}

const RLIMIT_NOFILE = 7;

/**
 * Raises the soft limit of open files to the hard one (a process may, unprivileged) and
 * returns the soft limit now in force; `null` without libc.
 */
export function raiseOpenFilesLimit(): number | null {
  const lib = openLibc();
  if (lib === null) return null;
  const limits = new BigUint64Array(2); // struct rlimit: rlim_cur, rlim_max
  if (lib.getrlimit(RLIMIT_NOFILE, limits) !== 0) return null;
  if (limits[0]! < limits[1]!) {
    const raised = new BigUint64Array([limits[1]!, limits[1]!]);
    if (lib.setrlimit(RLIMIT_NOFILE, raised) === 0) limits[0] = limits[1]!;
  }
  // RLIM_INFINITY is all ones: far more than any budget needs
  return limits[0]! > 1n << 31n ? 2 ** 31 : Number(limits[0]);
}
