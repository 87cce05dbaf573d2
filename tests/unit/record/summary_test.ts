import { assertEquals } from "../../_helpers/assert.ts";
import { formatSummary, SummaryTracker } from "../../../src/record/summary.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";
import { childrenOfLegend } from "../../../src/model/reaped_credit.ts";

const node = (
  pid: number,
  ppid: number,
  cmdline: string,
  f: { utime?: number; cutime?: number; rssPages?: number; start?: number } = {},
): ProcessNode =>
  ({
    stat: {
      pid,
      ppid,
      comm: cmdline.split(" ")[0] || "kworker",
      starttime: f.start ?? pid,
      utime: f.utime ?? 0,
      stime: 0,
      cutime: f.cutime ?? 0,
      cstime: 0,
      rss: f.rssPages ?? 256,
    },
    cmdline,
  }) as unknown as ProcessNode;

const exit = (pid: number, ppid: number, ts: number, cpu: number | null = null) =>
  ({
    ts,
    kind: "exit",
    pid,
    ppid,
    comm: null,
    cmdline: null,
    exitCode: 0,
    exitSignal: null,
    utime: cpu,
    stime: cpu === null ? null : 0,
    cutime: null,
    cstime: null,
  }) as const;

Deno.test("the summary: CPU with reaped children, peak RSS, processes, programs by their own CPU", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "make"), node(2, 1, "cc a.c", { rssPages: 1024 })], 1_000_000);
  // cc used 2 s and make reaped a child that used 3 s ("ld", whose zombie said so)
  tracker.exited(exit(3, 1, 1001, 300), "ld -o app", 1);
  tracker.sample([
    node(1, 0, "make", { cutime: 300 }),
    node(2, 1, "cc a.c", { utime: 200, rssPages: 2048 }),
  ], 1_002_000);
  const summary = tracker.finish(2);
  assertEquals([summary.userSeconds, summary.cpuSource, summary.started], [5, "samples", 2]);
  assertEquals(summary.peakTreeRss, { bytes: (256 + 2048) * 4096, at: 1002 });
  // what the samples saw, a lower bound: no kernel count says it was the largest
  assertEquals(summary.peakProcessRss, {
    bytes: 2048 * 4096,
    command: "cc a.c",
    exact: false,
    seen: "sample",
  });
  assertEquals(summary.topPrograms, [
    { program: "ld", command: "ld -o app", seconds: 3, processes: 1, peakRssBytes: null },
    { program: "cc", command: "cc a.c", seconds: 2, processes: 1, peakRssBytes: 2048 * 4096 },
  ]);
  const lines = formatSummary(summary, "procpath record: make exited with status 0");
  assertEquals(lines[0], "procpath record: make exited with status 0");
  assertEquals(lines.some((l) => l.includes("5.00 s") && l.includes("2.50 cores")), true);
  // the kernel's count of reaped CPU, when there is one, is the total
  assertEquals(tracker.finish(2, { rusage: { userSeconds: 6, systemSeconds: 1 } }).userSeconds, 6);
});

Deno.test("the summary credits a compiler's CPU to cc1, not to the make and gcc that reaped it (#31)", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  // make (1) → gcc (2, idle) → cc1 (3, busy); then gcc and cc1 exit, zombies unread
  tracker.sample([node(1, 0, "make -j2", { start: 0 })], 1_000_000);
  tracker.sample([
    node(1, 0, "make -j2", { utime: 1, start: 0 }),
    node(2, 1, "gcc -c a.c", { start: 60 }),
    node(3, 2, "/usr/lib/gcc/cc1 -quiet a.c", { utime: 40, rssPages: 4096, start: 70 }),
  ], 1_000_500);
  tracker.sample([
    node(1, 0, "make -j2", { utime: 1, start: 0 }),
    node(2, 1, "gcc -c a.c", { start: 60 }),
    node(3, 2, "/usr/lib/gcc/cc1 -quiet a.c", { utime: 90, rssPages: 8192, start: 70 }),
  ], 1_001_000);
  // cc1 ran 30 more ticks and exited, then gcc: make reaped 120 + gcc's 0
  tracker.exited(exit(3, 2, 1001.3), "/usr/lib/gcc/cc1 -quiet a.c", 0.8);
  tracker.exited(exit(2, 1, 1001.31), "gcc -c a.c", 0.9);
  tracker.sample([node(1, 0, "make -j2", { utime: 1, cutime: 120, start: 0 })], 1_001_500);
  const top = tracker.finish(1.5).topPrograms;
  // cc1's sampled 90; the 30 after its last sample were cc1's or gcc's: not known which
  assertEquals(top.map((p) => [p.program, Math.round(p.seconds * 100), p.processes]), [
    ["cc1", 90, 1],
    ["(exited, not split)", 30, 0],
    ["make", 1, 1],
  ]);
  assertEquals(top[0]!.peakRssBytes, 8192 * 4096);
  assertEquals(top[1]!.command, "cc1, gcc");
});

