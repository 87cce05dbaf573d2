import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { HAND_RUN_NOTED, handRun } from "../../_helpers/run_rows.ts";
import { noEventsRun } from "./no_events_run.ts";
import { buildRun, EXITED_BETWEEN } from "../../../src/report/run_model.ts";
import { toReportData } from "../../../src/report/report_data.ts";
import { UNNAMED } from "../../../src/model/process.ts";
import type { EventRow, SampledRow } from "../../../src/store/report_reads.ts";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

Deno.test("buildRun() gives each process its lifetime from the events, program and exit", () => {
  const run = buildRun(handRun());
  assertEquals(
    run.processes.map((p) => [p.pid, p.parent, p.program, p.start, p.end, p.exitCode, p.startFrom]),
    [
      [10, null, "sh", 100.0, 101.2, 0, "fork"],
      [11, 0, "gcc", 100.2, 100.9, 0, "fork"],
      [12, 0, "ls", 100.6, 100.7, 2, "fork"],
    ],
  );
  assertEquals(run.summary.command, { command: "sh job.sh", exitCode: 0, exitSignal: null });
  close(run.summary.wallSeconds, 1.2, "wall");
  // with events, the command's fork to its exit even where the recorder noted its wider span
  const noted = { start: 99.9, end: 101.3, command: "sh job.sh", exitCode: 0 };
  const withNoted = buildRun(handRun(true, {
    ...noted,
    userSeconds: null,
    systemSeconds: null,
    maxRssKib: null,
  }));
  close(withNoted.summary.wallSeconds, 1.2, "wall with the run noted");
  assertEquals([run.summary.processes, run.summary.failures, run.summary.samples], [3, 1, 2]);
});

Deno.test("buildRun(): what the shell reaped from children of two programs is not split by guess", () => {
  const run = buildRun(handRun());
  // sh: 1 tick of its own; gcc: 20 sampled; the 15 reaped after gcc's sample were gcc's
  // or ls's, which nothing tells apart: they stay (exited, not split), as the
  // record summary keeps them
  const cpu = run.processes.map((p) => p.cpuSeconds);
  close(cpu[0]!, 0.01, "sh");
  close(cpu[1]!, 0.20, "gcc");
  close(cpu[2]!, 0, "ls");
  const between = run.programs.find((p) => p.program === EXITED_BETWEEN)!;
  close(between.cpuSeconds, 0.15, "exited, not split");
  assertEquals(between.count, 0);
  // the whole run is what the kernel counted: sh's own and everything it reaped
  close(run.summary.cpuSeconds, (1 + 30 + 5) / 100, "total");
});

Deno.test("buildRun(): programs table, peak memory and the tree at the peak", () => {
  const run = buildRun(handRun());
  assertEquals(run.programs.map((p) => [p.program, p.count, p.failures, p.peakRss]), [
    ["gcc", 1, 0, 2560 * 4096],
    [EXITED_BETWEEN, 0, 0, 0],
    ["sh", 1, 0, 100 * 4096],
    ["ls", 1, 1, 0],
  ]);
  assertEquals(run.summary.peakTreeRss, { bytes: 2660 * 4096, at: 100.5 });
  assertEquals(run.peakTree.map((r) => [r.depth, r.pid, r.program]), [[0, 10, "sh"], [
    1,
    11,
    "gcc",
  ]]);
  close(run.programs[0]!.longestLifetime, 0.7, "gcc's lifetime");
});

Deno.test("buildRun() without events: lifetimes from the samples, reaped CPU kept as children of", () => {
  const run = buildRun(handRun(false));
  assertEquals(run.processes.map((p) => [p.pid, p.start, p.end, p.startFrom]), [
    [10, 100.5, 101.0, "before"],
    // gcc's start in its stat is the first sample's moment: no older than the recording
    [11, 100.5, 100.5, "stat"],
  ]);
  assertEquals(run.summary.command, null);
  assertEquals(run.summary.hasEvents, false);
  assertEquals(run.programs.map((p) => p.program), ["children of sh", "gcc", "sh"]);
  // 35 reaped ticks less gcc's 20 seen at the first sample; those 20 predate the run's view
  close(run.programs[0]!.cpuSeconds, 0.15, "children of sh");
});

