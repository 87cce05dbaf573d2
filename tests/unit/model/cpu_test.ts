import { assertEquals } from "../../_helpers/assert.ts";
import { cpuWithReaped, cpuWithReapedParts } from "../../../src/model/cpu.ts";
import type { CpuCounters } from "../../../src/model/cpu.ts";

const p = (pid: number, ppid: number, own: number, reaped = 0, starttime = pid): CpuCounters => ({
  pid,
  ppid,
  starttime,
  own,
  reaped,
});
const total = (map: Map<number, number>) => [...map.values()].reduce((a, b) => a + b, 0);

Deno.test("the first sample knows no interval", () => {
  assertEquals(cpuWithReaped(null, [p(1, 0, 50)]).size, 0);
});

Deno.test("a child that exits between samples: only its last interval is added to the parent", () => {
  const before = [p(10, 1, 5), p(11, 10, 40)];
  // the child ran 15 more ticks, exited and was reaped: cutime += 55
  const after = [p(10, 1, 7, 55)];
  assertEquals(cpuWithReapedParts(before, after).get(10), { own: 2, reaped: 15 });
  assertEquals(total(cpuWithReaped(before, after)), 17);
});

Deno.test("children born and reaped between samples are counted whole", () => {
  // a shell loop: 100 children of 1 tick each, none ever sampled
  assertEquals(total(cpuWithReaped([p(10, 1, 0)], [p(10, 1, 1, 100)])), 101);
});

Deno.test("a process born in the interval counts all it has", () => {
  const used = cpuWithReaped([p(10, 1, 0)], [p(10, 1, 0), p(12, 10, 30, 4)]);
  assertEquals(used.get(12), 34);
});

Deno.test("a reused PID is a new process: the old one is gone, the new one born", () => {
  const before = [p(10, 1, 0), p(11, 10, 20, 0, 100)];
  const after = [p(10, 1, 0, 25), p(11, 10, 3, 0, 200)];
  const used = cpuWithReaped(before, after);
  assertEquals(used.get(11), 3); // the new process, whole
  assertEquals(used.get(10), 5); // the old one's last 5 ticks, through the parent
});

Deno.test("an orphan that leaves the group takes its last interval along; kept by a subreaper, nothing is lost", () => {
  // 11's parent 10 exits; 11 is adopted by 2 (outside the group) and later reaped there
  const lost = cpuWithReaped([p(10, 1, 5), p(11, 10, 5)], []);
  assertEquals(total(lost), 0);
  // with the subreaper (pid 2) in the group, the adopted orphan's exit shows in its cutime
  const kept = cpuWithReaped(
    [p(2, 1, 0), p(10, 2, 5), p(11, 10, 5)],
    [p(2, 1, 0, 8 + 9)], // 10 ran 3 more, 11 ran 4 more: 8 + 9 reaped
  );
  assertEquals(total(kept), 7);
});

Deno.test("a parent that ignores SIGCHLD adds nothing: its children's last intervals are lost, never negative", () => {
  const used = cpuWithReaped([p(10, 1, 5), p(11, 10, 40)], [p(10, 1, 6, 0)]);
  assertEquals(used.get(10), 1);
});
