/**
 * One look at a process and its threads, as `inspect` takes two of them a window
 * apart: per thread its state, CPU ticks, time on a CPU and waiting for one, context
 * switches and wait channel; per process its descriptors (with file positions), limits,
 * OOM score, cgroup and current system call. What this user may not read is `null`,
 * never a guess.
 *
 * @module
 */
import {
  parseCgroup,
  parseCpuCgroupV1,
  parseLimits,
  parseSchedstat,
  parseWchan,
} from "../procfs/parse_inspect_files.ts";
import type { Limits } from "../procfs/parse_inspect_files.ts";
import { parseCmdline } from "../procfs/parse_cmdline.ts";

/** One thread at one moment. */
export interface ThreadSample {
  tid: number;
  name: string;
  /** One-letter state (R, S, D, …). */
  state: string;
  /** CPU in user and kernel mode, clock ticks. */
  utime: number;
  stime: number;
  /** Time on a CPU and runnable but waiting, ns (`schedstat`); `null` where not readable. */
  runNs: number | null;
  waitNs: number | null;
  /** Context switches: blocking (voluntary) and preempted (involuntary). */
  voluntary: number;
  involuntary: number;
  /** The kernel function it sleeps in; `null` when running or hidden from this user. */
  wchan: string | null;
}

/** An open descriptor. */
export interface Descriptor {
  fd: number;
  /** The link's target: a path, `socket:[inode]`, `pipe:[inode]`, `anon_inode:[eventfd]`. */
  target: string;
  /** The file position (`fdinfo` `pos`), bytes. */
  position: number | null;
  /** The file's size when it is a regular file, bytes. */
  size: number | null;
}

/** A process at one moment. */
export interface ProcessSample {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
  uid: number | null;
  /** Resident memory, bytes. */
  rssBytes: number;
  threads: ThreadSample[];
  /** `null` when this user may not list them (another user's process). */
  descriptors: Descriptor[] | null;
  limits: Limits | null;
  oomScore: number | null;
  /** The cgroup v2 path, `null` without cgroup v2. */
  cgroup: string | null;
  /** The cgroup v1 `cpu` controller's path, where v1 mounts it (quota and throttling there). */
  cpuCgroupV1: string | null;
  /** `syscall`: the number and arguments of the call it is in, `running`; `null` where not readable. */
  syscall: string | null;
}

const read = (path: string): string | null => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
};

const statFields = (text: string) => {
  const close = text.lastIndexOf(")");
  return {
    comm: text.slice(text.indexOf("(") + 1, close),
    rest: text.slice(close + 2).split(" "),
  };
};

const statusNumber = (text: string, key: string): number | null => {
  const match = new RegExp(`^${key}:\\s*(\\d+)`, "m").exec(text);
  return match ? Number(match[1]) : null;
};

function sampleThread(root: string, pid: number, tid: number): ThreadSample | null {
  const base = `${root}/${pid}/task/${tid}`;
  const stat = read(`${base}/stat`);
  if (stat === null) return null;
  const { comm, rest } = statFields(stat);
  const status = read(`${base}/status`) ?? "";
  const schedstat = read(`${base}/schedstat`);
  let runNs: number | null = null, waitNs: number | null = null;
  if (schedstat !== null) {
    try {
      const parsed = parseSchedstat(schedstat);
      runNs = parsed.run_time;
      waitNs = parsed.run_delay;
    } catch { /* an odd kernel: unknown */ }
  }
  const wchan = read(`${base}/wchan`);
  return {
    tid,
    name: comm,
    state: rest[0]!,
    utime: Number(rest[11]),
    stime: Number(rest[12]),
    runNs,
    waitNs,
    voluntary: statusNumber(status, "voluntary_ctxt_switches") ?? 0,
    involuntary: statusNumber(status, "nonvoluntary_ctxt_switches") ?? 0,
    wchan: wchan === null ? null : parseWchan(wchan),
  };
}

function descriptorsOf(root: string, pid: number): Descriptor[] | null {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`${root}/${pid}/fd`)];
  } catch {
    return null;
  }
  const found: Descriptor[] = [];
  for (const entry of entries) {
    const fd = Number(entry.name);
    let target: string;
    try {
      target = Deno.readLinkSync(`${root}/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const info = read(`${root}/${pid}/fdinfo/${fd}`);
    const position = info === null ? null : statusNumber(info, "pos");
    let size: number | null = null;
    if (target.startsWith("/")) {
      try {
        const file = Deno.statSync(target);
        if (file.isFile) size = file.size;
      } catch { /* gone, or not ours */ }
    }
    found.push({ fd, target, position, size });
  }
  return found.sort((a, b) => a.fd - b.fd);
}

/** Samples process `pid` under the procfs `root`; `null` when it is gone. */
export function sampleProcess(root: string, pid: number, pageSize: number): ProcessSample | null {
  const stat = read(`${root}/${pid}/stat`);
  if (stat === null) return null;
  const { comm, rest } = statFields(stat);
  const status = read(`${root}/${pid}/status`) ?? "";
  let tids: number[] = [];
  try {
    tids = [...Deno.readDirSync(`${root}/${pid}/task`)].map((e) => Number(e.name)).sort((a, b) =>
      a - b
    );
  } catch { /* gone meanwhile */ }
  const threads = tids.map((tid) => sampleThread(root, pid, tid)).filter((t) => t !== null);
  let cmdline = "";
  try {
    cmdline = parseCmdline(Deno.readFileSync(`${root}/${pid}/cmdline`));
  } catch { /* gone, or empty for a kernel thread */ }
  const limits = read(`${root}/${pid}/limits`);
  const oom = read(`${root}/${pid}/oom_score`);
  const cgroup = read(`${root}/${pid}/cgroup`);
  const syscall = read(`${root}/${pid}/syscall`);
  return {
    pid,
    ppid: Number(rest[1]),
    comm,
    cmdline,
    uid: statusNumber(status, "Uid"),
    rssBytes: Number(rest[21]) * pageSize,
    threads,
    descriptors: descriptorsOf(root, pid),
    limits: limits === null ? null : parseLimits(limits),
    oomScore: oom === null ? null : Number(oom.trim()),
    cgroup: cgroup === null ? null : parseCgroup(cgroup),
    cpuCgroupV1: cgroup === null ? null : parseCpuCgroupV1(cgroup),
    syscall: syscall === null ? null : syscall.trim(),
  };
}