Deno.test("the summary credits what a reaper reaped to the one exit that explains it, and guesses no split (#31)", () => {
  // sh runs an idle sleep, then alloc2 (18 ticks of page faults), both between samples;
  // their zombies were reaped unread. A lifetime split gave it all to the sleep once.
  const run = (exits: [number, string][]) => {
    const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
    tracker.sample([node(1, 0, "sh -c job", { start: 0 })], 1_000_000);
    exits.forEach(([pid, command], i) => tracker.exited(exit(pid, 1, 1000.2 + i / 10), command, 5));
    tracker.sample([node(1, 0, "sh -c job", { cutime: 18, start: 0 })], 1_001_000);
    return tracker.finish(1).topPrograms.map((p) => [p.program, p.command, p.seconds]);
  };
  assertEquals(run([[2, "./alloc2"]]), [["alloc2", "./alloc2", 0.18]]);
  assertEquals(run([[2, "sleep 0.2"], [3, "./alloc2"]]), [
    ["(exited, not split)", "sleep, alloc2", 0.18],
  ]);
  // one program however many ran it: its name is right whatever the split
  assertEquals(run([[2, "sh -c a"], [3, "sh -c b"]]), [["sh", "sh", 0.18]]);
  // an exit whose zombie was read explains its part; the one left takes the rest
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "sh -c job", { start: 0 })], 1_000_000);
  tracker.exited(exit(2, 1, 1000.2, 0), "sleep 0.2");
  tracker.exited(exit(3, 1, 1000.4), "./alloc2");
  tracker.sample([node(1, 0, "sh -c job", { cutime: 18, start: 0 })], 1_001_000);
  assertEquals(tracker.finish(1).topPrograms.map((p) => [p.program, p.seconds]), [[
    "alloc2",
    0.18,
  ]]);
});

Deno.test("the summary waits for exit events that come after the sample showing their reaping (#31)", () => {
  // sh runs sleep 0.75 (sampled), then alloc2 (16 ticks); alloc2's exit event comes after
  // the sample that shows sh's cutime rise (events are batched): the sleep, the one exit
  // known then, once took it all
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  const sh = (cutime = 0) => node(1, 0, "sh -c job", { cutime, start: 0 });
  tracker.sample([sh(), node(2, 1, "sleep 0.75", { start: 1 })], 1_000_000);
  tracker.sample([sh(), node(2, 1, "sleep 0.75", { start: 1 })], 1_000_500);
  tracker.exited(exit(2, 1, 1000.73), "sleep 0.75");
  tracker.sample([sh(16), node(4, 1, "sleep 0.6", { start: 100_095 })], 1_001_000);
  tracker.exited(exit(3, 1, 1000.95), "./alloc2");
  tracker.sample([sh(16), node(4, 1, "sleep 0.6", { start: 100_095 })], 1_001_500);
  const top = tracker.finish(1.5).topPrograms.map((p) => [p.program, p.command, p.seconds]);
  assertEquals(top, [["(exited, not split)", "sleep, alloc2", 0.16]]);
});

