import { PROC_FILES } from "./proc_files.ts";
import type { ProcFileName } from "./types.ts";
import type { ProcfsTarget, ProcReader } from "./proc_reader.ts";

/** Files under the root that describe the machine rather than a process. */
const SYSTEM_FILES = ["self/auxv", "meminfo", "sys/kernel/hostname", "sys/kernel/osrelease"];

/** What a capture wrote. */
export interface CaptureSummary {
  /** Processes (or threads) whose files were written. */
  processes: number;
  files: number;
}

/**
 * Copies the procfs files procpath reads for `pids` — `stat` and each file of `files`
 * that is a file (`fd` is a directory of descriptors, which cannot be copied) — from
 * `reader` into `dir` in procfs's layout (`<pid>/…`, or `<pid>/task/<tid>/…` for the
 * thread target), with the machine's own files beside them, so the tree replays with
 * `--procfs dir`. A process that exits meanwhile is left out.
 */
export function captureTree(
  reader: ProcReader,
  target: ProcfsTarget,
  pids: readonly number[],
  files: readonly ProcFileName[],
  dir: string,
): CaptureSummary {
  const names = ["stat", ...files.filter((f) => f !== "stat" && PROC_FILES[f].source === "file")];
  const summary = { processes: 0, files: 0 };
  for (const pid of pids) {
    const base = target === "process" ? `${dir}/${pid}` : `${dir}/${pid}/task/${pid}`;
    let wrote = 0;
    for (const name of names) {
      let bytes: Uint8Array;
      try {
        bytes = reader.readFile(pid, name).slice();
      } catch {
        continue; // gone, or not readable for this user: a replay reads it as such
      }
      Deno.mkdirSync(base, { recursive: true });
      Deno.writeFileSync(`${base}/${name}`, bytes);
      wrote++;
    }
    if (wrote > 0) summary.processes++;
    summary.files += wrote;
  }
  for (const name of SYSTEM_FILES) {
    try {
      const bytes = reader.readRootFile(name).slice();
      Deno.mkdirSync(`${dir}/${name.replace(/\/[^/]+$/, "")}`, { recursive: true });
      Deno.writeFileSync(`${dir}/${name}`, bytes);
      summary.files++;
    } catch { /* not on this system */ }
  }
  return summary;
}
