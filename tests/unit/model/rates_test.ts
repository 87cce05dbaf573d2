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

Deno.test("rates between two samples; a new or reused PID has none until its second sample", () => {
  const tracker = new RateTracker({ pageSize: 4096, clockTicks: 100, memoryBytes: 1048576 * 4 });
  assertEquals(tracker.next([node(10, 1, 0, 0)], 0), []);
  const rates = tracker.next([node(10, 1, 50, 2048), node(11, 7, 5)], 2000);
  assertEquals(rates.length, 1); // 11 is new
  const [r] = rates;
  assertEquals([r.pid, r.userPercent, r.readRate, r.rssMib, r.memPercent], [10, 25, 1024, 1, 25]);
  assertEquals([r.command, r.cpuSeconds, r.user], ["[p10]", 0.5, null]);
  // PID 10 reused by another process: no rates for it
  assertEquals(tracker.next([node(10, 99, 60)], 4000), []);
});

Deno.test("a replay's tracker shows a process at its first sample, with no CPU yet", () => {
  const tracker = new RateTracker({ pageSize: 4096, clockTicks: 100 }, { includeNew: true });
  const [first] = tracker.next([node(5, 1, 100)], 0);
  assertEquals([first.pid, first.userPercent, first.readRate], [5, 0, null]);
});
