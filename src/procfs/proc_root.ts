import { createProcReader } from "./proc_reader.ts";
import type { ProcfsTarget, ProcReader } from "./proc_reader.ts";
import { readSystemInfo } from "./system_info.ts";
import type { SystemInfo } from "./system_info.ts";

/** Where the running system's procfs is mounted. */
export const LIVE_PROCFS = "/proc";

/** A procfs tree to read: the live `/proc` or a captured one, normalised once. */
export interface ProcRoot {
  /** As the user typed it (`play -n` shows it so). */
  readonly given: string;
  /** Resolved (absolute where the sandbox allows), without trailing slashes: `meta.procfs_path`. */
  readonly path: string;
  /** Whether it is the running system's procfs, where procpath itself is a process. */
  readonly isLive: boolean;
  /** The reader of its processes, or of every thread for the thread target. */
  reader(target: ProcfsTarget): ProcReader;
  /** The machine's facts (see `readSystemInfo`), read once. */
  systemInfo(): SystemInfo;
  /** When the machine booted, unix seconds: `btime` of the tree's `stat`, else the host's; 0 unknown. */
  bootTime(): number;
}

function btime(read: () => Uint8Array): number | null {
  try {
    const match = /^btime (\d+)$/m.exec(new TextDecoder().decode(read()));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Returns the root for a `--procfs` value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { procRoot } from "./proc_root.ts";
 * assert(procRoot("/proc//").isLive && procRoot("/proc/").given === "/proc/");
 * ```
 */
export function procRoot(given: string): ProcRoot {
  const trimmed = given.length > 1 ? given.replace(/\/+$/, "") || "/" : given;
  let path = trimmed;
  try {
    path = Deno.realPathSync(trimmed);
  } catch { /* missing, or not readable in this sandbox: the reads will say so */ }
  let info: SystemInfo | undefined;
  let boot: number | undefined;
  const readers = new Map<ProcfsTarget, ProcReader>();
  const root: ProcRoot = {
    given,
    path,
    isLive: path === LIVE_PROCFS,
    reader(target) {
      let reader = readers.get(target);
      if (!reader) readers.set(target, reader = createProcReader(path, target));
      return reader;
    },
    systemInfo: () => info ??= readSystemInfo(root.reader("process")),
    bootTime: () =>
      boot ??= btime(() => root.reader("process").readRootFile("stat")) ??
        btime(() => Deno.readFileSync(`${LIVE_PROCFS}/stat`)) ?? 0,
  };
  return root;
}

/** The running system's procfs. */
export function liveRoot(): ProcRoot {
  return procRoot(LIVE_PROCFS);
}
