import { assertEquals } from "../../_helpers/assert.ts";
import { findingsFor } from "../../../src/inspect/findings.ts";
import type { ProcessReport, ThreadReport } from "../../../src/inspect/report.ts";

const thread = (tid: number, extra: Partial<ThreadReport> = {}): ThreadReport => ({
  tid,
  name: `t${tid}`,
  state: "S",
  wchan: null,
  userPercent: 0,
  systemPercent: 0,
  waitPercent: 0,
  voluntaryPerSecond: 0,
  involuntaryPerSecond: 0,
  blockedAllWindow: false,
  ...extra,
});

const report = (extra: Partial<ProcessReport> = {}): ProcessReport => ({
  pid: 100,
  ppid: 1,
  depth: 0,
  comm: "app",
  cmdline: "app --serve",
  threads: [thread(100)],
  sockets: [],
  files: [],
  descriptors: { open: 10, limit: 1024 },
  rssBytes: 1 << 20,
  oomScore: 0,
  cgroup: null,
  throttledPercent: null,
  syscall: null,
  syscallFd: null,
  unreadable: [],
  exited: false,
  ...extra,
});

const rules = (r: ProcessReport) => findingsFor(r, 2, 2).map((f) => f.rule);

Deno.test("a quiet process has no finding", () => {
  assertEquals(findingsFor(report(), 2, 2), []);
});

Deno.test("hot_thread: a thread at 80 % of a core or more, named with its share", () => {
  const r = report({
    threads: [thread(100), thread(101, { name: "worker-3", userPercent: 95, systemPercent: 3 })],
  });
  assertEquals(
    findingsFor(r, 2, 2)[0].text,
    "thread worker-3 (TID 101) burns 98% of a core (user 95%, system 3%) — the busiest of 2 threads",
  );
  assertEquals(rules(report({ threads: [thread(100, { userPercent: 79 })] })), []);
  // on a loaded machine: half a core and waiting for a CPU the rest of the time
  assertEquals(
    findingsFor(report({ threads: [thread(100, { userPercent: 45, waitPercent: 50 })] }), 2, 2)[0]
      .text,
    "thread t100 (TID 100) burns 45% of a core (user 45%, system 0%) and waited 50% of the window for a CPU",
  );
});

Deno.test("lock_contention: most threads on a futex and many voluntary switches", () => {
  const waiting = (tid: number) =>
    thread(tid, { wchan: "futex_wait_queue", voluntaryPerSecond: 120 });
  const r = report({ threads: [thread(100), ...[1, 2, 3, 4, 5, 6, 7].map(waiting)] });
  assertEquals(
    findingsFor(r, 2, 2)[0].text,
    "7 of 8 threads wait in futex_wait_queue with 840 voluntary switches/s: lock contention",
  );
  // idle threads parked on a futex, switching rarely, are not contention
  const idle = report({
    threads: [1, 2, 3, 4].map((t) =>
      thread(t, { wchan: "futex_wait_queue", voluntaryPerSecond: 1 })
    ),
  });
  assertEquals(rules(idle), []);
});

Deno.test("run_queue: runnable but waiting for a CPU a large share of the window", () => {
  const r = report({
    threads: [thread(100, { waitPercent: 30 }), thread(101, { waitPercent: 16 })],
  });
  assertEquals(
    findingsFor(r, 2, 2)[0].text,
    "run-queue delay 46% of the window over 2 threads: more runnable threads than CPUs (2)",
  );
});

Deno.test("throttled: a share of its cgroup's periods throttled by cpu.max", () => {
  const r = report({
    throttledPercent: 80,
    cgroup: {
      path: "/app.slice",
      cpuFrom: "cpu.max",
      cpuMax: { quota: 20000, period: 100000 },
      cpuStat: { periods: 100, throttled: 80, throttledUsec: 1 },
      memoryCurrent: null,
      memoryMax: null,
      oomKills: null,
      pressure: { cpu: null, memory: null, io: null },
    },
  });
  assertEquals(
    findingsFor(r, 2, 2)[0].text,
    "throttled in 80% of periods by cpu.max 20000 100000 (cgroup /app.slice)",
  );
});

Deno.test("descriptors: open descriptors near RLIMIT_NOFILE", () => {
  assertEquals(
    findingsFor(report({ descriptors: { open: 1019, limit: 1024 } }), 2, 2)[0].text,
    "1019 of 1024 descriptors open (RLIMIT_NOFILE): a leak, or a limit too low",
  );
  assertEquals(rules(report({ descriptors: { open: 900, limit: 1024 } })), []);
});

Deno.test("blocked_socket: a thread asleep in a socket read all window, with the socket the syscall names", () => {
  const r = report({
    threads: [thread(100, { name: "worker-3", wchan: "wait_woken", blockedAllWindow: true })],
    sockets: [
      {
        fd: 4,
        protocol: "tcp",
        local: "127.0.0.1:41668",
        remote: "127.0.0.1:5432",
        state: "ESTABLISHED",
        sendQueue: 0,
        receiveQueue: 0,
        inode: 1,
      },
      {
        fd: 5,
        protocol: "tcp",
        local: "127.0.0.1:41669",
        remote: "127.0.0.1:6379",
        state: "ESTABLISHED",
        sendQueue: 0,
        receiveQueue: 0,
        inode: 2,
      },
    ],
    syscallFd: 4,
  });
  assertEquals(
    findingsFor(r, 2, 2)[0].text,
    "thread worker-3 (TID 100) blocked 2.0 s reading 127.0.0.1:5432 (tcp, recv-q 0) in wait_woken",
  );
});

Deno.test("memory_limit and oom_kills: from the cgroup", () => {
  const r = report({
    cgroup: {
      path: "/app",
      cpuFrom: "cpu.max",
      cpuMax: null,
      cpuStat: null,
      memoryCurrent: 950 * 1048576,
      memoryMax: 1000 * 1048576,
      oomKills: 2,
      pressure: { cpu: null, memory: null, io: null },
    },
  });
  assertEquals(rules(r), ["memory_limit", "oom_kills"]);
});
