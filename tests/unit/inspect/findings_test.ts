import { assertEquals } from "../../_helpers/assert.ts";
import { findingsFor, idleProcesses, rankFindings } from "../../../src/inspect/findings.ts";
import type { ProcessReport, ThreadReport, WaitObject } from "../../../src/inspect/report.ts";
import type { CgroupFigures } from "../../../src/inspect/cgroup_files.ts";

const thread = (tid: number, extra: Partial<ThreadReport> = {}): ThreadReport => ({
  tid,
  name: `t${tid}`,
  state: "S",
  wchan: null,
  userPercent: 0,
  systemPercent: 0,
  waitPercent: 0,
  waitPerSliceMs: null,
  shares: { other: 100 },
  calls: {},
  voluntaryPerSecond: 0,
  involuntaryPerSecond: 0,
  syscall: null,
  waitsOn: null,
  blockedAllWindow: false,
  io: null,
  stack: null,
  hotFunctions: null,
  ...extra,
});

const report = (extra: Partial<ProcessReport> = {}): ProcessReport => ({
  pid: 100,
  ppid: 1,
  depth: 0,
  comm: "app",
  cmdline: "app --serve",
  state: "S",
  kernelThread: false,
  threads: [thread(100)],
  sockets: [],
  files: [],
  descriptors: { open: 10, limit: 1024, unreadableLinks: 0 },
  trend: { descriptors: [10, 10], threads: [1, 1], rssBytes: [1 << 20, 1 << 20] },
  rssBytes: 1 << 20,
  swapBytes: 0,
  majorFaultsPerSecond: 0,
  io: { readPerSecond: 0, writePerSecond: 0 },
  blkioPercent: null,
  oomScore: 0,
  cgroup: null,
  throttledPercent: null,
  throttledWindowPercent: null,
  oomKillsInWindow: null,
  zombieChildren: [],
  unreadable: [],
  exited: false,
  ...extra,
});

const cgroup = (extra: Partial<CgroupFigures> = {}): CgroupFigures => ({
  path: "/",
  cpu: null,
  memory: null,
  pressure: { cpu: null, memory: null, io: null },
  ...extra,
});

const rules = (r: ProcessReport) => rankFindings(findingsFor(r, 2, 2)).map((f) => f.rule);
const first = (r: ProcessReport) => rankFindings(findingsFor(r, 2, 2))[0]!;

Deno.test("a quiet process has no finding", () => {
  assertEquals(findingsFor(report(), 2, 2), []);
});

Deno.test("hot_thread: a thread at 80 % of a core or more; only the first is the busiest", () => {
  const r = report({
    threads: [
      thread(100, { userPercent: 85 }),
      thread(101, { name: "worker-3", userPercent: 95, systemPercent: 3 }),
    ],
  });
  const found = rankFindings(findingsFor(r, 2, 2));
  assertEquals(
    found[0]!.text,
    "thread worker-3 (TID 101) burns 98% of a core (user 95%, system 3%) — the busiest of 2 " +
      "threads; perf top -t 101 shows where",
  );
  assertEquals(found[1]!.text.includes("busiest"), false);
  assertEquals(rules(report({ threads: [thread(100, { userPercent: 79 })] })), []);
});

Deno.test("lock_contention needs threads that want to run, not an idle pool (#32)", () => {
  const waiting = (tid: number, wakes: number, preempted: number) =>
    thread(tid, {
      wchan: "futex_do_wait",
      shares: { futex: 90, running: 3 },
      voluntaryPerSecond: wakes,
      involuntaryPerSecond: preempted,
    });
  const busy = report({
    threads: [thread(100), ...[1, 2, 3, 4, 5, 6, 7].map((t) => waiting(t, 600, 300))],
  });
  assertEquals(first(busy).rule, "lock_contention");
  assertEquals(
    first(busy).text,
    "7 of 8 threads wait in futex_do_wait 90% of the window, blocking 4200 times/s and " +
      "preempted 2100 times/s (threads runnable together): lock contention; a stack dump of " +
      'the threads (gdb -p 100 -batch -ex "thread apply all bt", py-spy dump) shows who holds it',
  );
  // four workers woken one at a time, once every 2 ms in all: a pool waiting for work
  const pool = report({
    threads: [
      thread(100, { shares: { timer: 97 } }),
      ...[1, 2, 3, 4].map((t) => waiting(t, 125, 0)),
    ],
  });
  assertEquals(rules(pool), []);
});

