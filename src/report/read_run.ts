/**
 * A recording read into a run: opened, read in one pass, closed.
 *
 * @module
 */
import { openRunRows } from "../store/report_reads.ts";
import type { OpenRunOptions } from "../store/report_reads.ts";
import { RecordingError } from "../store/errors.ts";
import { buildRun } from "./run_model.ts";
import type { Run } from "./run_model.ts";
import { settleUnfinished } from "../store/unfinished_recording.ts";

/** Which run to read, and for what. */
export interface ReadRunOptions extends OpenRunOptions {
  /** What the reader does, for its refusals: "report on" (the default), "export". */
  verb?: string;
  /** Hears a warning: a recording whose recorder was killed, recovered. */
  warn?: ((line: string) => void) | undefined;
}

/** The refusals `openRunRows` words for `report`. */
const REPORT_VERB = /^Cannot report on\b/;

/**
 * Returns the run the recording at `path` holds (the one `options.run` chooses of a
 * recording of several). A recording whose recorder is gone is recovered first
 * (`unfinished_recording.ts`). Throws `RecordingError`, its message saying what was
 * being done (`options.verb`), for a file that is not a finished recording, for one a
 * recorder is still writing, and for one of several runs when none is chosen.
 */
export function readRun(path: string, options: ReadRunOptions = {}): Run {
  const verb = options.verb ?? "report on";
  try {
    const recovered = settleUnfinished(path, { verb });
    if (recovered !== null) options.warn?.(recovered);
    const rows = openRunRows(path, options);
    try {
      return buildRun(rows);
    } finally {
      rows.close();
    }
  } catch (error) {
    if (!(error instanceof RecordingError) || !REPORT_VERB.test(error.message)) throw error;
    if (verb === "report on") throw error;
    throw new RecordingError(error.message.replace(REPORT_VERB, `Cannot ${verb}`), {
      cause: error,
    });
  }
}
