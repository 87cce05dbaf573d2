import { assertEquals } from "../../_helpers/assert.ts";
import { bar, countTasks, cpuShares, headerLines } from "../../../src/top/header.ts";
import { parseCpuTimes, parseMeminfo } from "../../../src/procfs/host_load.ts";
import { rates } from "./_rates.ts";

Deno.test("a bar fills to its share with the figure at its right end", () => {
  assertEquals(bar("Mem", 0.5, "1G/2G", 20), "Mem[||||||||  1G/2G]");
  assertEquals(bar("0", 0, "0.0%", 10), "0[   0.0%]");
  assertEquals(bar("0", 2, "100%", 6), "0[|||]"); // over 100 % stays in its box; no room for the figure
});

Deno.test("CPU shares come from the ticks between two reads", () => {
  const before = parseCpuTimes("cpu0 10 0 10 80 0 0 0 0\ncpu1 0 0 0 100 0 0 0 0\n")!;
  const now = parseCpuTimes("cpu0 40 0 20 140 0 0 0 0\ncpu1 0 0 0 200 0 0 0 0\n")!;
  assertEquals(cpuShares(now, before), [0.4, 0]);
});

Deno.test("the header: tasks always, memory and CPUs when the tree has them", () => {
  const tasks = countTasks([
    rates(1, 0, "init", { threads: 3 }),
    rates(2, 1, "busy", { state: "R" }),
    rates(3, 1, "gone", { state: "Z" }),
  ]);
  assertEquals(tasks, { processes: 3, running: 1, sleeping: 1, other: 1, threads: 5 });
  // the thread target: rows are threads; processes and their thread counts count once
  const threads = countTasks([
    rates(10, 1, "a", { threads: 2, state: "R" }),
    rates(11, 1, "a", { threads: 2 }),
    rates(20, 1, "b"),
  ], new Map([[10, 10], [11, 10], [20, 20]]));
  assertEquals(threads, { processes: 2, running: 1, sleeping: 2, other: 0, threads: 3 });
  const load = {
    uptime: 90061,
    load: [0.5, 0.25, 0.125] as [number, number, number],
    memory: parseMeminfo(
      "MemTotal: 1024 kB\nMemAvailable: 256 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n",
    ),
    cpus: parseCpuTimes("cpu0 1 0 1 8 0 0 0 0\ncpu1 5 0 0 5 0 0 0 0\n"),
  };
  const lines = headerLines(load, null, tasks, 80);
  assertEquals(
    lines[0],
    "up 1 day, 01:01  load 0.50 0.25 0.13  tasks 3, 1 running, 1 other; 5 threads",
  );
  assertEquals(lines[1].startsWith("Mem[||||||||||||||||||||"), true, lines[1]);
  assertEquals(lines[1].includes("768.0K/1.0M]  Swp["), true, lines[1]);
  assertEquals(lines[2].startsWith(" 0[||||||"), true, lines[2]);
  assertEquals(lines[2].includes("20.0%]  1["), true, lines[2]);
  for (const line of lines) assertEquals(line.length <= 80, true, line);
  // a captured tree without those files: the tasks line alone
  assertEquals(
    headerLines({ uptime: null, load: null, memory: null, cpus: null }, null, tasks, 80),
    [
      "tasks 3, 1 running, 1 other; 5 threads",
    ],
  );
  // many CPUs: one average bar instead of pages of them
  const many = { ...load, cpus: Array.from({ length: 64 }, () => ({ busy: 1, total: 4 })) };
  const cpuLines = headerLines(many, null, tasks, 80).slice(2);
  assertEquals(cpuLines.length, 1);
  assertEquals(cpuLines[0].startsWith("CPU×64["), true, cpuLines[0]);
});
