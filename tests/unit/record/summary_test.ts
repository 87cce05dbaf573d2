import { assertEquals } from "../../_helpers/assert.ts";
import { formatSummary, SummaryTracker } from "../../../src/record/summary.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const node = (
  pid: number,
  ppid: number,
  cmdline: string,
  f: { utime?: number; cutime?: number; rssPages?: number } = {},
): ProcessNode =>
  ({
    stat: {
      pid,
      ppid,
      comm: cmdline.split(" ")[0] || "kworker",
      starttime: pid,
      utime: f.utime ?? 0,
      stime: 0,
      cutime: f.cutime ?? 0,
      cstime: 0,
      rss: f.rssPages ?? 256,
    },
    cmdline,
  }) as unknown as ProcessNode;

Deno.test("the summary: CPU with reaped children, peak RSS, processes, top commands", () => {
  const tracker = new SummaryTracker({ pageSize: 4096, clockTicks: 100 });
  tracker.sample([node(1, 0, "make"), node(2, 1, "cc a.c", { rssPages: 1024 })], 1_000_000);
  // cc used 2 s and make reaped a child that used 3 s ("ld", named by its exit event)
  tracker.exited(
    {
      ts: 1001,
      kind: "exit",
      pid: 3,
      ppid: 1,
      cmdline: null,
      exitCode: 0,
      signal: null,
      utime: 300,
      stime: 0,
      cutime: 0,
      cstime: 0,
    } as never,
    "ld -o app",
    null,
  );
  tracker.sample([
    node(1, 0, "make", { cutime: 300 }),
    node(2, 1, "cc a.c", { utime: 200, rssPages: 2048 }),
  ], 1_002_000);
  const summary = tracker.finish(2);
  assertEquals([summary.userSeconds, summary.cpuSource, summary.started], [5, "samples", 2]);
  assertEquals(summary.peakTreeRss, { bytes: (256 + 2048) * 4096, at: 1002 });
  assertEquals(summary.peakProcessRss, { bytes: 2048 * 4096, command: "cc a.c" });
  assertEquals(summary.topCommands, [
    { command: "ld -o app", seconds: 3 },
    { command: "cc a.c", seconds: 2 },
  ]);
  const lines = formatSummary(summary, "procpath record: make exited with status 0");
  assertEquals(lines[0], "procpath record: make exited with status 0");
  assertEquals(lines.some((l) => l.includes("5.00 s") && l.includes("2.50 cores")), true);
  // the kernel's count of reaped CPU, when there is one, is the total
  assertEquals(tracker.finish(2, { rusage: { userSeconds: 6, systemSeconds: 1 } }).userSeconds, 6);
});
