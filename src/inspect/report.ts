/**
 * What `inspect` found about each process over its window: the figures the findings
 * are made from. Pure: two samples, the looks in between, the sockets, the holders of
 * pipes and sockets and the cgroups read in, a report out.
 *
 * @module
 */
import type { SocketEntry } from "./net.ts";
import type { CgroupFigures } from "./cgroup_files.ts";
import type { Holder } from "./peers.ts";
import { linkInode } from "./peers.ts";
import type { Descriptor, ProcessSample, ThreadSample } from "./sample_process.ts";
import { syscallName, waitedFd, waitKind } from "./syscalls.ts";
import type { WaitKind } from "./syscalls.ts";
import type { HotFunction } from "./elf_symbols.ts";

/** One look at a thread during the window: its state and wait channel. */
export interface Look {
  state: string;
  wchan: string | null;
  /**
   * The system call it was in (`-1`: in user space, not running), `null` when running
   * or not readable.
   */
  syscall?: number | null;
}

/** What a thread's blocked call waits on. */
export interface WaitObject {
  fd: number;
  kind: "socket" | "pipe" | "tty" | "file" | "other";
  /** The descriptor's target (`pipe:[123]`, a path). */
  target: string;
  /** The socket, where it is one the namespace lists. */
  socket: SocketEntry | null;
  /** The processes at the other end: a pipe's other side, a local TCP peer's holder. */
  peers: Holder[];
  /** A regular file's position and size, bytes. */
  position: number | null;
  size: number | null;
}

/** A thread over the window. */
export interface ThreadReport {
  tid: number;
  name: string;
  /** State at the end (R, S, D, T, …). */
  state: string;
  /** The wait channel it was seen in most during the window (`null`: running or hidden). */
  wchan: string | null;
  /** Share of one core in user and kernel mode, %. */
  userPercent: number;
  systemPercent: number;
  /** Share of the window it was runnable but waiting for a CPU, %; `null` without schedstat. */
  waitPercent: number | null;
  /** The mean wait for a CPU each time it got one, ms (`null` without schedstat). */
  waitPerSliceMs: number | null;
  /**
   * Where its window went, % (sums to 100 but for rounding): `running` and `cpu_wait`
   * (runnable, no CPU) from schedstat, `throttled` the part of that wait its cgroup's
   * CPU quota explains (`cpu.stat`), and each kind of sleep in proportion to the looks
   * that saw it.
   */
  shares: Partial<Record<WaitKind | "cpu_wait" | "throttled", number>>;
  /**
   * The system calls it was seen in, % of the looks (blocked in one, or woken inside it
   * and waiting for a CPU): where its time goes, as `strace -c` would count it.
   */
  calls: Record<string, number>;
  /** Context switches per second: blocking and preempted. */
  voluntaryPerSecond: number;
  involuntaryPerSecond: number;
  /** The system call it is blocked in at the end, by name; `null` where not readable or none. */
  syscall: string | null;
  /** What that call waits on, where it names a descriptor. */
  waitsOn: WaitObject | null;
  /** Asleep in the same place at both ends, with no CPU in between. */
  blockedAllWindow: boolean;
  /** Storage read and written per second by this thread (`task/TID/io`), bytes. */
  io: { readPerSecond: number; writePerSecond: number } | null;
  /** Its kernel stack at the end when in D (root only), innermost first. */
  stack: string[] | null;
  /** Its user-space instruction pointers sampled in the window: how many, and where. */
  hotFunctions: { samples: number; top: HotFunction[] } | null;
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
  /** State at the end; `kernelThread` for kernel threads (no descriptors or calls). */
  state: string;
  kernelThread: boolean;
  threads: ThreadReport[];
  sockets: SocketReport[];
  files: FileReport[];
  /** Open descriptors and the soft `RLIMIT_NOFILE`; `null` where not readable. */
  descriptors: { open: number; limit: number | null; unreadableLinks: number } | null;
  /** Counts at the start and end of the window (descriptors `null` where not readable). */
  trend: {
    descriptors: [number, number] | null;
    threads: [number, number];
    rssBytes: [number, number];
  };
  rssBytes: number;
  swapBytes: number | null;
  majorFaultsPerSecond: number;
  /** Storage I/O per second (`io` read_bytes/write_bytes), bytes; `null` where not readable. */
  io: { readPerSecond: number; writePerSecond: number } | null;
  /** Share of the window waiting for block I/O (`delayacct_blkio_ticks`), %; `null` when off. */
  blkioPercent: number | null;
  oomScore: number | null;
  cgroup: CgroupFigures | null;
  /** Throttled share of the cgroup's CPU periods in the window, %. */
  throttledPercent: number | null;
  /** Time the cgroup was throttled, as a share of the window, %. */
  throttledWindowPercent: number | null;
  /** OOM kills and limit hits in its memory cgroup during the window. */
  oomKillsInWindow: number | null;
  zombieChildren: number[];
  /** What could not be read (another user's process). */
  unreadable: string[];
  /** The process exited during the window: only the first look is reported. */
  exited: boolean;
}

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

