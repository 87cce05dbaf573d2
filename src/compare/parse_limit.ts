/**
 * `--max-increase METRIC=N%`: how much a measure may grow over the base run.
 *
 * @module
 */
import { METRICS } from "./compare_runs.ts";
import type { Limit, Metric } from "./compare_runs.ts";

/**
 * Parses `METRIC=N%` (N a non-negative number, the `%` required so that nobody reads
 * `cpu=10` as ten seconds). Throws `SyntaxError` with what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLimit } from "./parse_limit.ts";
 * assert.deepEqual(parseLimit("peak_rss=12.5%"), { metric: "peak_rss", percent: 12.5 });
 * assert.throws(() => parseLimit("cpu=10"), SyntaxError);
 * ```
 */
export function parseLimit(text: string): Limit {
  const match = /^([a-z_]+)=(\d+(?:\.\d+)?)%$/.exec(text);
  if (!match) throw new SyntaxError(`expected METRIC=N% (e.g. cpu=10%), got "${text}"`);
  const metric = match[1]!;
  if (!(METRICS as readonly string[]).includes(metric)) {
    throw new SyntaxError(`unknown metric "${metric}": expected one of ${METRICS.join(", ")}`);
  }
  return { metric: metric as Metric, percent: Number(match[2]) };
}
