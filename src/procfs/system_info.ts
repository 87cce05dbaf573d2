import { parseMeminfo } from "./host_load.ts";
import type { ProcReader } from "./proc_reader.ts";

/** Facts about the system a procfs tree belongs to, read once per run. */
export interface SystemInfo {
  /** Bytes per memory page (`AT_PAGESZ`). */
  pageSize: number;
  /** Clock ticks per second (`AT_CLKTCK`), the unit of stat's times. */
  clockTicks: number;
  /** Physical memory, pages. */
  physicalPages: number;
  cpuCount: number;
  hostname: string;
  /** Kernel release, e.g. `6.1.0-18-amd64`. */
  osRelease: string;
}

/** Some of the facts: each `undefined` where it could not be had. */
type Facts = { [K in keyof SystemInfo]?: SystemInfo[K] | undefined };

const AT_PAGESZ = 6n;
const AT_CLKTCK = 17n;

/**
 * Parses the auxiliary vector (`/proc/<pid>/auxv`: native-endian pairs of
 * machine words) and returns the page size and clock tick rate it holds.
 */
export function parseAuxv(bytes: Uint8Array): { pageSize?: number; clockTicks?: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found: { pageSize?: number; clockTicks?: number } = {};
  for (let at = 0; at + 16 <= bytes.byteLength; at += 16) {
    const key = view.getBigUint64(at, true);
    const value = Number(view.getBigUint64(at + 8, true));
    if (key === AT_PAGESZ) found.pageSize = value;
    if (key === AT_CLKTCK) found.clockTicks = value;
  }
  return found;
}

/** The host's own facts, each `undefined` where the sandbox or the system denies it. */
function hostFacts(): Facts {
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch {
      return undefined;
    }
  };
  const auxv = attempt(() => parseAuxv(Deno.readFileSync("/proc/self/auxv")));
  const pageSize = auxv?.pageSize;
  const memory = attempt(() => Deno.systemMemoryInfo().total);
  return {
    pageSize,
    clockTicks: auxv?.clockTicks,
    physicalPages: memory && pageSize ? Math.floor(memory / pageSize) : undefined,
    hostname: attempt(() => Deno.hostname()),
    osRelease: attempt(() => Deno.osRelease()),
  };
}

/** The facts a captured tree carries about the machine it was captured on. */
function treeFacts(reader: ProcReader): Facts {
  const text = (name: string) => {
    try {
      return new TextDecoder().decode(reader.readRootFile(name)).trim();
    } catch {
      return undefined;
    }
  };
  let auxv: { pageSize?: number; clockTicks?: number } = {};
  try {
    auxv = parseAuxv(reader.readRootFile("self/auxv").slice());
  } catch { /* not captured */ }
  const memory = parseMeminfo(text("meminfo") ?? "");
  return {
    pageSize: auxv.pageSize,
    clockTicks: auxv.clockTicks,
    physicalPages: memory && auxv.pageSize ? Math.floor(memory.total / auxv.pageSize) : undefined,
    hostname: text("sys/kernel/hostname"),
    osRelease: text("sys/kernel/osrelease"),
  };
}

/** Linux's user-visible clock tick rate (`USER_HZ`) and the common page size. */
const LINUX_DEFAULTS = { pageSize: 4096, clockTicks: 100 };

/**
 * Returns the facts of the machine running procpath, as the reference records them
 * whatever `--procfs` reads: page size and clock ticks from `/proc/self/auxv`,
 * memory, host name and kernel release from the runtime. Where the sandbox denies
 * one (a replay run with narrow permissions), the captured tree's own files
 * (`self/auxv`, `meminfo`, `sys/kernel/*`) stand in, then Linux's defaults. Never
 * throws.
 */
export function readSystemInfo(reader: ProcReader): SystemInfo {
  const host = hostFacts();
  const tree = host.pageSize === undefined || host.hostname === undefined ? treeFacts(reader) : {};
  const pageSize = host.pageSize ?? tree.pageSize ?? LINUX_DEFAULTS.pageSize;
  return {
    pageSize,
    clockTicks: host.clockTicks ?? tree.clockTicks ?? LINUX_DEFAULTS.clockTicks,
    physicalPages: host.physicalPages ?? tree.physicalPages ?? 0,
    cpuCount: navigator.hardwareConcurrency,
    hostname: host.hostname ?? tree.hostname ?? "",
    osRelease: host.osRelease ?? tree.osRelease ?? "",
  };
}
