import { assertEquals } from "../../_helpers/assert.ts";
import { processReport, wantedInodes } from "../../../src/inspect/report.ts";
import type { Look, ReportContext } from "../../../src/inspect/report.ts";
import type { ProcessSample, ThreadSample } from "../../../src/inspect/sample_process.ts";
import type { SocketEntry } from "../../../src/inspect/net.ts";
import { syscallName, waitKind } from "../../../src/inspect/syscalls.ts";
import { parseSyscall } from "../../../src/procfs/parse_syscall.ts";
import { parseCgroupPaths } from "../../../src/inspect/cgroup_files.ts";

const thread = (tid: number, extra: Partial<ThreadSample> = {}): ThreadSample => ({
  tid,
  name: `t${tid}`,
  state: "S",
  utime: 0,
  stime: 0,
  runNs: 0,
  waitNs: 0,
  slices: 0,
  blkioTicks: 0,
  voluntary: 0,
  involuntary: 0,
  wchan: "wait_woken",
  syscall: null,
  io: null,
  stack: null,
  ...extra,
});

const sample = (extra: Partial<ProcessSample> = {}): ProcessSample => ({
  pid: 10,
  at: 0,
  ppid: 1,
  comm: "app",
  cmdline: "app",
  state: "S",
  kernelThread: false,
  uid: 0,
  rssBytes: 4096,
  swapBytes: 0,
  majorFaults: 0,
  blkioTicks: 0,
  io: null,
  threads: [thread(10)],
  descriptors: [],
  unreadableLinks: 0,
  limits: null,
  oomScore: 0,
  cgroups: null,
  zombieChildren: [],
  ...extra,
});

const tcp = (inode: number, local: string, remote: string): SocketEntry => ({
  protocol: "tcp",
  local,
  remote,
  state: "ESTABLISHED",
  sendQueue: 0,
  receiveQueue: 0,
  inode,
});

const context = (extra: Partial<ReportContext> = {}): ReportContext => ({
  seconds: 2,
  clockTicks: 100,
  depth: 0,
  arch: "x86_64",
  looks: new Map(),
  sockets: new Map(),
  holders: new Map(),
  cgroupBefore: null,
  cgroupAfter: null,
  delayAccounting: false,
  ...extra,
});

Deno.test("processReport() names each thread's own socket and its peer from its own syscall (#32)", () => {
  // reader 11 in recvfrom(fd 4), reader 12 in read(fd 6): x86-64 numbers 45 and 0
  const recv = (fd: number, nr: number) =>
    parseSyscall(`${nr} 0x${fd.toString(16)} 0x0 0x1 0x0 0x0 0x0 0x7ff 0x7f`);
  const threads = [
    thread(10, { wchan: "futex_do_wait" }),
    thread(11, { syscall: recv(4, 45) }),
    thread(12, { syscall: recv(6, 0) }),
  ];
  const descriptors = [
    { fd: 4, target: "socket:[100]", position: null, access: 2, size: null },
    { fd: 6, target: "socket:[200]", position: null, access: 2, size: null },
  ];
  const sockets = new Map([
    [100, tcp(100, "127.0.0.1:40000", "127.0.0.1:5432")],
    [101, tcp(101, "127.0.0.1:5432", "127.0.0.1:40000")],
    [200, tcp(200, "127.0.0.1:40001", "127.0.0.1:6379")],
    [201, tcp(201, "127.0.0.1:6379", "127.0.0.1:40001")],
  ]);
  const before = sample({ threads, descriptors });
  const after = sample({ at: 2000, threads, descriptors });
  assertEquals([...wantedInodes([after], sockets, "x86_64")].sort(), [101, 201]);
  const holders = new Map([
    [101, [{ pid: 77, comm: "postgres", fd: 9, access: 2 }]],
    [201, [{ pid: 78, comm: "redis", fd: 5, access: 2 }]],
  ]);
  const report = processReport(before, after, context({ sockets, holders }));
  const [, one, two] = report.threads;
  assertEquals(
    [one!.syscall, one!.waitsOn?.fd, one!.waitsOn?.socket?.remote, one!.waitsOn?.peers[0]?.comm],
    ["recvfrom", 4, "127.0.0.1:5432", "postgres"],
  );
  assertEquals(
    [two!.syscall, two!.waitsOn?.fd, two!.waitsOn?.socket?.remote, two!.waitsOn?.peers[0]?.comm],
    ["read", 6, "127.0.0.1:6379", "redis"],
  );
});

