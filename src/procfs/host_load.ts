/**
 * The machine-wide figures a live view's header shows — uptime, load averages, memory
 * and swap, per-CPU time — parsed from a procfs tree's root files (`uptime`, `loadavg`,
 * `meminfo`, `stat`). The parsers are pure; `readHostLoad` reads whichever the tree
 * has (a captured tree may lack some) and leaves the others `null`.
 *
 * @module
 */
import type { ProcReader } from "./proc_reader.ts";

/** One CPU's time since boot by state, clock ticks (`/proc/stat` `cpuN` lines). */
export interface CpuTimes {
  /** Ticks doing anything but idling or waiting for I/O. */
  busy: number;
  /** All ticks, idle and iowait included. */
  total: number;
}

/** The machine-wide figures of one moment; each `null` where the tree lacks its file. */
export interface HostLoad {
  /** Seconds since boot. */
  uptime: number | null;
  /** The 1, 5 and 15 minute load averages. */
  load: [number, number, number] | null;
  /** Memory and swap, bytes. */
  memory: { total: number; available: number; swapTotal: number; swapFree: number } | null;
  /** Per CPU, in the kernel's order (`cpu0`, `cpu1`, …). */
  cpus: CpuTimes[] | null;
}

/**
 * Parses `/proc/uptime`: seconds since boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUptime } from "./host_load.ts";
 * assert.equal(parseUptime("350735.47 234388.90\n"), 350735.47);
 * ```
 */
export function parseUptime(text: string): number | null {
  const value = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(value) ? value : null;
}

/**
 * Parses `/proc/loadavg`: the three load averages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLoadavg } from "./host_load.ts";
 * assert.deepEqual(parseLoadavg("0.52 0.40 0.31 2/350 4242\n"), [0.52, 0.4, 0.31]);
 * ```
 */
export function parseLoadavg(text: string): [number, number, number] | null {
  const [a = NaN, b = NaN, c = NaN] = text.trim().split(/\s+/).map(Number);
  return [a, b, c].every(Number.isFinite) ? [a, b, c] : null;
}

/**
 * Parses `/proc/meminfo` (kB lines): total and available memory, total and free swap,
 * bytes. `MemAvailable` is what the kernel estimates can be given to programs without
 * swapping (kernels before 3.14 lack it: free + buffers + cached then stands in).
 */
export function parseMeminfo(text: string): HostLoad["memory"] {
  const kb = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+):\s+(\d+)/gm)) {
    kb.set(match[1]!, Number(match[2]) * 1024);
  }
  const total = kb.get("MemTotal");
  if (total === undefined) return null;
  const available = kb.get("MemAvailable") ??
    (kb.get("MemFree") ?? 0) + (kb.get("Buffers") ?? 0) + (kb.get("Cached") ?? 0);
  return {
    total,
    available,
    swapTotal: kb.get("SwapTotal") ?? 0,
    swapFree: kb.get("SwapFree") ?? 0,
  };
}

/**
 * Parses the `cpuN` lines of `/proc/stat` (user nice system idle iowait irq softirq
 * steal …, clock ticks): per CPU its busy and total ticks. Guest time is already inside
 * user and nice, so it is not added again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCpuTimes } from "./host_load.ts";
 * const text = "cpu  9 0 3 80 8 0 0 0 0 0\ncpu0 4 0 1 40 5 0 0 0 0 0\ncpu1 5 0 2 40 3 0 0 0 0 0\n";
 * assert.deepEqual(parseCpuTimes(text), [{ busy: 5, total: 50 }, { busy: 7, total: 50 }]);
 * ```
 */
export function parseCpuTimes(text: string): CpuTimes[] | null {
  const cpus: CpuTimes[] = [];
  for (const match of text.matchAll(/^cpu\d+ +([\d ]+)$/gm)) {
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[1]!
      .trim().split(/ +/).map(Number);
    const busy = user! + nice! + system! + irq + softirq + steal;
    cpus.push({ busy, total: busy + idle! + iowait });
  }
  return cpus.length > 0 ? cpus : null;
}

/** Reads the machine-wide figures of a procfs tree; never throws. */
export function readHostLoad(reader: ProcReader): HostLoad {
  const decoder = new TextDecoder();
  const read = <T>(name: string, parse: (text: string) => T | null): T | null => {
    try {
      return parse(decoder.decode(reader.readRootFile(name)));
    } catch {
      return null;
    }
  };
  return {
    uptime: read("uptime", parseUptime),
    load: read("loadavg", parseLoadavg),
    memory: read("meminfo", parseMeminfo),
    cpus: read("stat", parseCpuTimes),
  };
}
