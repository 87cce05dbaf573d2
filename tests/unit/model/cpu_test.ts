import { assertEquals } from "../../_helpers/assert.ts";
import { simulate } from "../../_helpers/process_simulation.ts";
import {
  BIRTH_SLACK_SECONDS,
  bootBound,
  intervalCpu,
  intervalSeconds,
  ReapedCpuTracker,
} from "../../../src/model/cpu.ts";
import type { CpuSample, ProcessCpu } from "../../../src/model/cpu.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const HZ = 100;
const BOOT = 1000;

/** A process: own user ticks, reaped user ticks; its start time defaults to its PID. */
const p = (pid: number, ppid: number, own: number, reaped = 0, starttime = pid): ProcessCpu => ({
  pid,
  ppid,
  starttime,
  utime: own,
  stime: 0,
  cutime: reaped,
  cstime: 0,
});
/** A sample at `tick` ticks after boot. */
const at = (tick: number, processes: ProcessCpu[]): CpuSample => ({
  at: BOOT + tick / HZ,
  processes: new Map(processes.map((x) => [x.pid, x])),
});
const clock = { clockTicks: HZ, bootAt: BOOT };
const total = (used: Map<number, { userOwn: number; userReaped: number }>) =>
  [...used.values()].reduce((sum, c) => sum + c.userOwn + c.userReaped, 0);

Deno.test("intervalCpu() knows nothing of the first interval", () => {
  assertEquals(intervalCpu(null, at(500, [p(1, 0, 50)]), clock).size, 0);
});

Deno.test("intervalCpu() adds only a reaped child's last interval to its parent", () => {
  const before = at(500, [p(10, 1, 5), p(11, 10, 40)]);
  // the child ran 15 more ticks, exited and was reaped: cutime += 55
  const used = intervalCpu(before, at(600, [p(10, 1, 7, 55)]), clock).get(10)!;
  assertEquals([used.userOwn, used.userReaped, used.kind], [2, 15, "seen"]);
});

Deno.test("intervalCpu() counts children born and reaped between samples whole", () => {
  // a shell loop: 100 children of 1 tick each, none ever sampled
  assertEquals(total(intervalCpu(at(500, [p(10, 1, 0)]), at(600, [p(10, 1, 1, 100)]), clock)), 101);
});

Deno.test("intervalCpu() counts a process born in the interval whole, with what it reaped", () => {
  const used = intervalCpu(
    at(500, [p(10, 1, 0)]),
    at(600, [p(10, 1, 0), p(12, 10, 30, 4, 550)]),
    clock,
  );
  assertEquals([used.get(12)!.userOwn, used.get(12)!.userReaped, used.get(12)!.kind], [
    30,
    4,
    "born",
  ]);
});

Deno.test("intervalCpu() credits nothing to a process that entered the selection without being born (#31)", () => {
  // started at tick 100, long before the previous sample at 100,000: it used 100,000
  // ticks outside the selection, and a filter now matches it
  const used = intervalCpu(
    at(100_000, [p(10, 1, 0, 0, 50)]),
    at(100_200, [p(10, 1, 0, 0, 50), p(12, 1, 100_000, 0, 100)]),
    clock,
  );
  assertEquals([used.get(12)!.userOwn, used.get(12)!.kind], [0, "entered"]);
  // born within the slack before the previous sample, it is taken as born
  const late = 100_000 - BIRTH_SLACK_SECONDS * HZ + 1;
  const near = intervalCpu(
    at(100_000, [p(10, 1, 0)]),
    at(100_200, [p(10, 1, 0), p(12, 1, 7, 0, late)]),
    clock,
  );
  assertEquals(near.get(12)!.kind, "born");
});

Deno.test("intervalCpu() takes a reused PID as a new process: the old one gone, the new one born", () => {
  const before = at(500, [p(10, 1, 0), p(11, 10, 20, 0, 100)]);
  const after = at(600, [p(10, 1, 0, 25), p(11, 10, 3, 0, 550)]);
  const used = intervalCpu(before, after, clock);
  assertEquals(used.get(11)!.userOwn, 3); // the new process, whole
  assertEquals(used.get(10)!.userReaped, 5); // the old one's last 5 ticks, through the parent
});

Deno.test("intervalCpu() gives a vanished grandchild's seen CPU to the nearest ancestor still there", () => {
  // 10 → 11 → 12; 11 and 12 exit, 12 seen with 40 ticks; 10 reaps 11 (11 had reaped 12: 70)
  const before = at(500, [p(10, 1, 0), p(11, 10, 0), p(12, 11, 40)]);
  const after = at(600, [p(10, 1, 0, 70)]);
  assertEquals(intervalCpu(before, after, clock).get(10)!.userReaped, 30);
});

Deno.test("intervalCpu() never goes negative when a parent ignores SIGCHLD", () => {
  const used = intervalCpu(at(500, [p(10, 1, 5), p(11, 10, 40)]), at(600, [p(10, 1, 6)]), clock);
  assertEquals([used.get(10)!.userOwn, used.get(10)!.userReaped], [1, 0]);
});

Deno.test("bootBound() is the least sample time less a process's age", () => {
  assertEquals(bootBound(at(600, [p(10, 1, 0, 0, 550), p(11, 1, 0, 0, 600)]), HZ), BOOT);
});

const nodesOf = (processes: readonly ProcessCpu[]) =>
  processes.map((x) => ({ stat: { ...x } }) as unknown as ProcessNode);

for (const seed of [1, 2, 3, 4, 5]) {
  Deno.test(`ReapedCpuTracker sums to the CPU a simulated tree used in every interval (seed ${seed})`, () => {
    // the truth is the simulation's own tick count; the model sees only the samples
    const { samples, usedBy } = simulate({ seed, ticks: 3000, every: 50 });
    const tracker = new ReapedCpuTracker(HZ);
    let intervals = 0;
    for (const [i, sample] of samples.entries()) {
      const used = tracker.next(nodesOf(sample.processes), BOOT + sample.tick / HZ);
      if (i === 0) continue;
      let sum = 0;
      for (const c of used.values()) sum += c.userOwn + c.systemOwn + c.userReaped + c.systemReaped;
      assertEquals(sum, usedBy.get(sample.tick), `interval ending at tick ${sample.tick}`);
      intervals++;
    }
    assertEquals(intervals, 60);
  });
}

Deno.test("intervalSeconds() is the stamps' difference unless the CPUs could not have done the interval's CPU in it (#31)", () => {
  const clock = { clockTicks: 100, cpus: 2 };
  // 4,000 processes read in 0.5 s under load: 277 ticks stamped 0.5 s apart
  assertEquals(intervalSeconds(0.5, 277, clock), 1.385);
  assertEquals(100 * 277 / 100 / intervalSeconds(0.5, 277, clock), 200);
  assertEquals(intervalSeconds(0.5, 100, clock), 0.5);
  // a recording that does not say its CPUs, or no interval at all: the stamps stand
  assertEquals(intervalSeconds(0.5, 277, { clockTicks: 100 }), 0.5);
  assertEquals(intervalSeconds(0, 277, clock), 0);
});