Deno.test("buildRun(): a program whose exec was not read is named by its exit's comm", () => {
  const rows = handRun();
  rows.events![5] = { ...rows.events![5]!, comm: null, cmdline: null }; // ls's exec, unread
  rows.events![6] = { ...rows.events![6]!, comm: "ls" }; // its zombie's stat was read
  assertEquals(buildRun(rows).processes[2]!.program, "ls");
  rows.events![6] = { ...rows.events![6]!, comm: null };
  assertEquals(buildRun(rows).processes[2]!.program, UNNAMED);
});

Deno.test("buildRun(): a process older than the recording whose exit read its CPU gets its tail", () => {
  const rows = handRun();
  // gcc's fork was before the recording: no fork event; its zombie showed 30 ticks
  rows.events!.splice(2, 1);
  rows.events![6] = { ...rows.events![6]!, utime: 28, stime: 2 }; // its exit
  const gcc = buildRun(rows).processes.find((p) => p.pid === 11)!;
  // nothing of its first 20 ticks (before the first sample, as for any older process),
  // then the 10 after that sample, out of the 15 the shell reaped
  assertEquals([gcc.startFrom, gcc.cpuSeconds], ["before", 0.1]);
});

Deno.test("buildRun() with the recorder's counts: the kernel's CPU and peak, the rest shared after the last sample", () => {
  // the kernel counted 0.50 s and a 400 MiB process: 0.36 s the samples and events
  // explain (0.15 s of it between samples), 0.14 s after the last sample (101.0) by sh's
  // exit at 101.2, the only process that exited since
  const run = buildRun(handRun(true, HAND_RUN_NOTED));
  assertEquals(run.summary.cpuSource, "rusage");
  close(run.summary.cpuSeconds, 0.5, "total");
  // the kernel's figure, which no process of the three can be named for
  assertEquals(run.summary.peakProcessRss, {
    bytes: 400 * 1024 * 1024,
    command: null,
    source: "kernel",
  });
  assertEquals(run.summary.peakSampledProcessRss, { bytes: 2560 * 4096, command: "gcc -c a.c" });
  // sh is the only process that exited after the last sample: the 14 ticks are its
  close(run.processes[0]!.cpuSeconds, 0.01 + 0.14, "sh");
  close(run.processes[0]!.estimatedCpuSeconds, 0, "sh's estimate");
  const sum = run.programs.reduce((a, p) => a + p.cpuSeconds, 0);
  close(sum, 0.5, "programs");
});

Deno.test("buildRun(): a program's peak never NaN where samples skip it; processes no sample saw are counted", () => {
  const rows = handRun();
  // cat only in the third of three samples: its RSS row has holes before it (which
  // Math.max(...row) read as NaN)
  const samples = [...rows.samples()];
  samples.push(
    [101.5, 10, 9, 1000, 1, 0, 30, 5, 100, "sh", "sh job.sh"],
    [101.5, 13, 10, 1110, 0, 0, 0, 0, 50, "cat", "cat x"],
  );
  const run = buildRun({ ...rows, samples: () => samples });
  for (const p of run.programs) assert.ok(Number.isFinite(p.peakRss), p.program);
  assertEquals(run.programs.find((p) => p.program === "cat")!.peakRss, 50 * 4096);
  const ls = run.programs.find((p) => p.program === "ls")!;
  assertEquals([ls.count, ls.unsampled], [1, 1]);
});

