/**
 * One look at a process and its threads, as `inspect` takes two of them a window
 * apart, through the procfs reader and its parsers: per thread its state, CPU ticks,
 * time on a CPU and waiting for one, context switches, wait channel and the system call
 * it is blocked in; per process its descriptors (with file positions), I/O counters,
 * memory, limits, OOM score and cgroups. What this user may not read is `null` or
 * listed in `denied`, never a guess.
 *
 * @module
 */
import type { ProcReader } from "../procfs/proc_reader.ts";
import { classifyReadError } from "../procfs/classify_error.ts";
import { parseStatBytes } from "../procfs/parse_stat.ts";
import { parseIo } from "../procfs/parse_io.ts";
import { parseCmdline } from "../procfs/parse_cmdline.ts";
import { toNumber } from "../procfs/int.ts";
import { parseLimits, parseSchedstat, parseWchan } from "../procfs/parse_inspect_files.ts";
import type { Limits } from "../procfs/parse_inspect_files.ts";
import { parseSyscall } from "../procfs/parse_syscall.ts";
import { parseStack } from "../procfs/parse_stack.ts";
import { parseFdinfo, parseStatusFigures } from "../procfs/parse_task_figures.ts";
import type { Syscall } from "../procfs/parse_syscall.ts";
import type { Io } from "../procfs/types.ts";
import { parseCgroupPaths } from "./cgroup_files.ts";
import { fifoKey } from "./peers.ts";
import type { CgroupPaths } from "./cgroup_files.ts";

/** One thread at one moment. */
export interface ThreadSample {
  tid: number;
  name: string;
  /** One-letter state (R, S, D, T, …). */
  state: string;
  /** CPU in user and kernel mode, clock ticks. */
  utime: number;
  stime: number;
  /** Time on a CPU and runnable but waiting, ns (`schedstat`); `null` where not readable. */
  runNs: number | null;
  waitNs: number | null;
  /** Times it was given a CPU (`schedstat` timeslices); `null` where not readable. */
  slices: number | null;
  /** Waiting for block I/O, clock ticks (`delayacct_blkio_ticks`; 0 without delay accounting). */
  blkioTicks: number;
  /** Context switches: blocking (voluntary) and preempted (involuntary). */
  voluntary: number;
  involuntary: number;
  /** The kernel function it sleeps in; `null` when running or hidden from this user. */
  wchan: string | null;
  /** The call it is blocked in; `null` where not readable or in none. */
  syscall: Syscall | null;
  /** Storage bytes read and written so far (`task/TID/io`); `null` where not readable. */
  io: { read: number; written: number } | null;
  /** The kernel stack of a task in D, innermost first (root only); `null` otherwise. */
  stack: string[] | null;
}

/** An open descriptor. */
export interface Descriptor {
  fd: number;
  /** The link's target: a path, `socket:[inode]`, `pipe:[inode]`, `anon_inode:[eventfd]`. */
  target: string;
  /** The file position (`fdinfo` `pos`), bytes. */
  position: number | null;
  /** The access mode from `fdinfo` `flags` (`O_RDONLY` 0, `O_WRONLY` 1, `O_RDWR` 2). */
  access: number | null;
  /** The file's size when it is a regular file, bytes. */
  size: number | null;
  /**
   * A named pipe's identity (`fifoKey` of its device and inode): its link reads as its
   * path, not `pipe:[N]`, so its other end is found by what the path names.
   */
  fifo?: string | null;
}

/** A process at one moment. */
export interface ProcessSample {
  pid: number;
  /** When it was read (`performance.now()`, ms): each process's window is its own. */
  at: number;
  ppid: number;
  comm: string;
  cmdline: string;
  state: string;
  /** A kernel thread (`PF_KTHREAD`): no user space, no descriptors, no system calls. */
  kernelThread: boolean;
  uid: number | null;
  /** Resident memory, bytes. */
  rssBytes: number;
  /** Swapped out, bytes (`status` VmSwap); `null` where absent. */
  swapBytes: number | null;
  /** Major page faults so far. */
  majorFaults: number;
  /** Waiting for block I/O, clock ticks (`delayacct_blkio_ticks`). */
  blkioTicks: number;
  /** `/proc/PID/io`; `null` where this user may not read it. */
  io: Io | null;
  threads: ThreadSample[];
  /** `null` when this user may not list them (another user's process). */
  descriptors: Descriptor[] | null;
  /** Descriptors listed whose links this user may not read (PID 1 as root in a container). */
  unreadableLinks: number;
  limits: Limits | null;
  oomScore: number | null;
  cgroups: CgroupPaths | null;
  /** Children that are zombies (exited, not yet reaped), by PID. */
  zombieChildren: number[];
}

/** `PF_KTHREAD` in `stat`'s flags. */
const PF_KTHREAD = 0x00200000;

const decoder = new TextDecoder();

/** Reads and parses a file of `pid` through the reader; `null` when gone or denied. */
function tryRead<T>(reader: ProcReader, pid: number, name: string, parse: (text: string) => T) {
  try {
    return parse(decoder.decode(reader.readFile(pid, name)));
  } catch {
    return null;
  }
}

function listDir(path: string): string[] | "denied" | null {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name);
  } catch (error) {
    return classifyReadError(error) === "denied" ? "denied" : null;
  }
}