Deno.test("the summary leaves out of an interval the exits after its sample's reading ended (#31)", () => {
  // make → gcc (sampled) → cc1 then as; gcc reaped cc1's last 30 ticks before the sample
  // read at 1001 s (ended 1001.02 s); as exited at 1001.1 s, after it: not a candidate
  const run = (readEnd?: number) => {
    const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
    const gcc = (cutime: number) => node(2, 1, "gcc -c a.c", { cutime, start: 0 });
    const make = node(1, 0, "make", { start: 0 });
    tracker.sample([make, gcc(0), node(3, 2, "cc1 a.c", { utime: 50, start: 1 })], 1_000_500);
    tracker.exited(exit(3, 2, 1000.9), "cc1 a.c");
    tracker.exited(exit(4, 2, 1001.1), "as -o a.o");
    tracker.sample([make, gcc(80)], 1_001_000, readEnd);
    tracker.sample([make, gcc(80)], 1_001_500, readEnd === undefined ? undefined : readEnd + 500);
    return tracker.finish(1).topPrograms.map((p) => [p.program, p.seconds]);
  };
  // (the 50 ticks of the first sample are before any interval)
  assertEquals(run(1_001_020), [["cc1", 0.3]]);
  // not knowing when the reading ended, as may have been reaped before gcc was read
  assertEquals(run(), [["(exited, not split)", 0.3]]);
});

Deno.test("the summary names CPU no exit explains children of the reaper's program, as the docs say", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(5, 4, "sleep 9", { start: 0 })], 1_000_000);
  tracker.sample([node(5, 4, "sleep 9", { cutime: 7, start: 0 })], 1_001_000);
  assertEquals(tracker.finish(1).topPrograms.map((p) => p.program), ["children of sleep"]);
  // still when the reaper has left the samples long before the end (it was forgotten)
  const gone = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  gone.sample([node(5, 4, "sleep 9", { start: 0 })], 1_000_000);
  gone.sample([node(5, 4, "sleep 9", { cutime: 7, start: 0 })], 1_001_000);
  for (let i = 2; i < 20; i++) {
    gone.sample([node(8, 4, "idle", { start: 0 })], 1_000_000 + i * 1000);
  }
  assertEquals(gone.finish(20).topPrograms.map((p) => p.program), ["children of sleep"]);
});

Deno.test("the summary's largest process is the kernel's when it lived between samples (#31)", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "sh -c python3 big.py", { rssPages: 400 })], 1_000_000);
  const usage = { userSeconds: 1, systemSeconds: 0, maxRssKib: 413_000, selfMaxRssKib: 60_000 };
  const summary = tracker.finish(1, { rusage: usage });
  assertEquals(summary.peakProcessRss, {
    bytes: 413_000 * 1024,
    command: null,
    exact: true,
    seen: "kernel",
  });
  // the process may have been sampled too: its peak, not its life, fell between samples
  const line = formatSummary(summary, "t").find((l) => l.includes("403.3 MiB"))!;
  assertEquals(line.includes("its peak fell between samples"), true, line);
  assertEquals(line.includes("it lived between samples"), false, line);
  // below procpath's own peak, the children's figure may be procpath's (a fork's copy)
  const small = tracker.finish(1, { rusage: { ...usage, maxRssKib: 50_000 } });
  assertEquals(small.peakProcessRss, {
    bytes: 400 * 4096,
    command: "sh -c python3 big.py",
    exact: false,
    seen: "sample",
  });
});

Deno.test("the summary gives a sampled peak under procpath's own size as a bound, and says the kernel cannot tell it", () => {
  // sh -c 'sleep 0.3; ./alloc 60; sleep 0.5': the samples saw sleep at 1.6 MiB; the kernel's
  // 61 MiB is under procpath's 71 MiB, which every child it forks starts with
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "sleep 0.3", { rssPages: 400 })], 1_000_000);
  const usage = { userSeconds: 0, systemSeconds: 0, maxRssKib: 62_632, selfMaxRssKib: 72_900 };
  const summary = tracker.finish(1, { rusage: usage });
  assertEquals(summary.peakProcessRss, {
    bytes: 400 * 4096,
    command: "sleep 0.3",
    exact: false,
    seen: "sample",
  });
  assertEquals(summary.kernelBlindBelowBytes, 72_900 * 1024);
  const lines = formatSummary(summary, "t");
  const largest = lines.find((l) => l.includes("the largest process"))!;
  assertEquals(
    largest.trim(),
    "≥ 1.6 MiB the largest process; the largest a sample saw: sleep 0.3",
  );
  assertEquals(
    lines.some((l) => l.includes("cannot tell a peak below 71.2 MiB")),
    true,
    lines.join("\n"),
  );
  // a kernel's count above procpath's and no larger than the sample's confirms the sample
  const confirmed = tracker.finish(1, {
    rusage: { ...usage, maxRssKib: 1_500, selfMaxRssKib: 1_000 },
  });
  assertEquals(confirmed.peakProcessRss?.exact, true);
  assertEquals(confirmed.kernelBlindBelowBytes, null);
  const line = formatSummary(confirmed, "t").find((l) => l.includes("the largest process"))!;
  assertEquals(line.trim(), "1.6 MiB the largest process: sleep 0.3");
});