Deno.test("run_queue: a share of the window per thread, never summed past 100 % (#32)", () => {
  const r = report({
    threads: [1, 2, 3, 4, 5, 6, 7, 8].map((t) =>
      thread(t, {
        waitPercent: 40,
        shares: { cpu_wait: 40, other: 60 },
        waitPerSliceMs: 6,
        involuntaryPerSecond: 100,
      })
    ),
  });
  assertEquals(
    first(r).text,
    "8 threads waited for a CPU: the worst, t1 (TID 1), 40% of the window, 6.0 ms each time: " +
      "more runnable threads than CPUs (2); see who else runs (procpath top)",
  );
});

Deno.test("throttled leads, and the run-queue delay it causes is not called contention (#32)", () => {
  const r = report({
    threads: [
      // report.ts moved the throttled part of its run-queue wait out of cpu_wait
      thread(100, {
        userPercent: 10,
        waitPercent: 88,
        shares: { running: 10, throttled: 88, cpu_wait: 0, other: 2 },
        involuntaryPerSecond: 10,
      }),
    ],
    throttledPercent: 95,
    throttledWindowPercent: 88,
    cgroup: cgroup({
      cpu: {
        from: "cpu.cfs_quota_us",
        path: "/batch",
        quotaUs: 10000,
        periodUs: 100000,
        periods: 20,
        throttled: 19,
        throttledUsec: 1760000,
      },
    }),
  });
  assertEquals(rules(r), ["throttled"]);
  assertEquals(
    first(r).text,
    "throttled by its cgroup's CPU quota in 95% of periods (1.8 s throttled in 2.0 s): " +
      "cpu.cfs_quota_us 10000 per 100000 µs (0.10 CPU) in cgroup /batch; raise the quota or " +
      "give it less work",
  );
});

Deno.test("blocked_pipe names the pipe and the process at its other end", () => {
  const pipe: WaitObject = {
    fd: 1,
    kind: "pipe",
    target: "pipe:[45904]",
    socket: null,
    peers: [{ pid: 23787, comm: "sleep", fd: 0, access: 0 }],
    position: 0,
    size: null,
  };
  const r = report({
    threads: [
      thread(100, {
        name: "yes",
        wchan: "anon_pipe_write",
        syscall: "write",
        shares: { pipe: 100 },
        waitsOn: pipe,
        blockedAllWindow: true,
      }),
    ],
  });
  assertEquals(
    first(r).text,
    "thread yes (TID 100) blocked 2.0 s of 2.0 s writing to pipe:[45904] (fd 1, write) in " +
      "anon_pipe_write: the pipe is full and its reader is PID 23787 sleep (fd 0), which is not " +
      "reading",
  );
});

Deno.test("blocked_socket names the thread's own socket and peer, not the main thread's (#32)", () => {
  const socket = (fd: number, port: number, peerFd: number): WaitObject => ({
    fd,
    kind: "socket",
    target: `socket:[${fd}]`,
    socket: {
      protocol: "tcp",
      local: `127.0.0.1:4${port}`,
      remote: `127.0.0.1:${port}`,
      state: "ESTABLISHED",
      sendQueue: 0,
      receiveQueue: 0,
      inode: fd,
    },
    peers: [{ pid: 7, comm: "server", fd: peerFd, access: 2 }],
    position: null,
    size: null,
  });
  const reading = (tid: number, object: WaitObject) =>
    thread(tid, {
      name: `reader-${tid}`,
      wchan: "wait_woken",
      syscall: "recvfrom",
      shares: { socket: 100 },
      waitsOn: object,
    });
  const r = report({ threads: [reading(1, socket(4, 5432, 9)), reading(2, socket(6, 6379, 10))] });
  assertEquals(findingsFor(r, 2, 2).map((f) => f.text), [
    "thread reader-1 (TID 1) blocked 2.0 s of 2.0 s in recvfrom on 127.0.0.1:5432 (tcp, fd 4, " +
    "recv-q 0, send-q 0) in wait_woken; the other end is PID 7 server (fd 9)",
    "thread reader-2 (TID 2) blocked 2.0 s of 2.0 s in recvfrom on 127.0.0.1:6379 (tcp, fd 6, " +
    "recv-q 0, send-q 0) in wait_woken; the other end is PID 7 server (fd 10)",
  ]);
});

