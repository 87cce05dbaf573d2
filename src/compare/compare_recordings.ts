/**
 * `compare`: two recordings read, compared and rendered.
 *
 * @module
 */
import { buildRun } from "../report/run_model.ts";
import { readRunRows } from "../store/report_reads.ts";
import { compareRuns } from "./compare_runs.ts";
import type { Comparison, Limit } from "./compare_runs.ts";

/**
 * Returns the comparison of the recordings at `base` and `now`. Throws
 * `RecordingError` for a file that is not a finished recording.
 */
export function compareRecordings(base: string, now: string, limits: readonly Limit[]): Comparison {
  return compareRuns(buildRun(readRunRows(base)), buildRun(readRunRows(now)), limits);
}
