/**
 * The machine lines at the top of the live view, as htop and top print theirs: uptime,
 * load and tasks; memory and swap bars; a bar per CPU (its busy share since the
 * previous frame). Pure: the figures come in, lines of at most `width` go out.
 *
 * @module
 */
import type { CpuTimes, HostLoad } from "../procfs/host_load.ts";
import type { ProcessRates } from "../model/rates.ts";
import { formatRate } from "./render.ts";
import { formatUptime } from "../time/format_time.ts";
import { countOf } from "../text/plural.ts";

/** How many processes and threads the view shows, by state. */
export interface TaskCounts {
  processes: number;
  running: number;
  sleeping: number;
  /** Stopped, zombie, traced, idle kernel threads: any other state. */
  other: number;
  threads: number;
}

/**
 * Counts the shown processes by state (R running; S, D and I sleeping, as top counts
 * them). For the thread target (`processOf`: each row's process ID) a row is a thread:
 * processes and their thread counts are counted once per process.
 */
export function countTasks(
  rates: readonly ProcessRates[],
  processOf?: ReadonlyMap<number, number> | null,
): TaskCounts {
  const counts = { processes: 0, running: 0, sleeping: 0, other: 0, threads: 0 };
  // the process target: each row is a process (no set of every PID each refresh)
  const seen = processOf ? new Set<number>() : null;
  for (let i = 0; i < rates.length; i++) {
    const r = rates[i]!;
    const process = processOf?.get(r.pid) ?? r.pid;
    if (seen === null || !seen.has(process)) {
      seen?.add(process);
      counts.processes++;
      counts.threads += r.threads;
    }
    if (r.state === "R") counts.running++;
    // idle kernel threads (I) sleep too, as top counts them
    else if (r.state === "S" || r.state === "D" || r.state === "I") counts.sleeping++;
    else counts.other++;
  }
  return counts;
}

/** A bar `label[|||||     text]` `width` characters wide, filled to `share` (0–1). */
export function bar(label: string, share: number, text: string, width: number): string {
  const inside = Math.max(0, width - label.length - 2);
  const filled = Math.round(Math.min(1, Math.max(0, share)) * inside);
  const cells = "|".repeat(filled).padEnd(inside);
  // the figure sits at the right end of the bar, over its empty part or its bars
  const shown = text.length <= inside ? cells.slice(0, inside - text.length) + text : cells;
  return `${label}[${shown}]`;
}

/** Each CPU's busy share since `before`, 0–1 (since boot without `before`). */
export function cpuShares(now: readonly CpuTimes[], before: readonly CpuTimes[] | null): number[] {
  return now.map((cpu, i) => {
    const then = before?.[i] ?? { busy: 0, total: 0 };
    const total = cpu.total - then.total;
    return total > 0 ? (cpu.busy - then.busy) / total : 0;
  });
}

/** At most this many lines of CPU bars; more CPUs than fit show as one average bar. */
const MAX_CPU_LINES = 4;
const MIN_CPU_CELL = 16;

/**
 * The header's lines for a terminal `width` wide: uptime, load and tasks; memory and
 * swap; the CPUs. A figure the procfs tree lacks is left out (a captured tree may
 * have no `meminfo`); tasks always show.
 */
export function headerLines(
  load: HostLoad,
  before: readonly CpuTimes[] | null,
  tasks: TaskCounts,
  width: number,
): string[] {
  const first = [
    load.uptime !== null ? `up ${formatUptime(load.uptime)}` : "",
    load.load ? `load ${load.load.map((n) => n.toFixed(2)).join(" ")}` : "",
    `tasks ${tasks.processes}, ${tasks.running} running` +
    (tasks.other > 0 ? `, ${tasks.other} other` : "") + `; ${countOf(tasks.threads, "thread")}`,
  ].filter(Boolean).join("  ");
  const lines = [first];
  if (load.memory) {
    const { total, available, swapTotal, swapFree } = load.memory;
    const half = Math.floor((width - 2) / 2);
    const bytes = (n: number) => formatRate(n).replace(/^(\d+)$/, "$1B");
    lines.push(
      bar(
        "Mem",
        total > 0 ? (total - available) / total : 0,
        `${bytes(total - available)}/${bytes(total)}`,
        half,
      ) +
        "  " +
        bar(
          "Swp",
          swapTotal > 0 ? (swapTotal - swapFree) / swapTotal : 0,
          `${bytes(swapTotal - swapFree)}/${bytes(swapTotal)}`,
          half,
        ),
    );
  }
  if (load.cpus) {
    const shares = cpuShares(load.cpus, before);
    const perLine = Math.max(1, Math.floor((width + 1) / (MIN_CPU_CELL + 1)));
    if (Math.ceil(shares.length / perLine) > MAX_CPU_LINES) {
      const average = shares.reduce((a, b) => a + b, 0) / shares.length;
      lines.push(bar(`CPU×${shares.length}`, average, `${(average * 100).toFixed(1)}%`, width));
    } else {
      const cell = Math.floor((width + 1) / Math.min(perLine, shares.length)) - 1;
      for (let at = 0; at < shares.length; at += perLine) {
        lines.push(
          shares.slice(at, at + perLine).map((share, i) =>
            bar(String(at + i).padStart(2), share, `${(share * 100).toFixed(1)}%`, cell)
          ).join(" "),
        );
      }
    }
  }
  return lines;
}

