/**
 * A recording read into a run: opened, read in one pass, closed.
 *
 * @module
 */
import { openRunRows } from "../store/report_reads.ts";
import type { OpenRunOptions } from "../store/report_reads.ts";
import { buildRun } from "./run_model.ts";
import type { Run } from "./run_model.ts";

/**
 * Returns the run the recording at `path` holds (the one `options.run` chooses of a
 * recording of several). Throws `RecordingError` for a file that is not a finished
 * recording, and for one of several runs when none is chosen.
 */
export function readRun(path: string, options: OpenRunOptions = {}): Run {
  const rows = openRunRows(path, options);
  try {
    return buildRun(rows);
  } finally {
    rows.close();
  }
}
