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
 * A CTE giving each process's CPU ticks per interval with its reaped children's, as
 * `model/cpu.ts` defines it: Δ(utime + stime) + max(0, Δ(cutime + cstime) − what its
 * children that vanished in the interval had at the previous sample); a process born
 * in the interval counts all it has. Identity is `stat_pid` with `stat_starttime`.
 */
const REAPED_CPU_CTE = `WITH samples AS (
    SELECT ts, LAG(ts) OVER (ORDER BY ts) prev_ts, LEAD(ts) OVER (ORDER BY ts) next_ts
    FROM (SELECT DISTINCT ts FROM record)
), counted AS (
    SELECT
        r.record_id, r.ts, r.stat_pid, r.stat_ppid,
        r.stat_utime + r.stat_stime own,
        r.stat_cutime + r.stat_cstime reaped,
        LAG(r.stat_utime + r.stat_stime) OVER w seen_own,
        LAG(r.stat_cutime + r.stat_cstime) OVER w seen_reaped,
        LAG(r.ts) OVER w seen_ts,
        LEAD(r.ts) OVER w again_ts,
        s.prev_ts, s.next_ts
    FROM record r JOIN samples s ON s.ts = r.ts
    WINDOW w AS (PARTITION BY r.stat_pid, r.stat_starttime ORDER BY r.record_id)
), gone AS (
    SELECT next_ts ts, stat_ppid ppid, SUM(own + reaped) ticks
    FROM counted
    WHERE next_ts IS NOT NULL AND (again_ts IS NULL OR again_ts != next_ts)
    GROUP BY next_ts, stat_ppid
), delta AS (
    SELECT
        c.record_id, c.ts, c.stat_pid,
        CASE WHEN c.seen_ts IS NULL THEN c.own + c.reaped
        ELSE MAX(0, c.own - c.seen_own)
            + MAX(0, c.reaped - c.seen_reaped - COALESCE(g.ticks, 0)) END diff,
        c.ts - c.prev_ts ts_diff
    FROM counted c LEFT JOIN gone g ON g.ts = c.ts AND g.ppid = c.stat_pid
    WHERE c.prev_ts IS NOT NULL AND c.ts > c.prev_ts
)`;

const WINDOW_FUNCTIONS: [number, number] = [3, 25];
const META = (key: string) => `(SELECT value FROM meta WHERE key = '${key}')`;

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
