/**
 * `compare`: two recordings read, compared and rendered.
 *
 * @module
 */
import { readRun } from "../report/read_run.ts";
import { compareRuns } from "./compare_runs.ts";
import type { Comparison, Limit } from "./compare_runs.ts";

/**
 * Returns the comparison of the recordings at `base` and `now`. Throws
 * `RecordingError` for a file that is not a finished recording.
 */
export function compareRecordings(base: string, now: string, limits: readonly Limit[]): Comparison {
  return compareRuns(readRun(base), readRun(now), limits);
}