/** Reads one thread's files; `null` when it ended. */
export function sampleThread(reader: ProcReader, pid: number, tid: number): ThreadSample | null {
  const dir = `task/${tid}`;
  let stat;
  try {
    stat = parseStatBytes(reader.readFile(pid, `${dir}/stat`));
  } catch {
    return null;
  }
  const status = tryRead(reader, pid, `${dir}/status`, parseStatusFigures);
  const schedstat = tryRead(reader, pid, `${dir}/schedstat`, parseSchedstat);
  const wchan = tryRead(reader, pid, `${dir}/wchan`, parseWchan);
  const syscall = tryRead(reader, pid, `${dir}/syscall`, parseSyscall);
  const io = tryRead(reader, pid, `${dir}/io`, parseIo);
  // only a blocked task's stack says anything, and reading one costs a stack walk
  const stack = stat.state === "D" ? tryRead(reader, pid, `${dir}/stack`, parseStack) : null;
  return {
    tid,
    name: stat.comm ?? "",
    state: stat.state ?? "?",
    utime: toNumber(stat.utime) ?? 0,
    stime: toNumber(stat.stime) ?? 0,
    runNs: schedstat?.run_time ?? null,
    waitNs: schedstat?.run_delay ?? null,
    slices: schedstat?.timeslices ?? null,
    blkioTicks: toNumber(stat.delayacct_blkio_ticks) ?? 0,
    voluntary: status?.voluntary ?? 0,
    involuntary: status?.involuntary ?? 0,
    wchan,
    syscall,
    io: io === null
      ? null
      : { read: toNumber(io.read_bytes) ?? 0, written: toNumber(io.write_bytes) ?? 0 },
    stack: stack !== null && stack.length > 0 ? stack : null,
  };
}

function descriptorsOf(
  reader: ProcReader,
  pid: number,
): { found: Descriptor[] | null; unreadable: number } {
  const names = listDir(`${reader.root}/${pid}/fd`);
  if (names === null || names === "denied") return { found: null, unreadable: 0 };
  const found: Descriptor[] = [];
  let unreadable = 0;
  for (const name of names) {
    const fd = Number(name);
    let target: string;
    try {
      target = Deno.readLinkSync(`${reader.root}/${pid}/fd/${fd}`);
    } catch (error) {
      // listed but not followable: say so rather than count it as closed
      if (classifyReadError(error) === "denied") unreadable++;
      continue;
    }
    const info = tryRead(reader, pid, `fdinfo/${fd}`, parseFdinfo);
    let size: number | null = null;
    let fifo: string | null = null;
    if (target.startsWith("/")) {
      try {
        // through the link, not its text: the file this process opened, in its own
        // mount namespace, even renamed or removed since
        const file = Deno.statSync(`${reader.root}/${pid}/fd/${fd}`);
        if (file.isFile) size = file.size;
        if (file.isFifo) fifo = fifoKey(file.dev, file.ino ?? 0);
      } catch { /* gone, or not ours */ }
    }
    found.push({
      fd,
      target,
      position: info?.position ?? null,
      access: info?.access ?? null,
      size,
      fifo,
    });
  }
  return { found: found.sort((a, b) => a.fd - b.fd), unreadable };
}

function zombieChildrenOf(reader: ProcReader, pid: number): number[] {
  let children: number[] | null = null;
  try {
    children = reader.childrenOf(pid);
  } catch { /* gone */ }
  const zombies: number[] = [];
  for (const child of children ?? []) {
    try {
      if (parseStatBytes(reader.readFile(child, "stat")).state === "Z") zombies.push(child);
    } catch { /* reaped meanwhile */ }
  }
  return zombies;
}

/** Samples process `pid` through `reader`; `null` when it is gone. */
export function sampleProcess(
  reader: ProcReader,
  pid: number,
  pageSize: number,
): ProcessSample | null {
  const at = performance.now();
  let stat;
  try {
    stat = parseStatBytes(reader.readFile(pid, "stat"));
  } catch {
    return null;
  }
  const status = tryRead(reader, pid, "status", parseStatusFigures);
  const tasks = listDir(`${reader.root}/${pid}/task`);
  const tids = Array.isArray(tasks) ? tasks.map(Number).sort((a, b) => a - b) : [];
  const kernelThread = ((toNumber(stat.flags) ?? 0) & PF_KTHREAD) !== 0;
  const threads = tids.map((tid) => sampleThread(reader, pid, tid)).filter((t) => t !== null);
  // a kernel thread makes no system calls: its `syscall` file shows zeros, not a read
  if (kernelThread) { for (const t of threads) t.syscall = null; }
  let cmdline = "";
  try {
    cmdline = parseCmdline(reader.readFile(pid, "cmdline"));
  } catch { /* gone */ }
  const { found, unreadable } = kernelThread
    ? { found: null, unreadable: 0 }
    : descriptorsOf(reader, pid);
  return {
    pid,
    at,
    ppid: stat.ppid ?? 0,
    comm: stat.comm ?? "",
    cmdline,
    state: stat.state ?? "?",
    kernelThread,
    uid: status?.uid ?? null,
    rssBytes: (toNumber(stat.rss) ?? 0) * pageSize,
    swapBytes: status?.swapKb == null ? null : status.swapKb * 1024,
    majorFaults: toNumber(stat.majflt) ?? 0,
    blkioTicks: toNumber(stat.delayacct_blkio_ticks) ?? 0,
    io: tryRead(reader, pid, "io", parseIo),
    threads,
    descriptors: found,
    unreadableLinks: unreadable,
    limits: tryRead(reader, pid, "limits", parseLimits),
    oomScore: tryRead(reader, pid, "oom_score", (t) => Number(t.trim())),
    cgroups: tryRead(reader, pid, "cgroup", parseCgroupPaths),
    zombieChildren: zombieChildrenOf(reader, pid),
  };
}