Deno.test("storage_wait leads over the wake-up latency of a thread that blocks often (#32)", () => {
  const r = report({
    threads: [
      thread(100, {
        name: "fsync_loop",
        wchan: "submit_bio_wait",
        shares: { running: 10, cpu_wait: 45, disk: 40, other: 5 },
        waitPercent: 45,
        waitPerSliceMs: 0.07,
        voluntaryPerSecond: 7000,
        involuntaryPerSecond: 1000,
      }),
    ],
    io: { readPerSecond: 0, writePerSecond: 1.3 * 1048576 },
  });
  assertEquals(rules(r), ["storage_wait", "run_queue"]);
  // on an overloaded machine the run queue takes most of the window; storage still leads
  const overloaded = report({
    threads: [
      thread(100, {
        wchan: "submit_bio_wait",
        shares: { running: 8, cpu_wait: 86, uninterruptible: 4, other: 2 },
        // woken inside fsync and waiting for a CPU: still in the call at most looks
        calls: { fsync: 85 },
        waitPercent: 86,
        waitPerSliceMs: 0.82,
        voluntaryPerSecond: 2000,
        involuntaryPerSecond: 300,
      }),
    ],
    io: { readPerSecond: 0, writePerSecond: 60 * 1048576 },
  });
  assertEquals(rules(overloaded), ["storage_wait", "run_queue"]);
  assertEquals(
    first(r).text,
    "thread fsync_loop (TID 100) waited for storage 40% of the window (D in submit_bio_wait); " +
      "the process writes 1.3 MiB/s and reads 0 KiB/s of storage, and 45% waiting for a CPU " +
      "after its 7000 wake-ups a second; iostat -x 1 shows the device's latency, fewer syncs " +
      "or larger writes wait less",
  );
});

Deno.test("stopped and uninterruptible processes are findings (#32)", () => {
  const stopped = report({
    state: "T",
    threads: [thread(100, { state: "T", shares: { stopped: 100 } })],
  });
  assertEquals(first(stopped).rule, "stopped");
  const d = report({
    state: "D",
    threads: [
      thread(100, {
        state: "D",
        wchan: "kernel_clone",
        syscall: "vfork",
        shares: { uninterruptible: 100 },
      }),
    ],
  });
  assertEquals(
    first(d).text,
    "thread t100 (TID 100) in uninterruptible sleep (D) 100% of the window in kernel_clone " +
      "(system call vfork): signals wait until the kernel lets it go; as root, " +
      "/proc/100/task/100/stack shows where",
  );
});

Deno.test("memory_limit with OOM kills from a v1 memory cgroup (#32)", () => {
  const r = report({
    cgroup: cgroup({
      memory: {
        from: "memory.limit_in_bytes",
        path: "/jobs",
        current: 67043328,
        max: 67108864,
        oomKills: 1,
        limitHits: 115,
        swap: null,
      },
    }),
  });
  assertEquals(
    first(r).text,
    "cgroup memory 64 MiB of its limit 64 MiB (99.9%, memory.limit_in_bytes, cgroup /jobs); " +
      "1 OOM kill recorded, the limit hit 115 times: the kernel reclaims its cache and kills at " +
      "the limit; raise memory.limit_in_bytes or shrink what the group holds",
  );
  const far = report({
    cgroup: cgroup({
      memory: {
        from: "memory.max",
        path: "/app",
        current: 100 << 20,
        max: 1000 << 20,
        oomKills: 2,
        limitHits: 0,
        swap: 0,
      },
    }),
  });
  assertEquals(rules(far), ["oom_kills"]);
});

Deno.test("descriptors near RLIMIT_NOFILE, and growing over the window (#32)", () => {
  assertEquals(
    first(report({ descriptors: { open: 1019, limit: 1024, unreadableLinks: 0 } })).text,
    "1019 of 1024 descriptors open (RLIMIT_NOFILE): a leak, or a limit too low; " +
      "ls -l /proc/100/fd shows what they are",
  );
  const growing = report({
    trend: { descriptors: [100, 278], threads: [1, 1], rssBytes: [1, 1] },
  });
  assertEquals(first(growing).text, "descriptors grew 100 → 278 in 2.0 s: a leak if it goes on");
  const steady = report({ trend: { descriptors: [100, 110], threads: [1, 1], rssBytes: [1, 1] } });
  assertEquals(rules(steady), []);
});

Deno.test("threads and resident memory growing, major faults and zombies are findings (#32)", () => {
  const grown = report({
    trend: { descriptors: [10, 10], threads: [4, 40], rssBytes: [100 << 20, 300 << 20] },
    majorFaultsPerSecond: 450,
    swapBytes: 64 << 20,
    zombieChildren: [1, 2, 3, 4, 5, 6],
  });
  assertEquals(rankFindings(findingsFor(grown, 2, 2)).map((f) => f.text), [
    "threads grew 4 → 40 in 2.0 s: a leak if it goes on",
    "resident memory grew 100 MiB → 300 MiB in 2.0 s: a leak if it goes on",
    "450 major page faults/s: pages read back from disk or swap (64 MiB swapped out)",
    "6 zombie children not reaped (it does not wait() for them)",
  ]);
  // small changes are not growth
  const steady = report({
    trend: { descriptors: [10, 10], threads: [4, 8], rssBytes: [100 << 20, 110 << 20] },
  });
  assertEquals(rules(steady), []);
});

