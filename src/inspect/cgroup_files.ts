/**
 * A process's cgroup v2 figures, read from the group's directory: CPU quota and
 * throttling, memory against its limit, OOM kills, and pressure (PSI). Every file may
 * be missing (cgroup v1, a controller not enabled): its figures are then `null`.
 *
 * @module
 */

/** What a cgroup v2 directory says. */
export interface CgroupFigures {
  /** The group's path (`/user.slice/app.scope`). */
  path: string;
  /** `cpu.max`: quota and period, µs; quota `null` for `max` (no limit). */
  cpuMax: { quota: number | null; period: number } | null;
  /** Where the quota and throttling came from: cgroup v2, or v1's `cpu` controller. */
  cpuFrom: "cpu.max" | "cpu.cfs_quota_us";
  /** `cpu.stat`: enforcement periods, how many were throttled, and for how long (µs). */
  cpuStat: { periods: number; throttled: number; throttledUsec: number } | null;
  /** `memory.current` and `memory.max` (bytes; max `null` for `max`). */
  memoryCurrent: number | null;
  memoryMax: number | null;
  /** `memory.events` `oom_kill`. */
  oomKills: number | null;
  /** `cpu.pressure`, `memory.pressure`, `io.pressure`: `some avg10`, % of the last 10 s. */
  pressure: { cpu: number | null; memory: number | null; io: number | null };
}

/** `key value` lines (cpu.stat, memory.events) as numbers. */
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

/** Reads the figures of the cgroup v2 group at `path`; `null` without cgroup v2. */
export function readCgroup(path: string, base?: string): CgroupFigures | null {
  const root = cgroupRoot(base);
  if (root === null) return null;
  const read = (name: string) => {
    try {
      return Deno.readTextFileSync(`${root}${path === "/" ? "" : path}/${name}`);
    } catch {
      return null;
    }
  };
  const number = (text: string | null) =>
    text === null || text.trim() === "max" ? null : Number(text.trim());
  const max = read("cpu.max")?.trim().split(/\s+/);
  const stat = read("cpu.stat");
  const cpuStat = stat === null ? null : parseKeyValues(stat);
  const events = read("memory.events");
  const pressure = (name: string) => {
    const text = read(`${name}.pressure`);
    return text === null ? null : parsePressure(text);
  };
  return {
    path,
    cpuFrom: "cpu.max",
    cpuMax: max && max.length === 2
      ? { quota: max[0] === "max" ? null : Number(max[0]), period: Number(max[1]) }
      : null,
    cpuStat: cpuStat && cpuStat.has("nr_periods")
      ? {
        periods: cpuStat.get("nr_periods")!,
        throttled: cpuStat.get("nr_throttled") ?? 0,
        throttledUsec: cpuStat.get("throttled_usec") ?? 0,
      }
      : null,
    memoryCurrent: number(read("memory.current")),
    memoryMax: number(read("memory.max")),
    oomKills: events === null ? null : parseKeyValues(events).get("oom_kill") ?? null,
    pressure: { cpu: pressure("cpu"), memory: pressure("memory"), io: pressure("io") },
  };
}

/**
 * Reads the quota and throttling of a cgroup v1 `cpu` controller group (a machine that
 * mounts v1 beside v2): `cpu.cfs_quota_us` (-1: none), `cpu.cfs_period_us` and
 * `cpu.stat` (`throttled_time` in ns). `null` where v1 does not mount `cpu`.
 */
export function readCpuCgroupV1(
  path: string,
  base = "/sys/fs/cgroup",
): Pick<CgroupFigures, "cpuMax" | "cpuStat"> | null {
  for (const mount of ["cpu", "cpu,cpuacct", "cpuacct,cpu"]) {
    const dir = `${base}/${mount}${path === "/" ? "" : path}`;
    let quota: string, period: string, stat: string;
    try {
      quota = Deno.readTextFileSync(`${dir}/cpu.cfs_quota_us`);
      period = Deno.readTextFileSync(`${dir}/cpu.cfs_period_us`);
      stat = Deno.readTextFileSync(`${dir}/cpu.stat`);
    } catch {
      continue;
    }
    const values = parseKeyValues(stat);
    const limit = Number(quota.trim());
    return {
      cpuMax: { quota: limit < 0 ? null : limit, period: Number(period.trim()) },
      cpuStat: values.has("nr_periods")
        ? {
          periods: values.get("nr_periods")!,
          throttled: values.get("nr_throttled") ?? 0,
          throttledUsec: (values.get("throttled_time") ?? 0) / 1000,
        }
        : null,
    };
  }
  return null;
}
