import { assertEquals } from "../../_helpers/assert.ts";
import { formatReport } from "../../../src/inspect/format_report.ts";
import type { InspectReport } from "../../../src/inspect/inspect.ts";
import type { ProcessReport, ThreadReport } from "../../../src/inspect/report.ts";

const thread: ThreadReport = {
  tid: 100,
  name: "w\x1b[2J\nx",
  state: "R",
  wchan: null,
  userPercent: 9.9,
  systemPercent: 0,
  waitPercent: 89,
  waitPerSliceMs: null,
  shares: { running: 10, throttled: 70, cpu_wait: 20 },
  calls: {},
  voluntaryPerSecond: 0,
  involuntaryPerSecond: 40,
  syscall: null,
  waitsOn: null,
  blockedAllWindow: false,
  io: null,
  stack: null,
  hotFunctions: {
    samples: 300,
    top: [
      { name: "spin (app)", samples: 299, percent: 99.67 },
      { name: "__pthread_mutex_lock (libc.so.6)", samples: 1, percent: 0.33 },
    ],
  },
};

const process: ProcessReport = {
  pid: 100,
  ppid: 1,
  depth: 0,
  comm: "app",
  cmdline: "app a\nb \x1b[31mRED",
  state: "R",
  kernelThread: false,
  threads: [thread],
  sockets: [],
  files: [],
  descriptors: null,
  trend: { descriptors: null, threads: [1, 1], rssBytes: [0, 0] },
  rssBytes: 1048576,
  swapBytes: null,
  majorFaultsPerSecond: 0,
  io: null,
  blkioPercent: null,
  oomScore: null,
  cgroup: {
    path: "/",
    cpu: {
      from: "cpu.cfs_quota_us",
      path: "/q",
      quotaUs: 10000,
      periodUs: 100000,
      periods: 20,
      throttled: 20,
      throttledUsec: 1.4e6,
    },
    memory: null,
    pressure: { cpu: null, memory: null, io: null },
  },
  throttledPercent: 100,
  throttledWindowPercent: 70,
  oomKillsInWindow: null,
  zombieChildren: [],
  unreadable: [],
  exited: false,
};

const report = (windowSeconds: number): InspectReport => ({
  windowSeconds,
  requestedSeconds: 2,
  processes: [process],
  findings: [{ pid: 100, rule: "throttled", text: "in cgroup /q\x07", score: 90 }],
  missing: [],
  sampler: { threads: 1, samples: 300, refused: null },
});

Deno.test("formatReport(): control characters escaped, one row each; <1% for a sampled function", () => {
  const lines = formatReport(report(2.01));
  assertEquals(lines.slice(0, 4), [
    "inspected 1 process over 2.0 s",
    "",
    "100 app a\\x0ab \\x1b[31mRED",
    // the summary names the group the quota comes from, not only the v2 path
    "  RSS 1.0 MiB, 1 thread, cgroup / (CPU quota /q)",
  ]);
  assertEquals(lines[5]!.startsWith("  w\\x1b[2J\\x0ax  100  R"), true, lines[5]);
  assertEquals(lines[5]!.endsWith("throttled 70% cpu_wait 20% running 10%"), true, lines[5]);
  assertEquals(
    lines[6],
    "  w\\x1b[2J\\x0ax (TID 100) on a CPU in: spin (app) 100%, " +
      "__pthread_mutex_lock (libc.so.6) <1% (300 samples)",
  );
  assertEquals(lines.at(-1), "  100 app: in cgroup /q\\x07");
});

Deno.test("formatReport(): a window that stretched past the one asked for is said", () => {
  assertEquals(formatReport(report(2.1)).includes("the window stretched"), false);
  assertEquals(
    formatReport(report(3.6))[1],
    "the window stretched to 3.6 s (2.0 s asked): procpath waited for a CPU; every figure " +
      "is over the time that passed",
  );
});