/** A reader asleep on an empty pipe all window, with `writers` at its other end. */
const reader = (writers: number) =>
  report({
    threads: [thread(100, {
      name: "cat",
      wchan: "anon_pipe_read",
      syscall: "read",
      shares: { pipe: 100 },
      blockedAllWindow: true,
      waitsOn: {
        fd: 0,
        kind: "pipe",
        target: "pipe:[9]",
        socket: null,
        peers: Array.from({ length: writers }, (_, i) => ({
          pid: 200 + i,
          comm: "sh",
          fd: 1,
          access: 1,
        })),
        position: null,
        size: null,
      },
    })],
  });

Deno.test("blocked_pipe: one writer or many, in words; capped at three named", () => {
  assertEquals(
    first(reader(1)).text,
    "thread cat (TID 100) blocked 2.0 s of 2.0 s reading from pipe:[9] (fd 0, read) in " +
      "anon_pipe_read: the pipe is empty and its writer is PID 200 sh (fd 1), which is not writing",
  );
  assertEquals(
    first(reader(328)).text.split(": ").at(-1),
    "the pipe is empty and its writers are PID 200 sh (fd 1), PID 201 sh (fd 1), PID 202 sh " +
      "(fd 1) and 325 more, none of them writing",
  );
});

Deno.test("blocked_pipe: a reader whose every writer was inspected and idle is no finding", () => {
  const idleWriter = report({ pid: 200, threads: [thread(200, { shares: { other: 100 } })] });
  const busyWriter = report({
    pid: 201,
    threads: [thread(201, { shares: { running: 30, other: 70 } })],
  });
  const idle = idleProcesses([idleWriter, busyWriter]);
  assertEquals([...idle], [200]);
  assertEquals(findingsFor(reader(1), 2, 2, idle), []);
  // one writer not idle (or not inspected): the reader's wait is said
  assertEquals(findingsFor(reader(2), 2, 2, idle).map((f) => f.rule), ["blocked_pipe"]);
});

Deno.test("lock_contention: two threads taking turns on one lock; not an idle pool's two workers", () => {
  const turn = (tid: number, running: number, futex: number, blocks: number) =>
    thread(tid, {
      wchan: "futex_do_wait",
      shares: { running, cpu_wait: 100 - running - futex, futex },
      voluntaryPerSecond: blocks,
      involuntaryPerSecond: 40,
    });
  // figures of the two-thread convoy of the e2e test (favoured on a loaded machine)
  const convoy = report({
    threads: [thread(100), turn(101, 73, 22, 3325), turn(102, 46, 47, 7696)],
  });
  assertEquals(rules(convoy), ["lock_contention"]);
  assertEquals(
    first(convoy).text.split(":")[0],
    "2 threads (TID 101, 102) take turns on a lock",
  );
  // an idle pool's workers: on the futex nearly all the window, barely running
  const pool = report({ threads: [thread(100), turn(101, 1, 97, 130), turn(102, 1, 97, 125)] });
  assertEquals(rules(pool), []);
});

Deno.test("blocked_pipe: a writer holding the pipe twice is one process; none visible is said", () => {
  const r = reader(2);
  r.threads[0]!.waitsOn!.peers[1] = { pid: 200, comm: "sh", fd: 2, access: 1 };
  assertEquals(
    first(r).text.split(": ").at(-1),
    "the pipe is empty and its writer is PID 200 sh (fd 1, 2), which is not writing",
  );
  assertEquals(
    first(reader(0)).text.split(": ").at(-1),
    "the pipe is empty and no process visible here holds its write end (another user's, or " +
      "outside this PID namespace)",
  );
});

Deno.test("blocked_socket: a thread reading a socket whose other end its own process holds is no finding", () => {
  const r = report({
    threads: [
      thread(100),
      thread(101, {
        wchan: "unix_stream_read_generic",
        syscall: "recvfrom",
        shares: { socket: 100 },
        blockedAllWindow: true,
        waitsOn: {
          fd: 42,
          kind: "socket",
          target: "socket:[7]",
          socket: null,
          peers: [{ pid: 100, comm: "app", fd: 43, access: 2 }],
          position: null,
          size: null,
        },
      }),
    ],
  });
  assertEquals(findingsFor(r, 2, 2), []);
});