Deno.test("processReport() splits a thread's window: CPU and run queue exactly, sleeps by the looks", () => {
  const looks: Look[] = [
    ...Array(6).fill({ state: "S", wchan: "futex_do_wait" }),
    ...Array(2).fill({ state: "D", wchan: "submit_bio_wait" }),
    ...Array(2).fill({ state: "R", wchan: null }),
  ];
  const before = sample({ threads: [thread(10, { runNs: 0, waitNs: 0 })] });
  // 0.4 s on a CPU and 0.2 s waiting for one in a 2 s window: 20 % and 10 %
  const after = sample({
    at: 2000,
    threads: [thread(10, { runNs: 4e8, waitNs: 2e8, wchan: "futex_do_wait" })],
  });
  const [t] = processReport(before, after, context({ looks: new Map([[10, looks]]) })).threads;
  assertEquals(t!.shares, { running: 20, cpu_wait: 10, futex: 52.5, disk: 17.5 });
});

Deno.test("processReport() says what it could not read, and a run-queue share never passes 100 % (#32)", () => {
  const before = sample({ threads: [thread(10, { waitNs: 0, wchan: null })], descriptors: null });
  const after = sample({
    at: 1000,
    threads: [thread(10, { waitNs: 1.2e9, wchan: null })],
    descriptors: null,
  });
  const looks = new Map([[10, [{ state: "S", wchan: null }]]]);
  const report = processReport(before, after, context({ looks }));
  assertEquals(report.threads[0]!.waitPercent, 100);
  assertEquals(report.unreadable, [
    "descriptors and sockets",
    "I/O counters",
    "wait channels (wchan)",
    "the current system calls",
  ]);
  // links listed but not readable (PID 1 as root in a container): counted and said
  const pid1 = sample({ descriptors: [], unreadableLinks: 327 });
  const r1 = processReport(pid1, { ...pid1, at: 1000 }, context());
  assertEquals(r1.descriptors?.open, 327);
  assertEquals(r1.unreadable.includes("327 descriptor links"), true);
  // a kernel thread has no descriptors or calls to miss
  const kthread = sample({ kernelThread: true, descriptors: null, io: null });
  assertEquals(processReport(kthread, { ...kthread, at: 1000 }, context()).unreadable, []);
});

Deno.test("syscallName() and waitKind() on both architectures", () => {
  assertEquals(
    [syscallName(0, "x86_64"), syscallName(74, "x86_64"), syscallName(58, "x86_64")],
    ["read", "fsync", "vfork"],
  );
  assertEquals(
    [syscallName(63, "aarch64"), syscallName(82, "aarch64"), syscallName(207, "aarch64")],
    ["read", "fsync", "recvfrom"],
  );
  assertEquals(
    [
      waitKind("S", "anon_pipe_write"),
      waitKind("S", "wait_woken", "socket"),
      waitKind("S", "do_epoll_wait"),
      waitKind("D", "kernel_clone"),
      waitKind("D", null),
      waitKind("t", "ptrace_stop"),
    ],
    ["pipe", "socket", "poll", "uninterruptible", "uninterruptible", "stopped"],
  );
});

Deno.test("parseCgroupPaths() keeps each v1 controller's own path (#32)", () => {
  const paths = parseCgroupPaths(
    "9:name=systemd:/\n4:memory:/jobs/a\n2:cpuacct:/\n1:cpu:/batch\n0::/\n",
  );
  assertEquals([paths.v2, paths.v1.get("cpu"), paths.v1.get("memory")], ["/", "/batch", "/jobs/a"]);
});

Deno.test("processReport() says a thread reading its tty waits on the tty, not on the TCP socket it also holds (#32)", () => {
  const reading = parseSyscall("0 0x0 0x7ffd 0x400 0x0 0x0 0x0 0x7ff 0x7f"); // read(0, …)
  const threads = [thread(10, { wchan: "wait_woken", syscall: reading })];
  const descriptors = [
    { fd: 0, target: "/dev/pts/3", position: 0, access: 2, size: null },
    { fd: 3, target: "socket:[100]", position: null, access: 2, size: null },
  ];
  const sockets = new Map([[100, tcp(100, "10.0.0.2:40000", "10.0.0.9:5432")]]);
  const looks = new Map([[10, Array(10).fill({ state: "S", wchan: "wait_woken" })]]);
  const report = processReport(
    sample({ threads, descriptors }),
    sample({ at: 2000, threads, descriptors }),
    context({ sockets, looks }),
  );
  const [t] = report.threads;
  assertEquals([t!.waitsOn?.kind, t!.waitsOn?.target, t!.shares.tty], ["tty", "/dev/pts/3", 100]);
  assertEquals(t!.shares.socket, undefined);
});

