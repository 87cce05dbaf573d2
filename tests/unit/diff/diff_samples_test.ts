import { assertEquals } from "../../_helpers/assert.ts";
import { diffSamples } from "../../../src/diff/diff_samples.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

/** A process node: CPU in ticks (100 a second), RSS in 4 KiB pages. */
const node = (
  pid: number,
  ppid: number,
  fields: { start?: number; ticks?: number; reaped?: number; rssPages?: number; comm?: string } =
    {},
): ProcessNode =>
  ({
    stat: {
      pid,
      ppid,
      comm: fields.comm ?? `p${pid}`,
      starttime: fields.start ?? 1,
      utime: fields.ticks ?? 0,
      stime: 0,
      cutime: fields.reaped ?? 0,
      cstime: 0,
      rss: fields.rssPages ?? 256,
    },
    cmdline: "",
  }) as unknown as ProcessNode;

const units = { pageSize: 4096, clockTicks: 100 };

Deno.test("diff: what appeared and went, by identity (a reused PID is another process)", () => {
  const before = [node(1, 0), node(10, 1), node(11, 1, { start: 5 })];
  const after = [node(1, 0), node(11, 1, { start: 9 }), node(12, 1)];
  const diff = diffSamples(before, after, 10, units, 10);
  assertEquals(diff.appeared.map((p) => [p.pid, p.command]), [[11, "[p11]"], [12, "[p12]"]]);
  assertEquals(diff.disappeared.map((p) => p.pid), [10, 11]);
});

Deno.test("diff: RSS change and CPU by process and subtree, reaped children counted", () => {
  const before = [
    node(1, 0, { ticks: 100 }),
    node(2, 1, { ticks: 0, rssPages: 256 }),
    node(3, 2, { ticks: 0 }),
  ];
  const after = [
    node(1, 0, { ticks: 150 }),
    // 2 reaped a child that used 2 s, and grew by 1 MiB
    node(2, 1, { ticks: 100, reaped: 200, rssPages: 512 }),
    node(3, 2, { ticks: 300 }),
  ];
  const diff = diffSamples(before, after, 10, units, 10);
  assertEquals(diff.seconds, 10);
  assertEquals(
    diff.cpuByProcess.map((c) => [c.pid, c.cpuSeconds, c.cpuPercent]),
    [[3, 3, 30], [2, 1, 10], [1, 0.5, 5]],
  );
  assertEquals(diff.rssByProcess[0].pid, 2);
  assertEquals(diff.rssByProcess[0].rssChange, 1);
  // subtree 2: its own 1 s, 3's 3 s and the reaped 2 s
  const two = diff.cpuBySubtree.find((c) => c.pid === 2)!;
  assertEquals([two.processes, two.cpuSeconds], [2, 6]);
});

Deno.test("diff: a process that entered the selection without being born counts nothing (#31)", () => {
  // the earlier sample at 1,000 s of uptime: born after it means a start past 100,000 ticks
  const before = [node(1, 0, { ticks: 10 })];
  const after = [
    node(1, 0, { ticks: 20 }),
    node(2, 1, { start: 5_000, ticks: 90_000 }), // started at 50 s: entered, 900 s not ours
    node(3, 1, { start: 100_050, ticks: 30 }), // born between the samples: all of it
  ];
  const diff = diffSamples(before, after, 10, { ...units, bornAfter: 100_000 }, 10);
  assertEquals(diff.cpuByProcess.map((c) => [c.pid, c.cpuSeconds]), [[3, 0.3], [1, 0.1]]);
  assertEquals(diff.cpuBySubtree.map((c) => [c.pid, c.cpuSeconds]), [[1, 0.4], [3, 0.3]]);
});

Deno.test("diff: a busy process without children is its own subtree, so the two lists agree", () => {
  // PID 2 was in both samples (a filter that let it out in between changes nothing): its
  // 0.24 s is by process and by subtree alike, not "no change" by subtree
  const before = [node(1, 0, { ticks: 10 }), node(2, 1, { ticks: 100 })];
  const after = [node(1, 0, { ticks: 10 }), node(2, 1, { ticks: 124 })];
  const diff = diffSamples(before, after, 10, units, 10);
  assertEquals(diff.cpuByProcess.map((c) => [c.pid, c.cpuSeconds]), [[2, 0.24]]);
  // the root's 0.24 s is all its child's: the child's row alone
  assertEquals(diff.cpuBySubtree.map((c) => [c.pid, c.processes, c.cpuSeconds]), [[2, 1, 0.24]]);
});