/** The kind of a descriptor's target. */
export function objectKind(target: string): WaitObject["kind"] {
  if (target.startsWith("socket:")) return "socket";
  if (target.startsWith("pipe:")) return "pipe";
  if (/^\/dev\/(pts\/|tty)/.test(target)) return "tty";
  if (target.startsWith("/")) return "file";
  return "other";
}

/** Context for building reports. */
export interface ReportContext {
  seconds: number;
  clockTicks: number;
  depth: number;
  /** `Deno.build.arch`: which system call table. */
  arch: string;
  /** The looks at each thread during the window, by TID. */
  looks: ReadonlyMap<number, readonly Look[]>;
  sockets: ReadonlyMap<number, SocketEntry>;
  /** Holders of pipe and socket inodes, and of FIFOs by `fifoKey`, on this host. */
  holders: ReadonlyMap<number | string, readonly Holder[]>;
  cgroupBefore: CgroupFigures | null;
  cgroupAfter: CgroupFigures | null;
  /** Whether the kernel counts block I/O delay (`kernel.task_delayacct`). */
  delayAccounting: boolean;
  /** The sampled hot functions of the process's threads, by TID. */
  hotFunctions?: ReadonlyMap<number, { samples: number; top: HotFunction[] }>;
  /** CPUs the machine has (a throttled cgroup's time is counted on each); 1 unknown. */
  cpus?: number;
  /** Each connected Unix socket's peer inode, by inode (where asked for). */
  unixPeers?: ReadonlyMap<number, number>;
}

/**
 * The inode of the socket at the other end of `socket` on this host: a loopback TCP
 * connection's (its ends swapped), a Unix socket's (from the kernel's diagnostics).
 */
function peerInode(
  socket: SocketEntry,
  sockets: ReadonlyMap<number, SocketEntry>,
  unixPeers: ReadonlyMap<number, number>,
): number | null {
  if (socket.protocol === "unix") return unixPeers.get(socket.inode) ?? null;
  if (!socket.protocol.startsWith("tcp") || socket.state === "LISTEN") return null;
  for (const other of sockets.values()) {
    if (
      other.inode !== socket.inode && other.local === socket.remote &&
      other.remote === socket.local
    ) return other.inode;
  }
  return null;
}

/** The sockets the threads of `samples` are blocked on. */
function waitedSockets(
  samples: Iterable<ProcessSample>,
  sockets: ReadonlyMap<number, SocketEntry>,
  arch: string,
): { pipes: number[]; fifos: string[]; sockets: SocketEntry[] } {
  const found = { pipes: [] as number[], fifos: [] as string[], sockets: [] as SocketEntry[] };
  for (const sample of samples) {
    for (const thread of sample.threads) {
      const fd = waitedFd(thread.syscall, arch);
      const d = fd === null ? undefined : sample.descriptors?.find((x) => x.fd === fd);
      const link = d ? linkInode(d.target) : null;
      if (link?.kind === "pipe") found.pipes.push(link.inode);
      if (d?.fifo) found.fifos.push(d.fifo);
      const socket = link?.kind === "socket" ? sockets.get(link.inode) : undefined;
      if (socket) found.sockets.push(socket);
    }
  }
  return found;
}

/** Whether a thread of `samples` waits on a Unix socket (whose peer only netlink knows). */
export function waitsOnUnixSocket(
  samples: Iterable<ProcessSample>,
  sockets: ReadonlyMap<number, SocketEntry>,
  arch: string,
): boolean {
  return waitedSockets(samples, sockets, arch).sockets.some((s) => s.protocol === "unix");
}