Deno.test("the summary says what a row of CPU not split holds, and lists no leftovers under 0.05 s", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "sh -c job", { start: 0 })], 1_000_000);
  tracker.exited(exit(2, 1, 1000.2), "sleep 0.2");
  tracker.exited(exit(3, 1, 1000.3), "./alloc2");
  tracker.sample([node(1, 0, "sh -c job", { cutime: 18, start: 0 })], 1_001_000);
  // then 3 ticks no exit explains (rounding of children's counters): not listed
  tracker.sample([node(1, 0, "sh -c job", { cutime: 21, start: 0 })], 1_002_000);
  const summary = tracker.finish(2);
  assertEquals(summary.topPrograms.map((p) => [p.program, p.seconds]), [[
    "(exited, not split)",
    0.18,
  ]]);
  // the total keeps them
  assertEquals(summary.userSeconds, 0.21);
  const lines = formatSummary(summary, "t");
  const legend = lines.filter((l) => l.includes("exited, not split: CPU these programs used"));
  assertEquals(legend.length, 1, lines.join("\n"));
  assertEquals(lines.some((l) => l.includes("children of")), false);
  // the 3 ticks left out are said, so the rows are not read as the whole CPU line
  assertEquals(summary.unlistedLeftoverSeconds, 0.03);
  assertEquals(lines.at(-1), "                  (0.03 s in rows under 0.05 s not listed)");
  // 5 ticks is a row
  const five = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  five.sample([node(5, 4, "sleep 9", { start: 0 })], 1_000_000);
  five.sample([node(5, 4, "sleep 9", { cutime: 5, start: 0 })], 1_001_000);
  assertEquals(five.finish(1).topPrograms.map((p) => p.program), ["children of sleep"]);
  assertEquals(formatSummary(five.finish(1), "t").some((l) => l.includes("not split")), false);
  assertEquals(formatSummary(five.finish(1), "t").some((l) => l.includes("not listed")), false);
});

Deno.test("the summary says what a children of PROGRAM row holds: not the reaper's subtree", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(5, 4, "make all", { start: 0 })], 1_000_000);
  tracker.sample([node(5, 4, "make all", { cutime: 70, start: 0 })], 1_001_000);
  const lines = formatSummary(tracker.finish(1), "t");
  assertEquals(
    lines.at(-1),
    "                  children of make: CPU make reaped from processes no exit event named " +
      "(not counted in the programs above)",
  );
  // a reaper no sample saw: named by its PID
  assertEquals(
    childrenOfLegend("children of PID 7, unrecorded"),
    "children of PID 7, unrecorded: CPU PID 7 reaped from processes no exit event named " +
      "(not counted in the programs above)",
  );
});

Deno.test("the summary counts as started only processes started after procpath did", () => {
  // procpath started 5,000 ticks after boot; a shell and its sleep before, a child after
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100, since: 5_000 });
  tracker.sample(
    [node(1, 0, "sh", { start: 4_000 }), node(2, 1, "sleep 30", { start: 5_000 })],
    1_000_000,
  );
  tracker.sample([
    node(1, 0, "sh", { start: 4_000 }),
    node(2, 1, "sleep 30", { start: 5_000 }),
    node(3, 1, "sleep 1", { start: 5_050 }),
  ], 1_000_500);
  const summary = tracker.finish(1);
  assertEquals([summary.started, summary.startedBefore], [1, 2]);
  const line = formatSummary(summary, "t").find((l) => l.startsWith("  processes"))!;
  assertEquals(
    line.trim(),
    "processes       1 started that a sample saw (and 2 running before the recording)",
  );
  // not known when the recording began: every process sampled, as before
  const blind = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  blind.sample([node(1, 0, "sh", { start: 4_000 })], 1_000_000);
  assertEquals([blind.finish(1).started, blind.finish(1).startedBefore], [1, null]);
});

