import { BIRTH_SLACK_SECONDS } from "../model/cpu.ts";
import type { ProcFileName } from "../procfs/mod.ts";

/** An SQL query returning `ts, pid, value` rows, with what it needs of the database. */
export interface SeriesQuery {
  /** Built-in name (`rss`), or `null` for a custom query or expression. */
  name: string | null;
  title: string;
  sql: string;
  /** Lowest SQLite version the SQL runs on (window functions need 3.25). */
  minVersion: [number, number] | null;
  procfilesRequired: ProcFileName[];
  /** What the values measure (`%`, `MiB`, `B/s`, `count`); `null` when unknown (custom SQL). */
  unit: string | null;
}

/** How `createQuery` builds a query. */
export interface CreateQueryOptions {
  name?: string | null | undefined;
  cte?: string;
  table?: string;
  procfilesRequired?: ProcFileName[];
  minVersion?: [number, number] | null;
  unit?: string | null | undefined;
}

/** Marks where the reference cuts a query to its short form (for external viewers). */
export const FILTER_CUT_LINE = "-- filter cut line --";

/**
 * Builds the reference's query shape around a value expression: `ts`, `stat_pid` as
 * `pid` and the value, filtered by the `:after`, `:before` (unix seconds) and
 * `:pid_list` (`,1,2,3,`) parameters, ordered by pid then record.
 */
export function createQuery(
  valueExpr: string,
  title: string,
  options: CreateQueryOptions = {},
): SeriesQuery {
  const sql = `${options.cte ?? ""}
SELECT
    ts, -- unix timestamp
    stat_pid pid,
    ${valueExpr} value
FROM ${options.table ?? "record"}
${FILTER_CUT_LINE}
WHERE
    (:after IS NULL OR :after <= ts)
    AND (:before IS NULL OR ts <= :before)
    AND (:pid_list IS NULL OR instr(:pid_list, ',' || stat_pid || ','))
ORDER BY stat_pid, record_id`;
  return {
    name: options.name ?? null,
    title,
    sql,
    minVersion: options.minVersion ?? null,
    procfilesRequired: options.procfilesRequired ?? [],
    unit: options.unit ?? null,
  };
}

/**
 * The `meta` key of the kernel's `btime` (unix seconds, whole) where `record` wrote it:
 * an upper bound, + 1 s, of the boot moment `cpu_total` tells births by.
 */
export const BOOT_TIME_META_KEY = "boot_time";

const META = (key: string) => `(SELECT value FROM meta WHERE key = '${key}')`;

/** A CTE giving per-process differences of `expr` and of `ts` between consecutive records. */
function deltaCte(expr: string): string {
  return `WITH lagged AS (
    SELECT
        record_id,
        ts,
        stat_pid,
        ${expr} - LAG(${expr}) OVER (PARTITION BY stat_pid ORDER BY record_id) diff,
        ts - LAG(ts) OVER (PARTITION BY stat_pid ORDER BY record_id) ts_diff
    FROM record
), delta AS (
    SELECT * FROM lagged WHERE diff IS NOT NULL AND ts_diff > 0
)`;
}

/**
 * A CTE giving each process's CPU ticks per interval with its reaped children's: the
 * model of `model/cpu.ts` (`intervalCpu`) in SQL, step for step, so `plot -q
 * cpu_total`, explore's charts and the views that run the model agree:
 * Δ(utime + stime) + max(0, Δ(cutime + cstime) − what its children that vanished in
 * the interval had at the previous sample), a vanished child whose parent vanished too
 * going to the nearest ancestor still there; a process absent from the previous sample
 * counts all it has if born after that sample's moment (`BIRTH_SLACK_SECONDS` early),
 * else nothing. The boot moment is the recording's `bootBound` (the least of `ts` less
 * a process's age at it) or its `btime` + 1 s, whichever is earlier. Identity is `stat_pid` with `stat_starttime`.
 * An interval is at least what the recording's `cpu_count` CPUs need for the CPU all its
 * processes used in it (`intervalSeconds`): stamps are taken as a read starts.
 */
