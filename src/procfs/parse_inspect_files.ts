/**
 * Parsers of the procfiles that answer "why is it slow?" without root (read only when
 * asked with `-f`): `schedstat` (time on a CPU and waiting for one), `wchan` (the
 * kernel function a task sleeps in), `limits` (resource limits), `oom_score` and
 * `cgroup` (the cgroup v2 path). Pure: text in, typed record out.
 *
 * @module
 */
import { ProcfsSyntaxError } from "./errors.ts";

/** `/proc/<pid>/schedstat`: nanoseconds on a CPU, nanoseconds runnable but waiting, timeslices. */
export interface Schedstat {
  /** Time spent running, ns. */
  run_time: number | null;
  /** Time spent runnable, waiting in a run queue, ns. */
  run_delay: number | null;
  /** Timeslices run on a CPU. */
  timeslices: number | null;
}

/** Schedstat field names in schema order. */
export const SCHEDSTAT_FIELDS = ["run_time", "run_delay", "timeslices"] as const;

/**
 * Parses `schedstat`: three numbers on one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSchedstat } from "./parse_inspect_files.ts";
 * assert.deepEqual(parseSchedstat("3873269 7997133 2\n"), {
 *   run_time: 3873269,
 *   run_delay: 7997133,
 *   timeslices: 2,
 * });
 * ```
 */
export function parseSchedstat(text: string): Schedstat {
  const numbers = text.trim().split(/\s+/).map(Number);
  if (numbers.length < 3 || numbers.some((n) => !Number.isFinite(n))) {
    throw new ProcfsSyntaxError(`Cannot parse schedstat: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { run_time: numbers[0]!, run_delay: numbers[1]!, timeslices: numbers[2]! };
}

/**
 * Parses `wchan`: the symbol a sleeping task waits in, or `null` for `0` (running, or
 * the symbol hidden from this user).
 */
export function parseWchan(text: string): string | null {
  const symbol = text.trim();
  return symbol === "" || symbol === "0" ? null : symbol;
}

/** The limits procpath keeps, by the name `limits` prints (`Max open files`). */
const LIMIT_NAMES: Record<string, string> = {
  "Max cpu time": "cpu_time",
  "Max file size": "file_size",
  "Max data size": "data_size",
  "Max stack size": "stack_size",
  "Max core file size": "core_file_size",
  "Max resident set": "resident_set",
  "Max processes": "processes",
  "Max open files": "open_files",
  "Max locked memory": "locked_memory",
  "Max address space": "address_space",
  "Max file locks": "file_locks",
  "Max pending signals": "pending_signals",
  "Max msgqueue size": "msgqueue_size",
  "Max nice priority": "nice_priority",
  "Max realtime priority": "realtime_priority",
  "Max realtime timeout": "realtime_timeout",
};

/** Limits field names in schema order: `<limit>_soft`, `<limit>_hard`. */
export const LIMITS_FIELDS = Object.values(LIMIT_NAMES).flatMap((name) => [
  `${name}_soft`,
  `${name}_hard`,
]);

/** `/proc/<pid>/limits`: soft and hard values in the file's units; `-1` is unlimited. */
export type Limits = Record<string, number | null>;

/**
 * Parses `limits` (a table whose limit names contain spaces): each known limit's soft
 * and hard value, `-1` for `unlimited`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimits } from "./parse_inspect_files.ts";
 * const limits = parseLimits(
 *   "Limit                     Soft Limit           Hard Limit           Units     \n" +
 *     "Max open files            1024                 524288               files     \n" +
 *     "Max processes             unlimited            unlimited            processes \n",
 * );
 * assert.deepEqual([limits.open_files_soft, limits.open_files_hard, limits.processes_soft], [1024, 524288, -1]);
 * ```
 */
export function parseLimits(text: string): Limits {
  const limits: Limits = Object.fromEntries(LIMITS_FIELDS.map((name) => [name, null]));
  for (const line of text.split("\n").slice(1)) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const name = match ? LIMIT_NAMES[match[1]!] : undefined;
    if (!match || !name) continue;
    const value = (word: string) => word === "unlimited" ? -1 : Number(word);
    limits[`${name}_soft`] = value(match[2]!);
    limits[`${name}_hard`] = value(match[3]!);
  }
  return limits;
}

/** Parses `oom_score`: the kernel's badness score, 0-2000. */
export function parseOomScore(text: string): number {
  const score = Number(text.trim());
  if (!Number.isInteger(score)) {
    throw new ProcfsSyntaxError(`Cannot parse oom_score: ${JSON.stringify(text.slice(0, 40))}`);
  }
  return score;
}

/**
 * Parses `cgroup`: the cgroup v2 path (the `0::/path` line), or `null` on a machine
 * with cgroup v1 only.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCgroup } from "./parse_inspect_files.ts";
 * assert.equal(parseCgroup("4:memory:/x\n0::/user.slice/app.scope\n"), "/user.slice/app.scope");
 * ```
 */
export function parseCgroup(text: string): string | null {
  const line = text.split("\n").find((l) => l.startsWith("0::"));
  return line === undefined ? null : line.slice(3);
}

/**
 * Parses `cgroup` for the cgroup v1 hierarchy of the `cpu` controller (on a machine
 * that mounts v1 and v2 side by side): its path, or `null`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCpuCgroupV1 } from "./parse_inspect_files.ts";
 * assert.equal(parseCpuCgroupV1("2:cpuacct:/\n1:cpu:/batch\n0::/\n"), "/batch");
 * assert.equal(parseCpuCgroupV1("4:cpu,cpuacct:/a\n"), "/a");
 * ```
 */
export function parseCpuCgroupV1(text: string): string | null {
  for (const line of text.split("\n")) {
    const match = /^\d+:([^:]+):(.*)$/.exec(line);
    if (match && match[1]!.split(",").includes("cpu")) return match[2]!;
  }
  return null;
}
