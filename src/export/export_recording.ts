/**
 * `export`: a recording turned into another tool's format. One format so far, the
 * Trace Event Format (`chrome-trace`).
 *
 * @module
 */
import { readRun } from "../report/read_run.ts";
import { lacksEvents } from "../report/run_model.ts";
import { toChromeTrace } from "./chrome_trace.ts";

/** The formats `export` writes. */
export const EXPORT_FORMATS = ["chrome-trace"] as const;

/** One of `EXPORT_FORMATS`. */
export type ExportFormat = typeof EXPORT_FORMATS[number];

/** An exported recording. */
export interface Exported {
  text: string;
  /** What the output lacks and why, for a warning (null when nothing). */
  lacking: string | null;
}

/**
 * Returns the recording at `path` as text in `format`: the trace as JSON with one event
 * a line (diffable, and a reader can stream it). Throws `RecordingError` ("Cannot
 * export …") for a file that is not a finished recording; `options.warn` hears that one
 * whose recorder was killed was recovered.
 */
export function exportRecording(
  path: string,
  _format: ExportFormat,
  options: { run?: number | undefined; warn?: ((line: string) => void) | undefined } = {},
): Exported {
  const run = readRun(path, { run: options.run, verb: "export", warn: options.warn });
  const trace = toChromeTrace(run);
  const events = trace.traceEvents.map((event) => JSON.stringify(event)).join(",\n");
  return {
    text: `{"displayTimeUnit": ${JSON.stringify(trace.displayTimeUnit)}, "otherData": ${
      JSON.stringify(trace.otherData)
    },\n"traceEvents": [\n${events}\n]}\n`,
    lacking: run.summary.hasEvents ? null : lacksEvents(path),
  };
}
