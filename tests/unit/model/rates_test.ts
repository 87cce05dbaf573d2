import { assertEquals } from "../../_helpers/assert.ts";
import { RateTracker } from "../../../src/model/rates.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const node = (pid: number, start: number, utime: number, read?: number): ProcessNode =>
  ({
    stat: {
      pid,
      ppid: 1,
      comm: `p${pid}`,
      state: "S",
      starttime: start,
      utime,
      stime: 0,
      cutime: 0,
      cstime: 0,
      rss: 256,
      num_threads: 1,
      nice: 0,
    },
    cmdline: "",
    ...(read === undefined ? {} : { io: { read_bytes: read, write_bytes: 0 } }),
  }) as unknown as ProcessNode;

// samples on a clock where the machine booted at 1000 s; start times in ticks after boot
const BOOT_MS = 1_000_000;

Deno.test("rates between two samples; a process born in the interval counts all it used (#31)", () => {
  const tracker = new RateTracker({ pageSize: 4096, clockTicks: 100, memoryBytes: 1048576 * 4 });
  // PID 10 started at 1 tick; the first sample at 100 s after boot
  assertEquals(tracker.next([node(10, 1, 0, 0)], BOOT_MS + 100_000), []);
  // 2 s later: PID 11 was born at 101 s (10,100 ticks) and used 50 ticks since
  const rates = tracker.next(
    [node(10, 1, 50, 2048), node(11, 10_100, 50, 4096)],
    BOOT_MS + 102_000,
  );
  const [r, born] = rates;
  assertEquals([r!.pid, r!.userPercent, r!.readRate, r!.rssMib, r!.memPercent], [
    10,
    25,
    1024,
    1,
    25,
  ]);
  assertEquals([r!.command, r!.cpuSeconds, r!.user], ["[p10]", 0.5, null]);
  assertEquals([born!.pid, born!.userPercent, born!.readRate], [11, 25, 2048]);
  // PID 10 reused by a process born at 103 s: all it used is this interval's
  const [reused] = tracker.next([node(10, 10_300, 60)], BOOT_MS + 104_000);
  assertEquals([reused!.pid, reused!.userPercent], [10, 30]);
});

Deno.test("a process that entered the selection without being born has no rates until its second sample (#31)", () => {
  const tracker = new RateTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.next([node(10, 9_000, 0)], BOOT_MS + 100_000);
  // PID 12 started at 5 s, long before the previous sample, with 500 ticks used elsewhere
  assertEquals(tracker.next([node(10, 9_000, 0), node(12, 500, 500)], BOOT_MS + 102_000).length, 1);
});

Deno.test("a replay's tracker shows a process at its first sample, with no CPU yet", () => {
  const tracker = new RateTracker({ pageSize: 4096, clockTicks: 100 }, { includeNew: true });
  const [first] = tracker.next([node(5, 1, 100)], 0);
  assertEquals([first!.pid, first!.userPercent, first!.readRate], [5, 0, null]);
});

Deno.test("reuseRows gives the rates of a fresh tracker, each process's row the same object updated in place", () => {
  const context = { pageSize: 4096, clockTicks: 100, memoryBytes: 1048576 * 4 };
  const fresh = new RateTracker(context);
  const reusing = new RateTracker(context, { reuseRows: true });
  const samples: [ProcessNode[], number][] = [
    [[node(10, 1, 0, 0), node(12, 1, 5, 0)], BOOT_MS + 100_000],
    [[node(10, 1, 50, 2048), node(11, 10_100, 50, 4096), node(12, 1, 5)], BOOT_MS + 102_000],
    // 12 gone, 10 reused by a process born at 103 s, 11 read no longer
    [[node(10, 10_300, 60), node(11, 10_100, 70, 8192)], BOOT_MS + 104_000],
    [[node(10, 10_300, 80), node(11, 10_100, 70, 8192)], BOOT_MS + 106_000],
  ];
  let before: unknown[] = [];
  for (const [nodes, at] of samples) {
    const expected = fresh.next(nodes, at);
    const got = reusing.next(nodes, at);
    assertEquals(structuredClone(got), structuredClone(expected));
    // the rows of PIDs seen before are the objects returned then
    if (before.length > 0 && got.length > 0) assertEquals(before.includes(got[0]), true);
    before = got;
  }
});
