/**
 * What `inspect` found about each process over its window: the figures the findings
 * are made from. Pure: two samples (and the sockets and cgroup read) in, a report out.
 *
 * @module
 */
import type { SocketEntry } from "./net.ts";
import type { CgroupFigures } from "./cgroup_files.ts";
import type { ProcessSample, ThreadSample } from "./sample_process.ts";

/** A thread over the window. */
export interface ThreadReport {
  tid: number;
  name: string;
  state: string;
  /** The wait channel it was seen in most during the window (`null`: running or hidden). */
  wchan: string | null;
  /** Share of one core in user and kernel mode, %. */
  userPercent: number;
  systemPercent: number;
  /** Share of the window it was runnable but waiting for a CPU, %; `null` without schedstat. */
  waitPercent: number | null;
  /** Context switches per second: blocking and preempted. */
  voluntaryPerSecond: number;
  involuntaryPerSecond: number;
  /** Asleep in the same place at both ends, with no CPU in between. */
  blockedAllWindow: boolean;
}

/** A socket the process holds. */
export interface SocketReport extends SocketEntry {
  fd: number;
}

/** A regular file the process holds open, with how far into it it is. */
export interface FileReport {
  fd: number;
  path: string;
  position: number | null;
  size: number | null;
}

/** A process over the window. */
export interface ProcessReport {
  pid: number;
  ppid: number;
  /** Depth in the selection's tree (0 for a root), for a pstree-shaped report. */
  depth: number;
  comm: string;
  cmdline: string;
  threads: ThreadReport[];
  sockets: SocketReport[];
  files: FileReport[];
  /** Open descriptors and the soft `RLIMIT_NOFILE`; `null` where not readable. */
  descriptors: { open: number; limit: number | null } | null;
  rssBytes: number;
  oomScore: number | null;
  cgroup: CgroupFigures | null;
  /** Throttled share of the cgroup's CPU periods in the window, % (`null`: no quota data). */
  throttledPercent: number | null;
  /** The current system call (`syscall`), where readable. */
  syscall: string | null;
  /** The fd the current read or receive is on, from `syscall`, where known. */
  syscallFd: number | null;
  /** What could not be read (another user's process). */
  unreadable: string[];
  /** The process exited during the window: only the first look is reported. */
  exited: boolean;
}

/** Reads and receives whose first argument is the descriptor they block on (x86_64 numbers). */
const FD_SYSCALLS = new Set([0, 17, 19, 45, 47, 295, 299]);

/** The most frequent of the observed wait channels. */
function mostSeen(channels: readonly (string | null)[]): string | null {
  const counts = new Map<string | null, number>();
  for (const c of channels) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | null = null, bestCount = 0;
  for (const [c, n] of counts) {
    if (c !== null && n > bestCount) [best, bestCount] = [c, n];
  }
  return best;
}

function threadReport(
  before: ThreadSample | undefined,
  after: ThreadSample,
  channels: readonly (string | null)[],
  seconds: number,
  clockTicks: number,
): ThreadReport {
  const perTick = 100 / clockTicks / seconds;
  const user = before ? Math.max(0, after.utime - before.utime) * perTick : 0;
  const system = before ? Math.max(0, after.stime - before.stime) * perTick : 0;
  const wait = before && before.waitNs !== null && after.waitNs !== null
    ? Math.max(0, after.waitNs - before.waitNs) / 1e7 / seconds
    : null;
  const ran = before && after.runNs !== null && before.runNs !== null
    ? after.runNs - before.runNs
    : (user + system) > 0
    ? 1
    : 0;
  return {
    tid: after.tid,
    name: after.name,
    state: after.state,
    wchan: mostSeen([...channels, after.wchan]),
    userPercent: user,
    systemPercent: system,
    waitPercent: wait,
    voluntaryPerSecond: before ? (after.voluntary - before.voluntary) / seconds : 0,
    involuntaryPerSecond: before ? (after.involuntary - before.involuntary) / seconds : 0,
    blockedAllWindow: before !== undefined && ran === 0 && after.state !== "R" &&
      before.wchan !== null && before.wchan === after.wchan,
  };
}

/**
 * Builds a process's report from its two looks (`after` null: it exited), the wait
 * channels seen in between (by TID), the sockets of the namespace and its cgroup at
 * both ends.
 */
export function processReport(
  before: ProcessSample,
  after: ProcessSample | null,
  context: {
    seconds: number;
    clockTicks: number;
    depth: number;
    channels: ReadonlyMap<number, readonly (string | null)[]>;
    sockets: ReadonlyMap<number, SocketEntry>;
    cgroupBefore: CgroupFigures | null;
    cgroupAfter: CgroupFigures | null;
  },
): ProcessReport {
  const now = after ?? before;
  const threadsBefore = new Map(before.threads.map((t) => [t.tid, t]));
  const threads = after === null ? [] : after.threads.map((t) =>
    threadReport(
      threadsBefore.get(t.tid),
      t,
      context.channels.get(t.tid) ?? [],
      context.seconds,
      context.clockTicks,
    )
  );
  const sockets: SocketReport[] = [];
  const files: FileReport[] = [];
  for (const d of now.descriptors ?? []) {
    const socket = /^socket:\[(\d+)\]$/.exec(d.target);
    if (socket) {
      const entry = context.sockets.get(Number(socket[1]));
      if (entry) sockets.push({ ...entry, fd: d.fd });
    } else if (d.size !== null) {
      files.push({ fd: d.fd, path: d.target, position: d.position, size: d.size });
    }
  }
  const cb = context.cgroupBefore?.cpuStat, ca = context.cgroupAfter?.cpuStat;
  const periods = cb && ca ? ca.periods - cb.periods : 0;
  const syscallFields = now.syscall?.split(" ") ?? [];
  const syscallNumber = Number(syscallFields[0]);
  const syscallFd = FD_SYSCALLS.has(syscallNumber) && syscallFields[1]
    ? Number(syscallFields[1])
    : null;
  const unreadable: string[] = [];
  if (now.descriptors === null) unreadable.push("descriptors and sockets");
  if (threads.some((t) => t.waitPercent === null)) unreadable.push("run-queue delay (schedstat)");
  if (now.syscall === null) unreadable.push("the current system call");
  return {
    pid: now.pid,
    ppid: now.ppid,
    depth: context.depth,
    comm: now.comm,
    cmdline: now.cmdline,
    threads,
    sockets,
    files,
    descriptors: now.descriptors === null ? null : {
      open: now.descriptors.length,
      limit: now.limits && (now.limits.open_files_soft ?? -1) >= 0
        ? now.limits.open_files_soft ?? null
        : null,
    },
    rssBytes: now.rssBytes,
    oomScore: now.oomScore,
    cgroup: context.cgroupAfter,
    throttledPercent: periods > 0 ? 100 * (ca!.throttled - cb!.throttled) / periods : null,
    syscall: now.syscall,
    syscallFd,
    unreadable,
    exited: after === null,
  };
}
