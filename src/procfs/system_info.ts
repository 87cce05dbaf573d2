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

function readText(path: string): string | null {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return null;
  }
}

/**
 * Reads the system facts of the procfs tree behind `reader`: page size and clock
 * ticks from `self/auxv`, memory from `meminfo`, host name and kernel release from
 * `sys/kernel`. A captured tree carries these files; without `self/auxv` the values
 * cannot be known and this throws.
 */
export function readSystemInfo(reader: ProcReader): SystemInfo {
  let auxv: Uint8Array;
  try {
    auxv = Deno.readFileSync(`${reader.root}/self/auxv`);
  } catch (error) {
    throw new Error(
      `Cannot read "${reader.root}/self/auxv" for the page size and clock ticks: ${
        (error as Error).message
      }`,
    );
  }
  const { pageSize, clockTicks } = parseAuxv(auxv);
  if (!pageSize || !clockTicks) {
    throw new Error(`Cannot find AT_PAGESZ and AT_CLKTCK in "${reader.root}/self/auxv"`);
  }
  const memTotalKb = Number(
    /^MemTotal:\s+(\d+)/m.exec(readText(`${reader.root}/meminfo`) ?? "")?.[1] ?? 0,
  );
  return {
    pageSize,
    clockTicks,
    physicalPages: Math.floor(memTotalKb * 1024 / pageSize),
    cpuCount: navigator.hardwareConcurrency,
    hostname: readText(`${reader.root}/sys/kernel/hostname`) ?? "",
    osRelease: readText(`${reader.root}/sys/kernel/osrelease`) ?? "",
  };
}
