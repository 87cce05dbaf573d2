import { REFERENCE_VERSION } from "../version.ts";
import type { ProcFileName, ProcfsTarget, SystemInfo } from "../procfs/mod.ts";

/**
 * What procpath writes to `meta.procpath_version`: the reference's version, so tools
 * that check a recording's compatibility by it keep working.
 */
export const PROCPATH_VERSION = REFERENCE_VERSION;

/** What a recording says about itself, keyed as the reference's `meta` table. */
export interface MetaOptions {
  system: SystemInfo;
  files: readonly ProcFileName[];
  procfsPath: string;
  target: ProcfsTarget;
}

/**
 * Returns the `meta` rows (all values text) for a recording: the 10 keys of the
 * reference. `procfile_list` keeps the user's order, as JSON with Python's spacing.
 */
export function buildMeta(options: MetaOptions): Record<string, string> {
  const { system } = options;
  return {
    platform_node: system.hostname,
    platform_platform: `Linux-${system.osRelease}-${Deno.build.arch}`,
    page_size: String(system.pageSize),
    clock_ticks: String(system.clockTicks),
    physical_pages: String(system.physicalPages),
    cpu_count: String(system.cpuCount),
    procfile_list: "[" + options.files.map((f) => JSON.stringify(f)).join(", ") + "]",
    procpath_version: PROCPATH_VERSION,
    procfs_path: options.procfsPath,
    procfs_target: options.target,
  };
}
