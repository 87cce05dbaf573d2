/**
 * `report`: a recorded run as a CI artifact — Markdown for a job's summary page, JSON
 * for scripts, or one self-contained HTML page.
 *
 * @module
 */
import { renderMarkdown } from "./markdown.ts";
import { toReportData } from "./report_data.ts";
import { readRun } from "./read_run.ts";
import { lacksEvents } from "./run_model.ts";

/** The formats `report` writes. */
export const REPORT_FORMATS = ["markdown", "json", "html"] as const;

/** One of `REPORT_FORMATS`. */
export type ReportFormat = typeof REPORT_FORMATS[number];

/** How to report. */
export interface ReportOptions {
  format: ReportFormat;
  /** Rows of the Markdown tables. */
  limit: number;
  /** Which run of a recording of several (1-based). */
  run?: number | undefined;
  /** Hears a warning: a recording whose recorder was killed, recovered. */
  warn?: ((line: string) => void) | undefined;
}

/** A written report. */
export interface Report {
  text: string;
  /** What the recording lacks, for a warning (null when nothing). */
  lacking: string | null;
}

/**
 * Returns the report of the recording at `path`. Throws `RecordingError` for a file
 * that is not a finished recording.
 */
export async function reportRecording(path: string, options: ReportOptions): Promise<Report> {
  const run = readRun(path, { run: options.run, warn: options.warn });
  const lacking = run.summary.hasEvents ? null : lacksEvents(path);
  if (options.format === "html") {
    const { renderHtml } = await import("./html_report.ts");
    return { text: renderHtml(run), lacking };
  }
  const data = toReportData(run);
  const text = options.format === "json"
    ? JSON.stringify(data, null, 2) + "\n"
    : renderMarkdown(data, { limit: options.limit });
  return { text, lacking };
}