Deno.test("buildRun(): what exited descendants used is credited once: by a zombie's figure, else to the descendant", () => {
  // sh (10, sampled at 100.5 and 101.0) runs make (20), which runs cc1 (21); both exit
  // between the samples and sh's cutime rises 35: cc1's zombie read 30, make's unread
  // the hand run's sh (its first sample, fork and exec) with other children
  const rows = handRun();
  const [first] = [...rows.samples()];
  const blank = { ...rows.events![0]!, ppid: null };
  const exec = (ts: number, pid: number, ppid: number, cmdline: string): EventRow[] => [
    { ...blank, ts, kind: "fork", pid, ppid },
    { ...blank, ts: ts + 0.001, kind: "exec", pid, comm: cmdline.split(" ")[0]!, cmdline },
  ];
  const exit = (ts: number, pid: number, ppid: number, utime: number | null): EventRow => ({
    ...blank,
    ts,
    kind: "exit",
    pid,
    ppid,
    exitCode: 0,
    utime,
    stime: utime === null ? null : 0,
  });
  const run = (cc1Figure: number | null, makeFigure: number | null) => {
    const samples: SampledRow[] = [first!, [
      101.0,
      10,
      9,
      1000,
      1,
      0,
      35,
      0,
      100,
      "sh",
      "sh job.sh",
    ]];
    const events = [
      ...rows.events!.slice(0, 2),
      ...exec(100.6, 20, 10, "make"),
      ...exec(100.62, 21, 20, "cc1 a.c"),
      exit(100.7, 21, 20, cc1Figure),
      exit(100.8, 20, 10, makeFigure),
    ];
    const built = buildRun({ ...rows, samples: () => samples, events });
    return {
      programs: built.programs.map((p) => [p.program, Math.round(p.cpuSeconds * 100)]),
      total: Math.round(built.summary.cpuSeconds * 100),
    };
  };
  // cc1's figure is its own, not also in a label beside make's (once 66 ticks of 36)
  assertEquals(run(30, null), {
    programs: [["cc1", 30], ["make", 5], ["sh", 1]],
    total: 36,
  });
  // make's read and cc1's not: the rest is cc1's (once children of sh)
  assertEquals(run(null, 5), {
    programs: [["cc1", 30], ["make", 5], ["sh", 1]],
    total: 36,
  });
  // neither read: the 35 are make's or cc1's, not known which
  assertEquals(run(null, null), {
    programs: [[EXITED_BETWEEN, 35], ["sh", 1], ["cc1", 0], ["make", 0]],
    total: 36,
  });
});

Deno.test("buildRun(): a zombie's figure its reaper reaps an interval later is counted once", () => {
  // sh (10) sampled every 0.5 s runs cc1 (21), forked at 100.2; cc1 exits at 100.9 and
  // its zombie is read (30 ticks); the samples hold sh only
  const rows = handRun();
  const sh = (ts: number, cutime: number): SampledRow => [
    ts,
    10,
    9,
    1000,
    1,
    0,
    cutime,
    0,
    100,
    "sh",
    "sh job.sh",
  ];
  const events = (cc1Figure: number | null): EventRow[] => [
    ...rows.events!.slice(0, 2),
    { ...rows.events![2]!, ts: 100.2, pid: 21 },
    { ...rows.events![3]!, ts: 100.201, pid: 21, comm: "cc1", cmdline: "cc1 a.c" },
    {
      ...rows.events![6]!,
      ts: 100.9,
      pid: 21,
      utime: cc1Figure,
      stime: cc1Figure === null ? null : 0,
    },
  ];
  /** Programs' CPU (ticks) and the series' CPU (ticks) over the run, per program. */
  const run = (cutimes: number[], cc1Figure: number | null = 30) => {
    const samples = cutimes.map((c, i) => sh(100 + i / 2, c));
    const built = buildRun({ ...rows, samples: () => samples, events: events(cc1Figure) });
    const { times, programs, cpu } = built.series;
    const series = programs.map((name, k) => [
      name,
      Math.round(
        cpu[k]!.reduce(
          (sum, cores, i) => sum + (i === 0 ? 0 : cores * (times[i]! - times[i - 1]!) * 100),
          0,
        ),
      ),
    ]);
    return {
      programs: built.programs.map((p) => [p.program, Math.round(p.cpuSeconds * 100)]),
      series: series.filter(([, ticks]) => ticks !== 0),
    };
  };
  // sh read before it reaped cc1 at 101.0, its cutime up at 101.5: not children of sh
  // as well (once cc1 30 and children of sh 30)
  const once = { programs: [["cc1", 30], ["sh", 1]], series: [["cc1", 30]] };
  assertEquals(run([0, 0, 0, 30, 30]), once);
  // reaped across two intervals: the same
  assertEquals(run([0, 0, 0, 12, 30]), once);
  // sh reaps 5 more ticks of another child after: those are children of sh
  assertEquals(run([0, 0, 0, 30, 35]).programs, [["cc1", 30], ["children of sh", 5], ["sh", 1]]);
  // unread, there is no figure to carry: the later rise is children of sh, once
  assertEquals(run([0, 0, 0, 30, 30], null).programs, [["children of sh", 30], ["sh", 1], [
    "cc1",
    0,
  ]]);
});

