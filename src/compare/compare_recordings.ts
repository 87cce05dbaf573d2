/**
 * `compare`: two recordings read, compared and rendered.
 *
 * @module
 */
import { readRun } from "../report/read_run.ts";
import { compareRuns } from "./compare_runs.ts";
import type { Comparison, Limit } from "./compare_runs.ts";
import { lacksEvents } from "../report/run_model.ts";

/** A comparison and what its recordings lack, a line each for a warning. */
export interface ComparedRecordings {
  comparison: Comparison;
  lacking: string[];
}

/**
 * Returns the comparison of the recordings at `base` and `now` (the noise measured by
 * `rerun`, a second recording of the base command, when given). Throws
 * `RecordingError` for a file that is not a finished recording.
 */
export function compareRecordings(
  base: string,
  now: string,
  options: {
    limits: readonly Limit[];
    rerun?: string | undefined;
    /** Which run of each recording of several (1-based). */
    baseRun?: number | undefined;
    newRun?: number | undefined;
  },
): ComparedRecordings {
  const runs = [
    readRun(base, { run: options.baseRun, severalHint: "choose one with --base-run N" }),
    readRun(now, { run: options.newRun, severalHint: "choose one with --new-run N" }),
  ];
  const rerun = options.rerun === undefined
    ? null
    : readRun(options.rerun, { severalHint: "--rerun takes a recording of one run" });
  if (rerun) runs.push(rerun);
  return {
    comparison: compareRuns(runs[0]!, runs[1]!, options.limits, rerun),
    lacking: runs.filter((run) => !run.summary.hasEvents).map((run) => lacksEvents(run.path)),
  };
}