Deno.test("the summary says a peak is unknown when the only sample caught a zombie (#31)", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "", { rssPages: 0 })], 1_000_000);
  const summary = tracker.finish(1);
  assertEquals([summary.peakTreeRss, summary.peakProcessRss], [null, null]);
  const lines = formatSummary(summary, "t");
  assertEquals(lines.some((l) => l.includes("0.0 MiB")), false);
  assertEquals(lines.some((l) => l.includes("no sample caught a live process")), true);
});

Deno.test("the summary credits nothing to an old process that first enters the selection mid-recording (#31)", () => {
  // booted at 1,000,000 s (btime); sleep (PID 5) started 10 s after boot with 1,000 s of
  // CPU, and a filter on its name matches it from the third sample on
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100, bootTime: 1_000_000 });
  tracker.sample([], 1_002_000_000);
  tracker.sample([], 1_002_000_500);
  tracker.sample([node(5, 1, "sleep 60", { utime: 100_000, start: 1_000 })], 1_002_001_000);
  tracker.sample([node(5, 1, "sleep 60", { utime: 100_000, start: 1_000 })], 1_002_001_500);
  assertEquals(tracker.finish(1.5).userSeconds, 0);
  // without btime, the samples alone bound the boot: this process is all they show
  const blind = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  blind.sample([], 1_002_000_500);
  blind.sample([node(5, 1, "sleep 60", { utime: 100_000, start: 1_000 })], 1_002_001_000);
  assertEquals(blind.finish(1).userSeconds, 1000);
});

Deno.test("the summary credits what the kernel counted after the last sample to the exits since, as between samples", () => {
  // sh (1) sampled at 1000 and 1001 s using nothing; then its children exit unread, and
  // the kernel counted 0.5 s in all: none of it in a sample, all of it after the last
  const run = (exits: [number, string][], alsoRead?: [number, number]) => {
    const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
    tracker.sample([node(1, 0, "sh -c job", { start: 0 })], 1_000_000);
    tracker.sample([node(1, 0, "sh -c job", { start: 0 })], 1_001_000);
    exits.forEach(([pid, command], i) => tracker.exited(exit(pid, 1, 1001.2 + i / 10), command));
    if (alsoRead) tracker.exited(exit(alsoRead[0], 1, 1001.1, alsoRead[1]), "cc1 a.c");
    const usage = { userSeconds: 0.5, systemSeconds: 0 };
    return tracker.finish(1.5, { rusage: usage }).topPrograms
      .map((p) => [p.program, p.command, Math.round(p.seconds * 100)]);
  };
  // one exit: it is the one that can have used it (once all (after the last sample))
  assertEquals(run([[2, "./alloc2"]]), [["alloc2", "./alloc2", 50]]);
  // two programs: not split by guess, named
  assertEquals(run([[2, "./alloc2"], [3, "sleep 1"]]), [
    ["(after the last sample)", "alloc2, sleep", 50],
  ]);
  // a zombie read explains its part; the one unread takes the rest
  assertEquals(run([[2, "./alloc2"]], [4, 20]), [["alloc2", "./alloc2", 30], [
    "cc1",
    "cc1 a.c",
    20,
  ]]);
  // no exit since: nobody's
  assertEquals(run([]), [["(after the last sample)", "(after the last sample)", 50]]);
});