/**
 * The machine's lines of a batch block, as procps `top -b` heads each of its own, in
 * text a log keeps (no bars): uptime, load and tasks; memory and swap used of total;
 * each CPU's busy share over the block's interval (with `before`, the previous read).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchHeaderLines } from "./header.ts";
 * const tasks = { processes: 3, running: 1, sleeping: 2, other: 0, threads: 4 };
 * const load = {
 *   uptime: 3700, load: [0.5, 0.25, 0.1] as [number, number, number],
 *   memory: { total: 8 * 2 ** 30, available: 6 * 2 ** 30, swapTotal: 0, swapFree: 0 },
 *   cpus: [{ busy: 150, total: 200 }],
 * };
 * assert.deepEqual(batchHeaderLines(load, [{ busy: 100, total: 100 }], tasks), [
 *   "up 01:01:40  load 0.50 0.25 0.10  tasks 3, 1 running; 4 threads",
 *   "Mem 2.0G used of 8.0G  Swp 0B used of 0B  CPU 0: 50.0%",
 * ]);
 * ```
 */
export function batchHeaderLines(
  load: HostLoad,
  before: readonly CpuTimes[] | null,
  tasks: TaskCounts,
): string[] {
  const [first] = headerLines({ ...load, memory: null, cpus: null }, null, tasks, 0);
  const bytes = (n: number) => formatRate(n).replace(/^(\d+)$/, "$1B");
  const parts: string[] = [];
  if (load.memory) {
    const { total, available, swapTotal, swapFree } = load.memory;
    parts.push(
      `Mem ${bytes(total - available)} used of ${bytes(total)}`,
      `Swp ${bytes(swapTotal - swapFree)} used of ${bytes(swapTotal)}`,
    );
  }
  if (load.cpus) {
    const shares = cpuShares(load.cpus, before);
    parts.push(
      `CPU ${shares.map((share, i) => `${i}: ${(share * 100).toFixed(1)}%`).join(" ")}`,
    );
  }
  return parts.length > 0 ? [first!, parts.join("  ")] : [first!];
}

/**
 * A replay's header, from what a recording holds (the selection, not the machine):
 * its tasks, then bars of its resident memory against the recorded machine's memory
 * and of its CPU against the recorded CPUs (all of them busy is 100 %).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replayHeaderLines } from "./header.ts";
 * const rate = { pid: 1, threads: 2, state: "R", rssMib: 512, userPercent: 50, systemPercent: 0 };
 * const [tasks, bars] = replayHeaderLines([rate as never], { memoryBytes: 2 ** 31, cpus: 2 }, 60);
 * assert.equal(tasks, "tasks 1, 1 running; 2 threads (the selection)");
 * assert.equal(bars, "RSS[||||||       512.0M/2.0G]  CPU[||||||        50.0%/200%]");
 * ```
 */
export function replayHeaderLines(
  rates: readonly ProcessRates[],
  machine: { memoryBytes?: number | undefined; cpus?: number | undefined },
  width: number,
  processOf?: ReadonlyMap<number, number> | null,
): string[] {
  const tasks = countTasks(rates, processOf);
  const first = `tasks ${tasks.processes}, ${tasks.running} running` +
    (tasks.other > 0 ? `, ${tasks.other} other` : "") +
    `; ${countOf(tasks.threads, "thread")} (the selection)`;
  const half = Math.floor((width - 2) / 2);
  const bytes = (n: number) => formatRate(n).replace(/^(\d+)$/, "$1B");
  const rss = rates.reduce((sum, r) => sum + r.rssMib, 0) * 1024 * 1024;
  const cpu = rates.reduce((sum, r) => sum + r.userPercent + r.systemPercent, 0);
  const memory = machine.memoryBytes ?? 0, cpus = machine.cpus ?? 0;
  const bars = [
    memory > 0 ? bar("RSS", rss / memory, `${bytes(rss)}/${bytes(memory)}`, half) : "",
    cpus > 0 ? bar("CPU", cpu / (cpus * 100), `${cpu.toFixed(1)}%/${cpus * 100}%`, half) : "",
  ].filter(Boolean);
  return bars.length > 0 ? [first, bars.join("  ")] : [first];
}