const REAPED_CPU_CTE = `WITH RECURSIVE samples AS (
    SELECT ts, LAG(ts) OVER (ORDER BY ts) prev_ts, LEAD(ts) OVER (ORDER BY ts) next_ts
    FROM (SELECT DISTINCT ts FROM record)
), clock AS (
    SELECT ${META("clock_ticks")} hz
), born AS (
    SELECT MIN(
        MIN(ts - 1.0 * stat_starttime / (SELECT hz FROM clock)),
        COALESCE(${META(BOOT_TIME_META_KEY)} + 1, 1e300)
    ) boot_at FROM record
), counted AS (
    SELECT
        r.record_id, r.ts, r.stat_pid, r.stat_ppid, r.stat_starttime,
        r.stat_utime + r.stat_stime own,
        r.stat_utime + r.stat_cutime user_all,
        r.stat_stime + r.stat_cstime system_all,
        r.stat_cutime reaped_user,
        r.stat_cstime reaped_system,
        LAG(r.stat_utime + r.stat_stime) OVER w seen_own,
        LAG(r.stat_cutime) OVER w seen_reaped_user,
        LAG(r.stat_cstime) OVER w seen_reaped_system,
        LAG(r.ts) OVER w seen_ts,
        s.prev_ts,
        s.next_ts IS NOT NULL AND s.next_ts IS NOT LEAD(r.ts) OVER w gone
    FROM record r JOIN samples s ON s.ts = r.ts
    WINDOW w AS (PARTITION BY r.stat_pid, r.stat_starttime ORDER BY r.record_id)
), vanished AS (
    SELECT ts, stat_pid, stat_ppid, user_all, system_all FROM counted WHERE gone
), climb AS (
    SELECT ts, stat_ppid reaper, user_all, system_all, 0 hops FROM vanished
    UNION ALL
    SELECT c.ts, v.stat_ppid, c.user_all, c.system_all, c.hops + 1
    FROM climb c JOIN vanished v ON v.ts = c.ts AND v.stat_pid = c.reaper
    WHERE c.hops < 64
), gone AS (
    SELECT s.next_ts ts, c.reaper ppid, SUM(c.user_all) user_ticks, SUM(c.system_all) system_ticks
    FROM climb c JOIN samples s ON s.ts = c.ts
    WHERE c.hops = 64 OR NOT EXISTS (
        SELECT 1 FROM vanished v WHERE v.ts = c.ts AND v.stat_pid = c.reaper
    )
    GROUP BY s.next_ts, c.reaper
), used AS (
    SELECT
        c.record_id, c.ts, c.stat_pid,
        CASE WHEN c.seen_ts IS c.prev_ts THEN MAX(0, c.own - c.seen_own)
            + MAX(0, c.reaped_user - c.seen_reaped_user - COALESCE(g.user_ticks, 0))
            + MAX(0, c.reaped_system - c.seen_reaped_system - COALESCE(g.system_ticks, 0))
        WHEN c.stat_starttime > (c.prev_ts - (SELECT boot_at FROM born) - ${BIRTH_SLACK_SECONDS})
            * (SELECT hz FROM clock) THEN c.user_all + c.system_all
        ELSE 0 END diff,
        c.ts - c.prev_ts ts_diff
    FROM counted c LEFT JOIN gone g ON g.ts = c.ts AND g.ppid = c.stat_pid
    WHERE c.prev_ts IS NOT NULL AND c.ts > c.prev_ts
), spent AS (
    SELECT ts, SUM(diff) ticks FROM used GROUP BY ts
), delta AS (
    SELECT u.record_id, u.ts, u.stat_pid, u.diff,
        MAX(u.ts_diff, COALESCE(
            1.0 * s.ticks / (SELECT hz FROM clock) / NULLIF(1.0 * ${META("cpu_count")}, 0), 0
        )) ts_diff
    FROM used u JOIN spent s ON s.ts = u.ts
)`;

const WINDOW_FUNCTIONS: [number, number] = [3, 25];

/** The built-in queries of `plot -q`, by name, as the reference defines them. */
export const BUILTIN_QUERIES: Record<string, SeriesQuery> = {
  cpu: createQuery(`100.0 * diff / ${META("clock_ticks")} / ts_diff`, "CPU Usage, %", {
    name: "cpu",
    unit: "%",
    cte: deltaCte("stat_utime + stat_stime"),
    table: "delta",
    procfilesRequired: ["stat"],
    minVersion: WINDOW_FUNCTIONS,
  }),
  cpu_total: createQuery(
    `100.0 * diff / ${META("clock_ticks")} / ts_diff`,
    "CPU Usage incl. exited children, %",
    {
      name: "cpu_total",
      unit: "%",
      cte: REAPED_CPU_CTE,
      table: "delta",
      procfilesRequired: ["stat"],
      minVersion: WINDOW_FUNCTIONS,
    },
  ),
  rss: createQuery(`stat_rss / 1024.0 / 1024 * ${META("page_size")}`, "Resident Set Size, MiB", {
    name: "rss",
    unit: "MiB",
    procfilesRequired: ["stat"],
  }),
  pss: createQuery("smaps_rollup_pss / 1024.0", "Proportional Set Size, MiB", {
    name: "pss",
    unit: "MiB",
    procfilesRequired: ["smaps_rollup"],
  }),
  uss: createQuery(
    "(smaps_rollup_private_clean + smaps_rollup_private_dirty) / 1024.0",
    "Unique Set Size, MiB",
    { name: "uss", unit: "MiB", procfilesRequired: ["smaps_rollup"] },
  ),
  swap: createQuery("smaps_rollup_swap / 1024.0", "Swap, MiB", {
    name: "swap",
    unit: "MiB",
    procfilesRequired: ["smaps_rollup"],
  }),
  fd: createQuery(
    "fd_anon + fd_dir + fd_chr + fd_blk + fd_reg + fd_fifo + fd_lnk + fd_sock",
    "Open File Descriptors",
    { name: "fd", unit: "count", procfilesRequired: ["fd"] },
  ),
  rbs: createQuery("1.0 * diff / ts_diff", "Disk Read, B/s", {
    name: "rbs",
    unit: "B/s",
    cte: deltaCte("io_read_bytes"),
    table: "delta",
    procfilesRequired: ["io"],
    minVersion: WINDOW_FUNCTIONS,
  }),
  wbs: createQuery("1.0 * diff / ts_diff", "Disk Write, B/s", {
    name: "wbs",
    unit: "B/s",
    cte: deltaCte("io_write_bytes"),
    table: "delta",
    procfilesRequired: ["io"],
    minVersion: WINDOW_FUNCTIONS,
  }),
  wait: createQuery(`100.0 * diff / ${META("clock_ticks")} / ts_diff`, "I/O wait, %", {
    name: "wait",
    unit: "%",
    cte: deltaCte("stat_delayacct_blkio_ticks"),
    table: "delta",
    procfilesRequired: ["stat"],
    minVersion: WINDOW_FUNCTIONS,
  }),
};