/** The shares of a thread's window, summed. */
const total = (shares: Record<string, number | undefined>) =>
  Object.values(shares).reduce((sum: number, v) => sum + (v ?? 0), 0);

Deno.test("processReport(): a throttled spinner's shares are schedstat's and sum to 100 (#32)", () => {
  // 2 s: on a CPU 0.2 s, runnable 1.74 s of which the group was throttled 1.5 s; never
  // seen asleep (every look R), never blocking: the 0.06 s left is the reads' skew
  const before = sample({ threads: [thread(10, { state: "R", runNs: 1e9, waitNs: 5e9 })] });
  const after = sample({
    at: 2000,
    threads: [thread(10, { state: "R", runNs: 1.2e9, waitNs: 6.74e9, utime: 20, involuntary: 60 })],
  });
  const cpu = (throttledUsec: number, periods: number) => ({
    from: "cpu.cfs_quota_us" as const,
    path: "/q",
    quotaUs: 10000,
    periodUs: 100000,
    periods,
    throttled: periods,
    throttledUsec,
  });
  const group = (throttledUsec: number, periods: number) => ({
    path: "/",
    cpu: cpu(throttledUsec, periods),
    memory: null,
    pressure: { cpu: null, memory: null, io: null },
  });
  const looks = new Map([[10, Array.from({ length: 19 }, () => ({ state: "R", wchan: null }))]]);
  const report = processReport(
    before,
    after,
    context({ looks, cgroupBefore: group(0, 0), cgroupAfter: group(1.5e6, 20), cpus: 2 }),
  );
  const { shares } = report.threads[0]!;
  // running is schedstat's 0.2 s of 2 s, never overwritten by what is left over
  assertEquals(Math.abs(shares.running! - 10 * 100 / 97) < 0.01, true, JSON.stringify(shares));
  assertEquals(Math.abs(shares.throttled! - 75) < 0.01, true, JSON.stringify(shares));
  assertEquals(Math.abs(total(shares) - 100) < 1e-9, true, JSON.stringify(shares));
});

Deno.test("processReport(): a thread that blocked between looks keeps the kernel's figures", () => {
  const before = sample({ threads: [thread(10, { state: "R", runNs: 0, waitNs: 0 })] });
  const after = sample({
    at: 2000,
    threads: [thread(10, { state: "R", runNs: 1.8e9, waitNs: 0.1e9, voluntary: 40 })],
  });
  const looks = new Map([[10, [{ state: "R", wchan: null }]]]);
  const { shares } = processReport(before, after, context({ looks })).threads[0]!;
  assertEquals(shares, { running: 90, cpu_wait: 5, other: 5 });
});

Deno.test("processReport(): a named pipe's other end is found by its device and inode (#32)", () => {
  // cat blocked in read(fd 3) of /tmp/f: a FIFO, whose link is its path
  const read = parseSyscall("0 0x3 0x7ff 0x20000 0x0 0x0 0x0 0x7ff 0x7f");
  const threads = [thread(10, { wchan: "anon_pipe_read", syscall: read })];
  const descriptors = [
    { fd: 3, target: "/tmp/f", position: 0, access: 0, size: null, fifo: "fifo:2049:77" },
  ];
  const before = sample({ threads, descriptors });
  const after = sample({ at: 2000, threads, descriptors });
  const holders = new Map([
    ["fifo:2049:77", [
      { pid: 10, comm: "cat", fd: 3, access: 0 },
      { pid: 20, comm: "sleep", fd: 1, access: 1 },
    ]],
  ]);
  const report = processReport(before, after, context({ holders }));
  const waits = report.threads[0]!.waitsOn!;
  assertEquals([waits.kind, waits.peers.map((h) => h.pid)], ["pipe", [20]]);
});
