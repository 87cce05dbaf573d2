import { assertEquals } from "../../_helpers/assert.ts";
import {
  AFTER_LAST,
  creditInterval,
  creditReaped,
  EXITED_BETWEEN,
  groupByReaper,
} from "../../../src/model/reaped_credit.ts";
import type { ReapedCarry, ReapedExit, ReapedShare } from "../../../src/model/reaped_credit.ts";

// Every case is worked by hand in ticks (100 a second); a process is named by its PID.
const unread = (pid: number, program: string, sampledTicks = 0): ReapedExit<number> => ({
  process: pid,
  program,
  zombieTicks: null,
  sampledTicks,
});
const read = (pid: number, program: string, zombie: number, sampled = 0): ReapedExit<number> => ({
  process: pid,
  program,
  zombieTicks: zombie,
  sampledTicks: sampled,
});

/** The credits as plain rows: [kind, to (PIDs, program or label), ticks]. */
const rows = (share: ReapedShare<number>) => ({
  credits: share.credits.map((c) => {
    switch (c.kind) {
      case "own":
      case "exit":
        return [c.kind, c.exit.process, c.ticks];
      case "program":
        return [c.kind, c.program, c.exits.map((e) => e.process), c.ticks];
      case "label":
        return [c.kind, c.label, c.programs, c.exits.map((e) => e.process), c.ticks];
    }
  }),
  unexplained: share.unexplained,
});

Deno.test("creditReaped(): all a reaper reaped goes to the one exit that can have used it", () => {
  assertEquals(rows(creditReaped(18, [unread(2, "alloc2")])), {
    credits: [["exit", 2, 18]],
    unexplained: 0,
  });
  // its pace at the last sample does not matter: the reaping is all it can be
  assertEquals(rows(creditReaped(18, [unread(2, "alloc2", 40)])).credits, [["exit", 2, 18]]);
});

Deno.test("creditReaped(): several exits of one program: the program, not a split among them", () => {
  assertEquals(rows(creditReaped(30, [unread(2, "sh"), unread(3, "sh"), unread(4, "sh")])), {
    credits: [["program", "sh", [2, 3, 4], 30]],
    unexplained: 0,
  });
});

Deno.test("creditReaped(): exits of several programs: the label naming them, never a guessed split", () => {
  // an idle sleep and a 400 MiB fault-in, both reaped unread: 18 ticks of one or the other
  const exits = [unread(2, "sleep"), unread(3, "alloc2"), unread(4, "sleep")];
  assertEquals(rows(creditReaped(18, exits)), {
    credits: [["label", EXITED_BETWEEN, ["sleep", "alloc2"], [2, 3, 4], 18]],
    unexplained: 0,
  });
});

Deno.test("creditReaped(): exits with their zombie's figures explain their own part, the rest goes on", () => {
  // cc1 sampled at 90, its zombie 120: 30 its own; gcc unread takes the 5 left of 35
  assertEquals(rows(creditReaped(35, [read(3, "cc1", 120, 90), unread(2, "gcc")])), {
    credits: [["own", 3, 30], ["exit", 2, 5]],
    unexplained: 0,
  });
  // the figures explain it all: the unread exit gets nothing (it is not credited 0)
  assertEquals(rows(creditReaped(30, [read(3, "cc1", 120, 90), unread(2, "gcc")])), {
    credits: [["own", 3, 30]],
    unexplained: 0,
  });
  // more than was reaped here (the rest is reaped in a later interval): still its own,
  // whole, and the 20 not reaped yet are carried to that reaping
  const more = creditReaped(10, [read(3, "cc1", 120, 90), unread(2, "gcc")]);
  assertEquals(rows(more), { credits: [["own", 3, 30]], unexplained: 0 });
  assertEquals(more.carry, 20);
  // nothing reaped at all: the figure is the exit's all the same
  assertEquals(rows(creditReaped(0, [read(3, "cc1", 20)])).credits, [["own", 3, 20]]);
  // a counter read below its sample (a reused PID's) counts as nothing, not as less
  assertEquals(rows(creditReaped(12, [read(3, "cc1", 5, 9), unread(2, "as")])).credits, [
    ["own", 3, 0],
    ["exit", 2, 12],
  ]);
  // every exit had its figure: what is left is theirs by the same rule, under the label
  assertEquals(rows(creditReaped(50, [read(3, "cc1", 20), read(4, "as", 1)])), {
    credits: [["own", 3, 20], ["own", 4, 1], ["label", EXITED_BETWEEN, ["cc1", "as"], [3, 4], 29]],
    unexplained: 0,
  });
  // two unread of different programs share the rest under the label
  assertEquals(
    rows(creditReaped(50, [unread(5, "as"), read(3, "cc1", 20), unread(6, "ld")])).credits,
    [["own", 3, 20], ["label", EXITED_BETWEEN, ["as", "ld"], [5, 6], 30]],
  );
});

