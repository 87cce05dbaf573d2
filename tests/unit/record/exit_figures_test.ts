// An exit that carries the kernel's taskstats figure: the tracker's row takes its CPU
// (in ticks) and peak without reading the (reaped) zombie, and the summary credits the
// CPU whole and the peak as the largest process's.
import { assertEquals } from "../../_helpers/assert.ts";
import { fakeReader } from "../../_helpers/fake_reader.ts";
import { EventTracker } from "../../../src/record/event_tracker.ts";
import { SummaryTracker } from "../../../src/record/summary.ts";
import type { ReadEvent } from "../../../src/kernel/proc_events.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const exitOf = (pid: number, ppid: number, figure?: ReadEvent["figure"]): ReadEvent => ({
  kind: "exit",
  ns: 2_000_000_000n,
  pid,
  tgid: pid,
  status: 0,
  parentPid: ppid,
  parentTgid: ppid,
  figure,
});

Deno.test("event tracker: an exit's taskstats figure becomes its CPU in ticks and its peak", () => {
  const reads: string[] = [];
  const reader = fakeReader({}, { onRead: (pid, name) => reads.push(`${pid}/${name}`) });
  const tracker = new EventTracker(reader, (ns) => Number(ns) / 1e9, true, {}, 250);
  tracker.take(
    exitOf(7, 1, { utimeUs: 1_234_000, stimeUs: 40_000, hiwaterRssKib: 61_500, whole: true }),
  );
  tracker.take(exitOf(8, 1));
  const [withFigure, without] = tracker.drain();
  assertEquals(
    [withFigure!.utime, withFigure!.stime, withFigure!.cutime, withFigure!.peakRssKib],
    [308.5, 10, null, 61_500], // to the µs: 1.234 s at 250 Hz
  );
  // only the exit without a figure is read (late, and here gone)
  assertEquals(reads, ["8/stat"]);
  assertEquals([without!.utime, without!.peakRssKib], [null, undefined]);
});

const node = (pid: number, ppid: number, cmdline: string, cutime = 0) =>
  ({
    stat: {
      pid,
      ppid,
      comm: cmdline,
      starttime: pid,
      utime: 0,
      stime: 0,
      cutime,
      cstime: 0,
      rss: 256,
    },
    cmdline,
  }) as unknown as ProcessNode;

Deno.test("summary: exits with figures are credited whole; the largest peak is an exit's", () => {
  const summary = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  summary.sample([node(1, 0, "make")], 1_000_000, 1000.01);
  // two programs exited between samples: without figures their 1.5 s would be unsplit
  const row = (pid: number, ticks: number, peakRssKib: number) => ({
    ts: 1000.5,
    kind: "exit" as const,
    pid,
    ppid: 1,
    comm: null,
    cmdline: null,
    exitCode: 0,
    exitSignal: null,
    utime: ticks,
    stime: 0,
    cutime: null,
    cstime: null,
    peakRssKib,
  });
  summary.exited(row(2, 140, 61_440), "cc1 a.c");
  summary.exited(row(3, 10, 5_000), "as a.s");
  summary.sample([node(1, 0, "make", 150)], 1_001_000, 1001.01);
  summary.sample([node(1, 0, "make", 150)], 1_002_000, 1002.01);
  const result = summary.finish(2);
  const seconds = Object.fromEntries(result.topPrograms.map((p) => [p.program, p.seconds]));
  assertEquals(seconds, { cc1: 1.4, as: 0.1 });
  assertEquals(result.peakProcessRss?.bytes, 61_440 * 1024);
  assertEquals(result.peakProcessRss?.command, "cc1 a.c");
});