Deno.test("the summary counts a zombie's figure once when its reaper reaps it an interval after the figure is credited", () => {
  // cc1 (3), born and gone between the samples at 1000 and 1001 s, used 50 ticks and its
  // zombie was read; make (1) was read before it reaped cc1, so its cutime rises only by
  // the sample at 1002 s: that rise is cc1's figure again, not children of make
  const run = (rusage: { userSeconds: number; systemSeconds: number } | null = null) => {
    const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
    const make = (cutime: number) => node(1, 0, "make", { cutime, start: 0 });
    tracker.sample([make(0)], 1_000_000);
    tracker.exited(exit(3, 1, 1000.9, 50), "cc1 a.c");
    tracker.sample([make(0)], 1_001_000);
    tracker.sample([make(50)], 1_002_000);
    tracker.sample([make(50)], 1_003_000);
    const summary = tracker.finish(3, { rusage });
    return [summary.userSeconds, summary.topPrograms.map((p) => [p.program, p.seconds])];
  };
  assertEquals(run(), [0.5, [["cc1", 0.5]]]);
  assertEquals(run({ userSeconds: 0.5, systemSeconds: 0 }), [0.5, [["cc1", 0.5]]]);
  // reaped half in each interval: still once
  const split = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  split.sample([node(1, 0, "make", { start: 0 })], 1_000_000);
  split.exited(exit(3, 1, 1000.9, 50), "cc1 a.c");
  split.sample([node(1, 0, "make", { cutime: 20, start: 0 })], 1_001_000);
  split.sample([node(1, 0, "make", { cutime: 50, start: 0 })], 1_002_000);
  // then a child of its own no exit explains: its 7 ticks are children of make's
  split.sample([node(1, 0, "make", { cutime: 57, start: 0 })], 1_003_000);
  assertEquals(split.finish(3).topPrograms.map((p) => [p.program, p.seconds]), [
    ["cc1", 0.5],
    ["children of make", 0.07],
  ]);
  // a new make with the old one's PID reaps 30 of its own children's: not taken for cc1's
  const reused = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  reused.sample([node(1, 0, "make", { start: 0 })], 1_000_000);
  reused.exited(exit(3, 1, 1000.9, 50), "cc1 a.c");
  reused.sample([node(1, 0, "make", { start: 0 })], 1_001_000);
  reused.sample([node(1, 0, "make", { cutime: 30, start: 150 })], 1_002_000);
  reused.sample([node(1, 0, "make", { cutime: 30, start: 150 })], 1_003_000);
  assertEquals(reused.finish(3).topPrograms.map((p) => [p.program, p.seconds]), [
    ["cc1", 0.5],
    ["children of make", 0.3],
  ]);
});

Deno.test("the summary counts once a zombie a sample saw before its reaper waited for it", () => {
  // cc1 (3) sampled at 20 ticks, exits at 50 (read); two samples show its zombie, then
  // make (1) waits: the zombie's 30 are its own once, make's rise is nobody's again
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  const make = (cutime: number) => node(1, 0, "make", { cutime, start: 0 });
  const cc1 = (utime: number) => node(3, 1, "cc1 a.c", { utime, start: 10 });
  tracker.sample([make(0), cc1(0)], 1_000_000);
  tracker.sample([make(0), cc1(20)], 1_001_000);
  tracker.exited(exit(3, 1, 1001.5, 50), "cc1 a.c");
  tracker.sample([make(0), cc1(50)], 1_002_000);
  tracker.sample([make(0), cc1(50)], 1_003_000);
  tracker.sample([make(50)], 1_004_000);
  tracker.sample([make(50)], 1_005_000);
  const summary = tracker.finish(5, { rusage: { userSeconds: 0.5, systemSeconds: 0 } });
  assertEquals(summary.topPrograms.map((p) => [p.program, p.seconds]), [["cc1", 0.5]]);
});

Deno.test("the summary gives an exit's own peak (taskstats) as exact, and no blind spot under procpath's size", () => {
  // sh -c 'sleep 0.3; ./alloc 60; sleep 0.5' as root: the samples saw sleep at 1.6 MiB, the
  // exit of alloc carried the kernel's 61 MiB, the kernel's sum is under procpath's 71 MiB
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "sh -c x"), node(2, 1, "sleep 0.3", { rssPages: 400 })], 1_000_000);
  tracker.exited({ ...exit(3, 1, 1000.5, 2), peakRssKib: 62_464 }, "./alloc 60");
  const usage = { userSeconds: 0, systemSeconds: 0, maxRssKib: 62_632, selfMaxRssKib: 72_900 };
  const summary = tracker.finish(1, { rusage: usage });
  assertEquals(summary.peakProcessRss, {
    bytes: 62_464 * 1024,
    command: "./alloc 60",
    exact: true,
    seen: "exit",
  });
  assertEquals(summary.kernelBlindBelowBytes, null);
  const lines = formatSummary(summary, "t");
  assertEquals(
    lines.find((l) => l.includes("the largest process"))!.trim(),
    "61.0 MiB the largest process: ./alloc 60",
  );
  assertEquals(lines.some((l) => l.includes("cannot tell")), false, lines.join("\n"));
});