function waitObject(
  thread: ThreadSample,
  descriptors: readonly Descriptor[] | null,
  pid: number,
  context: ReportContext,
): WaitObject | null {
  const fd = waitedFd(thread.syscall, context.arch);
  if (fd === null || descriptors === null) return null;
  const d = descriptors.find((x) => x.fd === fd);
  if (!d) return null;
  // a named pipe's link is its path: it is a pipe all the same
  const kind = d.fifo ? "pipe" : objectKind(d.target);
  const link = linkInode(d.target);
  let socket: SocketEntry | null = null;
  let peers: Holder[] = [];
  const pipe = link?.kind === "pipe" ? link.inode : d.fifo;
  if (pipe !== null && pipe !== undefined) {
    // the other end: other processes holding the pipe open the other way (a writer's
    // readers, a reader's writers; a shell that forked both may hold both ends)
    peers = [...(context.holders.get(pipe) ?? [])].filter((h) =>
      h.pid !== pid && (d.access === null || h.access === null || h.access !== d.access)
    );
  } else if (link?.kind === "socket") {
    socket = context.sockets.get(link.inode) ?? null;
    const peer = socket ? peerInode(socket, context.sockets, context.unixPeers ?? new Map()) : null;
    if (peer !== null) peers = [...(context.holders.get(peer) ?? [])];
  }
  return {
    fd,
    kind,
    target: d.target,
    socket,
    peers,
    position: d.position,
    size: d.size,
  };
}

/** The inodes whose holders the reports will want: pipes and local peers waited on. */
export function wantedInodes(
  samples: Iterable<ProcessSample>,
  sockets: ReadonlyMap<number, SocketEntry>,
  arch: string,
  unixPeers: ReadonlyMap<number, number> = new Map(),
): Set<number> {
  const waited = waitedSockets(samples, sockets, arch);
  const inodes = new Set<number>(waited.pipes);
  for (const socket of waited.sockets) {
    const peer = peerInode(socket, sockets, unixPeers);
    if (peer !== null) inodes.add(peer);
  }
  return inodes;
}

/** The named pipes ({@link fifoKey}s) threads of `samples` wait on. */
export function wantedFifos(samples: Iterable<ProcessSample>, arch: string): Set<string> {
  return new Set(waitedSockets(samples, new Map(), arch).fifos);
}