Deno.test("buildRun(): a zombie a sample shows is counted by its counters there, not its exit's figure again", () => {
  // sh (10) runs cc1 (21, forked at 100.2): sampled at 100.5 with 10 ticks, it exits at
  // 100.7 (its zombie read 30); the sample at 101.0 shows the zombie; sh waits for it
  // by 101.5. The series had cc1's last 20 ticks twice (50 of 30)
  const rows = handRun();
  const sh = (
    ts: number,
    cutime: number,
  ): SampledRow => [ts, 10, 9, 1000, 1, 0, cutime, 0, 100, "sh", "sh job.sh"];
  const cc1 = (
    ts: number,
    utime: number,
  ): SampledRow => [ts, 21, 10, 1019, utime, 0, 0, 0, 50, "cc1", ts > 100.7 ? "" : "cc1 a.c"];
  const samples = [
    sh(100, 0),
    sh(100.5, 0),
    cc1(100.5, 10),
    sh(101, 0),
    cc1(101, 30),
    sh(101.5, 30),
    sh(102, 30),
  ];
  const events: EventRow[] = [
    ...rows.events!.slice(0, 2),
    { ...rows.events![2]!, ts: 100.2, pid: 21 },
    { ...rows.events![3]!, ts: 100.201, pid: 21, comm: "cc1", cmdline: "cc1 a.c" },
    { ...rows.events![6]!, ts: 100.7, pid: 21, utime: 30, stime: 0 },
  ];
  const built = buildRun({ ...rows, samples: () => samples, events });
  const { times, programs, cpu } = built.series;
  const ticks = (name: string) =>
    cpu[programs.indexOf(name)]!.map((cores, i) =>
      i === 0 ? 0 : Math.round(cores * (times[i]! - times[i - 1]!) * 100)
    );
  assertEquals(ticks("cc1"), [0, 10, 20, 0, 0]);
  assertEquals(built.programs.map((p) => [p.program, Math.round(p.cpuSeconds * 100)]), [
    ["cc1", 30],
    ["sh", 1],
  ]);
});

Deno.test("buildRun() without events: the command and status its recorder noted, lifetimes from stat", () => {
  const run = buildRun(noEventsRun());
  assertEquals(run.summary.command, { command: "sh job.sh", exitCode: 3, exitSignal: null });
  // born after the recorder started, by the start times in their stat lines
  assertEquals(
    run.processes.map((p) => [p.pid, Math.round(p.start * 100) / 100, p.end, p.startFrom]),
    [[10, 100.3, 101.0, "stat"], [11, 100.85, 101.0, "stat"]],
  );
  close(run.summary.start, 100.3, "the run starts with its first process");
  // no fork or exit to time the command by: the span its recorder noted (the samples'
  // 0.7 s missed its start and end), and the cores on average by it
  close(run.summary.wallSeconds, 0.9, "wall");
  assertEquals(toReportData(run).cores_average, 0.28); // 0.25 s of CPU
  close(run.programs.find((p) => p.program === "sh")!.longestLifetime, 0.7, "sh's lifetime");
  close(run.programs.find((p) => p.program === "spin")!.longestLifetime, 0.15, "spin's");
  // a process older than the recorder predates the run
  const rows = noEventsRun();
  const older = buildRun({ ...rows, run: { ...rows.run!, start: 100.4 } });
  assertEquals(older.processes.map((p) => p.startFrom), ["before", "stat"]);
  close(older.processes[0]!.start, 100.5, "from the first sample");
});