Deno.test("creditReaped(): what is reaped beyond exits' own figures (their teardown) is theirs, not left unexplained", () => {
  // alloc2's taskstats figure 228 (sent before its 2 GiB are freed); its parent's wait4 242
  assertEquals(rows(creditReaped(242, [read(2, "alloc2", 228)])), {
    credits: [["own", 2, 228], ["exit", 2, 14]],
    unexplained: 0,
  });
  // several exits of one program: the program
  assertEquals(rows(creditReaped(25, [read(2, "cc1", 10), read(3, "cc1", 10)])), {
    credits: [["own", 2, 10], ["own", 3, 10], ["program", "cc1", [2, 3], 5]],
    unexplained: 0,
  });
  // after the last sample, under AFTER_LAST; and no exit at all is still nobody's
  assertEquals(
    rows(creditReaped(9, [read(2, "sh", 4), read(3, "sleep", 1)], AFTER_LAST)).credits.at(-1),
    ["label", AFTER_LAST, ["sh", "sleep"], [2, 3], 4],
  );
  assertEquals(rows(creditReaped(9, [])), { credits: [], unexplained: 9 });
});

Deno.test("creditReaped(): after the last sample, the kernel's rest by the same rule under AFTER_LAST", () => {
  assertEquals(rows(creditReaped(14, [unread(10, "sh")], AFTER_LAST)).credits, [["exit", 10, 14]]);
  assertEquals(
    rows(creditReaped(14, [unread(10, "sh"), unread(12, "sleep")], AFTER_LAST)).credits,
    [["label", AFTER_LAST, ["sh", "sleep"], [10, 12], 14]],
  );
  // no exit since the last sample: nobody's
  assertEquals(rows(creditReaped(14, [], AFTER_LAST)), { credits: [], unexplained: 14 });
});

Deno.test("groupByReaper(): an exit is its parent's, or through parents that exited too, the nearest that did not", () => {
  // make (1) → gcc (2) → cc1 (3) and as (4), all exited; ls (5) is make's; an orphan
  // (6, its parent 7 exited before it) was reaped by init (1 is make here, so 99)
  const exits = [
    { pid: 3, ppid: 2 },
    { pid: 4, ppid: 2 },
    { pid: 2, ppid: 1 },
    { pid: 5, ppid: 1 },
    { pid: 7, ppid: 1 },
    { pid: 6, ppid: 99 },
  ];
  const groups = groupByReaper(exits);
  assertEquals([...groups].map(([reaper, list]) => [reaper, list.map((e) => e.pid)]), [
    [1, [3, 4, 2, 5, 7]],
    [99, [6]],
  ]);
  // a loop of reused PIDs ends, each exit in one group
  const looped = groupByReaper([{ pid: 2, ppid: 3 }, { pid: 3, ppid: 2 }]);
  assertEquals([...looped.values()].flat().map((e) => e.pid).sort(), [2, 3]);
});

/** The reaper as `creditInterval` sees it: PID 1 started at `start` ticks, or gone (`null`). */
const reaperStarted = (start: number | null) => (pid: number) =>
  pid === 1 && start !== null ? start : undefined;
/** One interval of reaper 1 (started at 500 ticks): what it reaped and its exits, from `carry`. */
const interval = (
  reaped: number,
  exits: ReapedExit<number>[],
  carry: ReapedCarry<number>,
  start: number | null = 500,
) =>
  creditInterval<number>(
    new Map(reaped > 0 ? [[1, reaped]] : []),
    new Map(exits.length > 0 ? [[1, exits]] : []),
    reaperStarted(start),
    carry,
  );
const carried = (carry: ReapedCarry<number>) =>
  [...carry].map(([pid, c]) => [pid, c.starttime, c.ticks]);