function threadReport(
  before: ThreadSample | undefined,
  after: ThreadSample,
  descriptors: readonly Descriptor[] | null,
  pid: number,
  context: ReportContext,
): ThreadReport {
  const { seconds, clockTicks } = context;
  const perTick = 100 / clockTicks / seconds;
  const user = before ? Math.max(0, after.utime - before.utime) * perTick : 0;
  const system = before ? Math.max(0, after.stime - before.stime) * perTick : 0;
  // counters read a few µs off the window's ends may pass 100 % by as much: capped
  const wait = before && before.waitNs !== null && after.waitNs !== null
    ? Math.min(100, Math.max(0, after.waitNs - before.waitNs) / 1e7 / seconds)
    : null;
  const runPercent = before && after.runNs !== null && before.runNs !== null
    ? Math.max(0, after.runNs - before.runNs) / 1e7 / seconds
    : user + system;
  const looks = context.looks.get(after.tid) ?? [];
  const waitsOn = waitObject(after, descriptors, pid, context);
  // where the window went: time on a CPU and runnable without one are the kernel's
  // (schedstat over the window); only the rest, asleep, is split by the looks that saw
  // each kind of sleep. Counters read a few µs off the window's ends may pass 100 %.
  const running = Math.min(100, runPercent);
  const cpuWait = Math.min(100 - running, wait ?? 0);
  const asleep = Math.max(0, 100 - running - cpuWait);
  const counts = new Map<WaitKind, number>();
  // a channel reads as nothing for another user's thread, and for one of ours caught
  // waking between its state and its channel: only the first is hidden
  const visible = after.wchan !== null || after.syscall !== null;
  // a D look whose channel read as nothing woke in between: its D channel is the usual one
  const usualD = mostSeen(looks.filter((l) => l.state === "D").map((l) => l.wchan));
  // …and where none showed one, a thread moving storage data was waiting on it
  const storing = before?.io && after.io
    ? after.io.read + after.io.written > before.io.read + before.io.written
    : false;
  for (const look of looks) {
    const wchan = look.state === "D" && look.wchan === null && visible ? usualD : look.wchan;
    const object = look.state === "D" && wchan === null && visible && storing
      ? "file"
      : waitsOn?.kind ?? null;
    const kind = waitKind(look.state, wchan, object);
    if (kind !== "running" && !(kind === "hidden" && visible)) {
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
  }
  const slept = [...counts.values()].reduce((a, b) => a + b, 0);
  const shares: ThreadReport["shares"] = { running, cpu_wait: cpuWait };
  if (slept === 0 && asleep > 0) {
    // no look caught it asleep: a sleep its end state shows, else one between the looks
    // (it blocked: voluntary switches), else only the reads' skew, which the kernel's
    // two figures then share
    const end = waitKind(after.state, after.wchan, waitsOn?.kind ?? null);
    const blocked = before !== undefined && after.voluntary > before.voluntary;
    if (end !== "running") shares[end] = asleep;
    else if (blocked) shares.other = asleep;
    else if (running + cpuWait > 0) {
      shares.running = running * 100 / (running + cpuWait);
      shares.cpu_wait = cpuWait * 100 / (running + cpuWait);
    } else shares.other = asleep;
  }
  for (const [kind, n] of counts) shares[kind] = (shares[kind] ?? 0) + asleep * n / slept;
  const call = after.syscall;
  const calls: Record<string, number> = {};
  for (const look of looks) {
    if (look.syscall === undefined || look.syscall === null || look.syscall < 0) continue;
    const name = syscallName(look.syscall, context.arch);
    calls[name] = (calls[name] ?? 0) + 100 / looks.length;
  }
  return {
    tid: after.tid,
    name: after.name,
    state: after.state,
    wchan: mostSeen([...looks.map((l) => l.wchan), after.wchan]),
    userPercent: user,
    systemPercent: system,
    waitPercent: wait,
    waitPerSliceMs: before && before.slices !== null && after.slices !== null &&
        after.slices > before.slices && wait !== null
      ? wait * seconds * 10 / (after.slices - before.slices)
      : null,
    shares,
    calls,
    voluntaryPerSecond: before ? (after.voluntary - before.voluntary) / seconds : 0,
    involuntaryPerSecond: before ? (after.involuntary - before.involuntary) / seconds : 0,
    syscall: call === null || call.running ? null : syscallName(call.number, context.arch),
    waitsOn,
    io: before?.io && after.io
      ? {
        readPerSecond: Math.max(0, after.io.read - before.io.read) / seconds,
        writePerSecond: Math.max(0, after.io.written - before.io.written) / seconds,
      }
      : null,
    stack: after.stack,
    hotFunctions: context.hotFunctions?.get(after.tid) ?? null,
    blockedAllWindow: before !== undefined && runPercent === 0 && after.state !== "R" &&
      before.wchan !== null && before.wchan === after.wchan,
  };
}

/**
 * Moves the part of each thread's wait for a CPU that its cgroup's throttling explains
 * from `cpu_wait` to `throttled`. A throttled task stays queued, so its run-queue delay
 * counts the throttled time; the cgroup counts throttled time per CPU, summed: the
 * group's `throttled` share of the window is shared among the threads that waited (as
 * many CPUs as they can occupy at once), never more than a thread's own wait.
 */
function splitThrottled(threads: ThreadReport[], throttledPercent: number, cpus: number): void {
  const waiting = threads.filter((t) => (t.shares.cpu_wait ?? 0) > 0);
  if (waiting.length === 0 || throttledPercent <= 0) return;
  const each = throttledPercent / Math.max(1, Math.min(cpus, waiting.length));
  for (const t of waiting) {
    const throttled = Math.min(t.shares.cpu_wait!, each);
    t.shares.throttled = throttled;
    t.shares.cpu_wait = t.shares.cpu_wait! - throttled;
  }
}

/**
 * Builds a process's report from its two looks (`after` null: it exited) and the
 * context of the window.
 */
export function processReport(
  before: ProcessSample,
  after: ProcessSample | null,
  given: ReportContext,
): ProcessReport {
  const now = after ?? before;
  // the window between this process's own two looks (the others' reads sit around it)
  const seconds = after ? Math.max(0.001, (after.at - before.at) / 1000) : given.seconds;
  const context = { ...given, seconds };
  const threadsBefore = new Map(before.threads.map((t) => [t.tid, t]));
  const threads = after === null
    ? []
    : after.threads.map((t) =>
      threadReport(threadsBefore.get(t.tid), t, now.descriptors, now.pid, context)
    );
  const sockets: SocketReport[] = [];
  const files: FileReport[] = [];
  for (const d of now.descriptors ?? []) {
    const link = linkInode(d.target);
    if (link?.kind === "socket") {
      const entry = context.sockets.get(link.inode);
      if (entry) sockets.push({ ...entry, fd: d.fd });
    } else if (d.size !== null) {
      files.push({ fd: d.fd, path: d.target, position: d.position, size: d.size });
    }
  }
  const cb = context.cgroupBefore?.cpu, ca = context.cgroupAfter?.cpu;
  const quota = cb && ca && ca.quotaUs !== null ? { cb, ca } : null;
  const periods = quota ? ca!.periods - cb!.periods : 0;
  const throttledWindowPercent = quota
    ? (ca!.throttledUsec - cb!.throttledUsec) / 1e4 / seconds
    : null;
  if (throttledWindowPercent !== null) {
    splitThrottled(threads, throttledWindowPercent, context.cpus ?? 1);
  }
  const mb = context.cgroupBefore?.memory, ma = context.cgroupAfter?.memory;
  const unreadable: string[] = [];
  if (!now.kernelThread) {
    if (now.descriptors === null) unreadable.push("descriptors and sockets");
    else if (now.unreadableLinks > 0) {
      unreadable.push(`${now.unreadableLinks} descriptor links`);
    }
    if (now.io === null) unreadable.push("I/O counters");
    if (now.threads.some((t) => t.state !== "R" && t.wchan === null && t.syscall === null)) {
      unreadable.push("wait channels (wchan)");
    }
    if (now.threads.some((t) => t.syscall === null && t.state !== "R")) {
      unreadable.push("the current system calls");
    }
  }
  if (threads.some((t) => t.waitPercent === null)) unreadable.push("run-queue delay (schedstat)");
  const io = before.io && now.io
    ? {
      readPerSecond: Math.max(0, Number(now.io.read_bytes) - Number(before.io.read_bytes)) /
        seconds,
      writePerSecond: Math.max(0, Number(now.io.write_bytes) - Number(before.io.write_bytes)) /
        seconds,
    }
    : null;
  return {
    pid: now.pid,
    ppid: now.ppid,
    depth: context.depth,
    comm: now.comm,
    cmdline: now.cmdline,
    state: now.state,
    kernelThread: now.kernelThread,
    threads,
    sockets,
    files,
    descriptors: now.descriptors === null ? null : {
      open: now.descriptors.length + now.unreadableLinks,
      limit: now.limits && (now.limits.open_files_soft ?? -1) >= 0
        ? now.limits.open_files_soft ?? null
        : null,
      unreadableLinks: now.unreadableLinks,
    },
    trend: {
      descriptors: before.descriptors && now.descriptors
        ? [
          before.descriptors.length + before.unreadableLinks,
          now.descriptors.length + now.unreadableLinks,
        ]
        : null,
      threads: [before.threads.length, now.threads.length],
      rssBytes: [before.rssBytes, now.rssBytes],
    },
    rssBytes: now.rssBytes,
    swapBytes: now.swapBytes,
    majorFaultsPerSecond: Math.max(0, now.majorFaults - before.majorFaults) / seconds,
    io,
    blkioPercent: context.delayAccounting
      ? 100 * Math.max(0, now.blkioTicks - before.blkioTicks) / context.clockTicks / seconds
      : null,
    oomScore: now.oomScore,
    cgroup: context.cgroupAfter,
    throttledPercent: periods > 0 ? 100 * (ca!.throttled - cb!.throttled) / periods : null,
    throttledWindowPercent,
    oomKillsInWindow: mb && ma && mb.oomKills !== null && ma.oomKills !== null
      ? ma.oomKills - mb.oomKills
      : null,
    zombieChildren: now.zombieChildren,
    unreadable,
    exited: after === null,
  };
}
