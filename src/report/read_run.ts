/**
 * A recording read into a run: opened, read in one pass, closed.
 *
 * @module
 */
import { openRunRows } from "../store/report_reads.ts";
import { buildRun } from "./run_model.ts";
import type { Run } from "./run_model.ts";

/**
 * Returns the run the recording at `path` holds. Throws `RecordingError` for a file
 * that is not a finished recording.
 */
export function readRun(path: string): Run {
  const rows = openRunRows(path);
  try {
    return buildRun(rows);
  } finally {
    rows.close();
  }
}