Deno.test("creditInterval(): a zombie's figure read in one interval and reaped in the next counts once", () => {
  // cc1 (3) sampled at 90 exits at 120 and its zombie is read; make (1) reaps it only
  // in the next interval: 30 its own in the first, nothing a second time in the second
  const first = interval(0, [read(3, "cc1", 120, 90)], new Map());
  assertEquals(rows(first.shares.get(1)!), { credits: [["own", 3, 30]], unexplained: 0 });
  assertEquals(carried(first.carry), [[1, 500, 30]]);
  const second = interval(30, [], first.carry);
  assertEquals(rows(second.shares.get(1)!), { credits: [], unexplained: 0 });
  assertEquals(carried(second.carry), []);
  // with an exit without figures in the second interval: only what is beyond the carry is its
  const third = interval(37, [unread(4, "as")], first.carry);
  assertEquals(rows(third.shares.get(1)!).credits, [["exit", 4, 7]]);
  assertEquals(carried(third.carry), []);
});

Deno.test("creditInterval(): a figure reaped across two intervals is taken from both, then what is reaped is the rest's", () => {
  // 30 credited, 10 reaped at once: 20 carried; 12 reaped next: 8 carried; 15 next: 7
  // beyond the figure, reaped with its end: cc1's teardown
  const first = interval(10, [read(3, "cc1", 120, 90)], new Map());
  assertEquals(carried(first.carry), [[1, 500, 20]]);
  const second = interval(12, [], first.carry);
  assertEquals(rows(second.shares.get(1)!), { credits: [], unexplained: 0 });
  assertEquals(carried(second.carry), [[1, 500, 8]]);
  const third = interval(15, [], second.carry);
  assertEquals(rows(third.shares.get(1)!), { credits: [["exit", 3, 7]], unexplained: 0 });
  assertEquals(carried(third.carry), []);
  // once the carry is used up, what the reaper reaps later is no exit's
  assertEquals(rows(interval(5, [], third.carry).shares.get(1)!).unexplained, 5);
});

Deno.test("creditInterval(): a figure reaped in the next interval with its teardown beyond it: the excess is the exit's", () => {
  // alloc2's taskstats figure 228 arrives before its memory is freed; its parent reaps
  // it only after the sample: 242 in the next interval, 14 of them the teardown
  const first = interval(0, [read(3, "alloc2", 228)], new Map());
  const second = interval(242, [], first.carry);
  assertEquals(rows(second.shares.get(1)!), { credits: [["exit", 3, 14]], unexplained: 0 });
  assertEquals(carried(second.carry), []);
  // with a figure exit of its own in that interval too: by the rule, the label of both
  const both = interval(250, [read(4, "sleep", 1)], first.carry);
  assertEquals(rows(both.shares.get(1)!).credits, [
    ["own", 4, 1],
    ["label", EXITED_BETWEEN, ["alloc2", "sleep"], [3, 4], 21],
  ]);
  // an exit without a figure there takes it, as before
  assertEquals(rows(interval(242, [unread(5, "as")], first.carry).shares.get(1)!).credits, [
    ["exit", 5, 14],
  ]);
});

Deno.test("creditInterval(): a new process with the reaper's PID inherits none of its carry", () => {
  const first = interval(0, [read(3, "cc1", 120, 90)], new Map());
  // PID 1 now names a process started at 900 ticks: all it reaped is its own children's
  const reused = interval(30, [], first.carry, 900);
  assertEquals(rows(reused.shares.get(1)!), { credits: [], unexplained: 30 });
  assertEquals(carried(reused.carry), []);
  // and with nothing reaped, the old carry is not kept for it either
  assertEquals(carried(interval(0, [], first.carry, 900).carry), []);
});

Deno.test("creditInterval(): a reaper that never reaps keeps its carry while it lives; gone, it is dropped", () => {
  const first = interval(0, [read(3, "cc1", 120, 90)], new Map());
  // an interval where it neither reaps nor has exits: carried on, the share empty
  const idle = interval(0, [], first.carry);
  assertEquals(idle.shares.size, 0);
  assertEquals(carried(idle.carry), [[1, 500, 30]]);
  // the reaper exited with its zombie child unreaped (its subreaper reaps it): dropped
  assertEquals(carried(interval(0, [], idle.carry, null).carry), []);
  // a reaper gone by its exits' interval keeps none at all
  assertEquals(carried(interval(0, [read(3, "cc1", 20)], new Map(), null).carry), []);
  // another reaper's carry is its own: reaper 2 reaping does not use reaper 1's
  const two = creditInterval<number>(
    new Map([[2, 30]]),
    new Map(),
    (pid) => pid <= 2 ? 500 : undefined,
    first.carry,
  );
  assertEquals(rows(two.shares.get(2)!).unexplained, 30);
  assertEquals(carried(two.carry), [[1, 500, 30]]);
});
