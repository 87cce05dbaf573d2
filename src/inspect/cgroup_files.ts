/**
 * A process's cgroup figures: its CPU quota and throttling, its memory against its
 * limit with the OOM kills and limit hits, and pressure (PSI) — from cgroup v2, or from
 * the cgroup v1 controller that holds them where v1 mounts it (a hybrid machine mounts
 * both, and puts the process in `/` of v2 while its quota sits under v1's `cpu`). The
 * group's path is the one the controller's own line in `/proc/PID/cgroup` names.
 *
 * @module
 */

/** The lines of `/proc/PID/cgroup`: the v2 path and each v1 controller's path. */
export interface CgroupPaths {
  /** The `0::` line's path; `null` without cgroup v2. */
  v2: string | null;
  /** cgroup v1: controller (`cpu`, `memory`, …) → path. */
  v1: ReadonlyMap<string, string>;
}

/**
 * Parses `/proc/PID/cgroup`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCgroupPaths } from "./cgroup_files.ts";
 * const paths = parseCgroupPaths("4:memory:/m\n1:cpu,cpuacct:/c\n0::/u\n");
 * assert.deepEqual([paths.v2, paths.v1.get("memory"), paths.v1.get("cpuacct")], ["/u", "/m", "/c"]);
 * ```
 */
export function parseCgroupPaths(text: string): CgroupPaths {
  let v2: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    if (match[1] === "") v2 = match[2]!;
    else for (const controller of match[1]!.split(",")) v1.set(controller, match[2]!);
  }
  return { v2, v1 };
}

/** A CPU quota and its throttling counters at one moment. */
export interface CpuQuota {
  /** The file the quota came from: v2 `cpu.max` or v1 `cpu.cfs_quota_us`. */
  from: "cpu.max" | "cpu.cfs_quota_us";
  /** The group's path in its hierarchy. */
  path: string;
  /** CPU time allowed per period, µs; `null`: no quota. */
  quotaUs: number | null;
  periodUs: number;
  /** `cpu.stat`: enforcement periods, how many were throttled, and for how long (µs). */
  periods: number;
  throttled: number;
  throttledUsec: number;
}

/** Memory against its limit at one moment. */
export interface MemoryLimit {
  from: "memory.max" | "memory.limit_in_bytes";
  path: string;
  /** Usage, bytes (`memory.current` / `memory.usage_in_bytes`). */
  current: number;
  /** The limit, bytes; `null`: none. */
  max: number | null;
  /** OOM kills in the group (v2 `memory.events` `oom_kill`, v1 `memory.oom_control` `oom_kill`). */
  oomKills: number | null;
  /** Times usage hit the limit (v2 `memory.events` `max`, v1 `memory.failcnt`). */
  limitHits: number | null;
  /** Swap used by the group, bytes (v2 `memory.swap.current`), where known. */
  swap: number | null;
}

/** What the cgroups of a process say at one moment. */
export interface CgroupFigures {
  /** The cgroup v2 path (`/` on a v1-only or hybrid machine's root). */
  path: string;
  cpu: CpuQuota | null;
  memory: MemoryLimit | null;
  /** `cpu.pressure`, `memory.pressure`, `io.pressure`: `some avg10`, % of the last 10 s. */
  pressure: { cpu: number | null; memory: number | null; io: number | null };
}

/** `key value` lines (cpu.stat, memory.events, memory.oom_control) as numbers. */
export function parseKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) {
      values.set(key, Number(value));
    }
  }
  return values;
}

