// The taskstats parser on messages captured from Linux 6.18 (struct version 16,
// family 31): `python3 -c` with one extra thread, run by `sh -c` and exiting 3. The
// thread's report, then the leader's (the last of its group), then sh's.
import { assertEquals } from "../../_helpers/assert.ts";
import { parseTaskstats, parseTaskstatsStruct } from "../../../src/kernel/parse_taskstats.ts";
import { ExitFigures } from "../../../src/kernel/exit_figures.ts";
import type { TaskExit } from "../../../src/kernel/parse_taskstats.ts";

const FAMILY = 31;
const fixture = (name: string) =>
  Deno.readFileSync(new URL(`../../fixtures/taskstats/${name}.bin`, import.meta.url));

Deno.test("taskstats: a thread's report names its process; the leader's says it was the last", () => {
  assertEquals(parseTaskstats(fixture("python3-thread"), FAMILY), [{
    version: 16,
    pid: 24231,
    tgid: 24190,
    ppid: 24189,
    comm: "python3",
    exitCode: 0,
    utimeUs: 56000,
    stimeUs: 4000,
    runNs: 60_310_054,
    hiwaterRssKib: 13408,
    lastOfGroup: false,
  }]);
  // the leader of a multi-threaded process: its own report; the group's aggregate
  // after it (delay accounting only) is not a task
  const leader = fixture("python3-leader-last");
  assertEquals(parseTaskstats(leader, FAMILY), [{
    version: 16,
    pid: 24190,
    tgid: 24190,
    ppid: 24189,
    comm: "python3",
    exitCode: 3 << 8,
    utimeUs: 52000,
    stimeUs: 16000,
    runNs: 59_563_761,
    hiwaterRssKib: 13408,
    lastOfGroup: true,
  }]);
  // sh ran 1.2 ms; a tick (4 ms at 250 Hz) found it in the kernel: the raw count is 3× off
  const sh = parseTaskstats(fixture("sh-leader-last"), FAMILY)[0]!;
  assertEquals([sh.comm, sh.utimeUs + sh.stimeUs, sh.runNs], ["sh", 3991, 1_200_089]);
  // another family's message (an acknowledgement, a reply) is none of these
  assertEquals(parseTaskstats(leader, FAMILY + 1), []);
});

Deno.test("taskstats: a truncated message, an old or short struct give nothing", () => {
  const leader = fixture("python3-leader-last");
  for (const cut of [0, 19, 40, 300]) {
    assertEquals(parseTaskstats(leader.subarray(0, cut), FAMILY), [], `cut at ${cut}`);
  }
  const stats = new Uint8Array(400);
  assertEquals(parseTaskstatsStruct(stats.subarray(0, 200), 1), null);
  stats[0] = 1; // version 1: delay accounting only
  assertEquals(parseTaskstatsStruct(stats, 1), null);
  // version 8 (Linux 2.6.3x): CPU and peak, but no thread group
  stats[0] = 8;
  const view = new DataView(stats.buffer);
  view.setBigUint64(152, 250_000n, true);
  view.setBigUint64(200, 4096n, true);
  stats[8] = 0x20; // not a flag before version 12
  const old = parseTaskstatsStruct(stats.subarray(0, 328), 77)!;
  assertEquals([old.tgid, old.utimeUs, old.hiwaterRssKib, old.lastOfGroup], [
    null,
    250_000,
    4096,
    false,
  ]);
});

const task = (pid: number, tgid: number | null, cpuUs: number, last: boolean, rss = 100) =>
  ({
    version: tgid === null ? 8 : 16,
    pid,
    tgid,
    ppid: 1,
    comm: "x",
    exitCode: 0,
    utimeUs: cpuUs,
    stimeUs: 0,
    runNs: 0,
    hiwaterRssKib: rss,
    lastOfGroup: last,
  }) satisfies TaskExit;

Deno.test("exit figures: a process's threads are summed; the captured process's whole figure", () => {
  const figures = new ExitFigures();
  for (const name of ["python3-thread", "python3-leader-last", "sh-leader-last"]) {
    for (const t of parseTaskstats(fixture(name), FAMILY)) figures.add(t, 0);
  }
  // both threads' exact time, split as their raw counts (108 ms user, 20 ms system)
  const python = figures.take(24190, 0)!;
  assertEquals([python.hiwaterRssKib, python.whole], [13408, true]);
  assertEquals(Math.round((python.utimeUs + python.stimeUs) * 1000), 60_310_054 + 59_563_761);
  assertEquals(Math.round(python.stimeUs / (python.utimeUs + python.stimeUs) * 128), 20);
  assertEquals(figures.take(24190, 0), undefined); // taken once
  // sh's raw count was all system time: so is its exact time
  assertEquals(figures.take(24189, 0), {
    utimeUs: 0,
    stimeUs: 1200.089,
    hiwaterRssKib: 1604,
    whole: true,
  });
  assertEquals(figures.size, 0);
});

Deno.test("exit figures: a reused PID is a new process; a leader exiting first is not whole", () => {
  const figures = new ExitFigures();
  // PID 10 twice before either exit event was taken: each event takes its own, in order
  figures.add(task(10, 10, 1000, true), 0);
  figures.add(task(10, 10, 7000, true), 0);
  assertEquals(figures.take(10, 0)?.utimeUs, 1000);
  assertEquals(figures.take(10, 0)?.utimeUs, 7000);
  // a leader that ended before its threads: its event takes what came so far
  figures.add(task(20, 20, 500, false), 0);
  assertEquals(figures.take(20, 0), { utimeUs: 500, stimeUs: 0, hiwaterRssKib: 100, whole: false });
  // the threads that end later begin no figure an event would take
  figures.add(task(21, 20, 900, true), 0);
  assertEquals(figures.take(20, 0), undefined);
  // no leader report: an exit event with no figure
  assertEquals(figures.take(30, 0), undefined);
  // before version 12 a thread is not told apart from a process: only leaders count
  figures.add(task(41, null, 900, false), 0);
  figures.add(task(40, null, 100, false), 0);
  assertEquals(figures.take(40, 0)?.utimeUs, 100);
  // a figure no event took is dropped after two seconds; a live process's threads stay
  figures.add(task(51, 50, 10, false), 1000);
  figures.add(task(60, 60, 10, true), 1000);
  figures.take(1, 1000 + 2_100);
  assertEquals(figures.size, 1);
});

Deno.test("exit figures: a figure whose exit event was lost is not the next process's of its PID", () => {
  // PID 70's exit event was lost (the connector overran); ten seconds later the PIDs have
  // wrapped and another process 70, recorded, exits: its event takes its own figure
  const figures = new ExitFigures();
  figures.add(task(70, 70, 2_000_000, true), 0);
  figures.add(task(70, 70, 1000, true), 10_000);
  assertEquals(figures.take(70, 10_000)?.utimeUs, 1000);
  assertEquals(figures.size, 0);
  // nor is it any later event's, though no other report came
  figures.add(task(80, 80, 2_000_000, true), 0);
  assertEquals(figures.take(80, 10_000), undefined);
});