/** The `avg10` of a pressure file's `some` line, or `null`. */
export function parsePressure(text: string): number | null {
  const match = /^some .*?avg10=([\d.]+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** v1's "no limit": the page-rounded largest signed 64-bit value, or anything that large. */
const V1_UNLIMITED = 2 ** 62;

/** Where cgroup v2 is mounted: `/sys/fs/cgroup` itself, or its `unified` part on a hybrid system. */
export function cgroupRoot(base = "/sys/fs/cgroup"): string | null {
  for (const root of [base, `${base}/unified`]) {
    try {
      Deno.statSync(`${root}/cgroup.controllers`);
      return root;
    } catch { /* not here */ }
  }
  return null;
}

function reader(dir: string) {
  return (name: string): string | null => {
    try {
      return Deno.readTextFileSync(`${dir}/${name}`);
    } catch {
      return null;
    }
  };
}

const join = (root: string, path: string) => `${root}${path === "/" ? "" : path}`;

/** The directory of a v1 controller's hierarchy (`cpu` may be mounted as `cpu,cpuacct`). */
function v1Mount(base: string, controller: string): string | null {
  for (const name of [controller, `${controller},cpuacct`, `cpuacct,${controller}`]) {
    try {
      if (Deno.statSync(`${base}/${name}`).isDirectory) return `${base}/${name}`;
    } catch { /* not this name */ }
  }
  return null;
}

function readCpuV2(root: string, path: string): CpuQuota | null {
  const read = reader(join(root, path));
  const max = read("cpu.max")?.trim().split(/\s+/);
  const stat = read("cpu.stat");
  if (!max || max.length !== 2 || stat === null) return null;
  const values = parseKeyValues(stat);
  if (!values.has("nr_periods")) return null;
  return {
    from: "cpu.max",
    path,
    quotaUs: max[0] === "max" ? null : Number(max[0]),
    periodUs: Number(max[1]),
    periods: values.get("nr_periods")!,
    throttled: values.get("nr_throttled") ?? 0,
    throttledUsec: values.get("throttled_usec") ?? 0,
  };
}

function readCpuV1(mount: string, path: string): CpuQuota | null {
  const read = reader(join(mount, path));
  const quota = read("cpu.cfs_quota_us"), period = read("cpu.cfs_period_us");
  const stat = read("cpu.stat");
  if (quota === null || period === null || stat === null) return null;
  const values = parseKeyValues(stat);
  const limit = Number(quota.trim());
  return {
    from: "cpu.cfs_quota_us",
    path,
    quotaUs: limit < 0 ? null : limit,
    periodUs: Number(period.trim()),
    periods: values.get("nr_periods") ?? 0,
    throttled: values.get("nr_throttled") ?? 0,
    // v1 counts throttled time in ns
    throttledUsec: (values.get("throttled_time") ?? 0) / 1000,
  };
}

function readMemoryV2(root: string, path: string): MemoryLimit | null {
  const read = reader(join(root, path));
  const current = read("memory.current");
  if (current === null) return null;
  const max = read("memory.max")?.trim();
  const events = read("memory.events");
  const counts = events === null ? null : parseKeyValues(events);
  const swap = read("memory.swap.current");
  return {
    from: "memory.max",
    path,
    current: Number(current.trim()),
    max: max === undefined || max === "max" ? null : Number(max),
    oomKills: counts?.get("oom_kill") ?? null,
    limitHits: counts?.get("max") ?? null,
    swap: swap === null ? null : Number(swap.trim()),
  };
}

function readMemoryV1(mount: string, path: string): MemoryLimit | null {
  const read = reader(join(mount, path));
  const usage = read("memory.usage_in_bytes"), limit = read("memory.limit_in_bytes");
  if (usage === null || limit === null) return null;
  const control = read("memory.oom_control");
  const failcnt = read("memory.failcnt");
  const max = Number(limit.trim());
  return {
    from: "memory.limit_in_bytes",
    path,
    current: Number(usage.trim()),
    max: max >= V1_UNLIMITED ? null : max,
    oomKills: control === null ? null : parseKeyValues(control).get("oom_kill") ?? null,
    limitHits: failcnt === null ? null : Number(failcnt.trim()),
    swap: null,
  };
}

/**
 * Reads the cgroup figures of a process in `paths` (from its `/proc/PID/cgroup`). The
 * CPU quota comes from v2's `cpu.max`, else from v1's `cpu` hierarchy at the `cpu`
 * line's path — the group's own or its nearest ancestor's; the memory from the group
 * or ancestor whose usage is closest to its limit (`memory.max`, else v1's
 * `memory.limit_in_bytes`). `base` is where cgroups are mounted.
 */
export function readCgroupFigures(paths: CgroupPaths, base = "/sys/fs/cgroup"): CgroupFigures {
  const root = paths.v2 === null ? null : cgroupRoot(base);
  const v2 = root !== null && paths.v2 !== null ? paths.v2 : null;
  const cpuMount = v1Mount(base, "cpu"), memoryMount = v1Mount(base, "memory");
  const cpuPath = paths.v1.get("cpu"), memoryPath = paths.v1.get("memory");
  // a quota or limit set on an ancestor binds the group too: the nearest quota, and the
  // limit the usage is closest to, wherever in the lineage they are set
  const cpus: CpuQuota[] = [
    ...(v2 === null ? [] : lineage(v2).filter((p) => p !== "/").map((p) => readCpuV2(root!, p))),
    ...(cpuPath === undefined || !cpuMount
      ? []
      : lineage(cpuPath).map((p) => readCpuV1(cpuMount, p))),
  ].filter((c) => c !== null);
  const cpu = cpus.find((c) => c.quotaUs !== null) ?? cpus[0] ?? null;
  const memories: MemoryLimit[] = [
    ...(v2 === null ? [] : lineage(v2).filter((p) => p !== "/").map((p) => readMemoryV2(root!, p))),
    ...(memoryPath === undefined || !memoryMount
      ? []
      : lineage(memoryPath).map((p) => readMemoryV1(memoryMount, p))),
  ].filter((m) => m !== null);
  const limited = memories.filter((m) => m.max !== null)
    .sort((a, b) => b.current / b.max! - a.current / a.max!);
  const memory = limited[0] ?? memories[0] ?? null;
  const read = root !== null && v2 !== null ? reader(join(root, v2)) : () => null;
  const pressure = (name: string) => {
    const text = read(`${name}.pressure`);
    return text === null ? null : parsePressure(text);
  };
  return {
    path: paths.v2 ?? "/",
    cpu,
    memory,
    pressure: { cpu: pressure("cpu"), memory: pressure("memory"), io: pressure("io") },
  };
}

/**
 * `path` and its ancestors, nearest first, ending with `/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineage } from "./cgroup_files.ts";
 * assert.deepEqual(lineage("/a/b"), ["/a/b", "/a", "/"]);
 * assert.deepEqual(lineage("/"), ["/"]);
 * ```
 */
export function lineage(path: string): string[] {
  const parts = path.split("/").filter((part) => part !== "");
  return [...parts.map((_, i) => `/${parts.slice(0, parts.length - i).join("/")}`), "/"];
}
