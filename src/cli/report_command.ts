import { EXIT } from "../exit_codes.ts";
import { writeOutputFile } from "../files/output_file.ts";
import { parseChoice, parsePositiveInt } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, option } from "./spec.ts";

type Format = "markdown" | "json" | "html";

/** `procpath report`: a recorded run as a CI artifact (Markdown, JSON or one HTML page). */
export const reportCommand = defineCommand({
  name: "report",
  summary: "Report on a recorded run for CI: the summary, the programs table (CPU, peak RSS, " +
    "count, lifetimes) and failures as Markdown or JSON, or one self-contained HTML page " +
    "with a timeline of every process.",
  args: [],
  options: {
    databaseFile: SHARED.recordingFile,
    format: option({
      flags: "--format <format>",
      help: "markdown (the default on standard output), json, or html (the default with -o FILE)",
      parse: parseChoice(["markdown", "json", "html"]) as (text: string) => Format,
    }),
    output: SHARED.artifactOutput,
    run: SHARED.recordingRun,
    limit: option({
      flags: "--limit <rows>",
      help: "rows of the Markdown tables",
      parse: parsePositiveInt,
      default: 25,
    }),
  },
  examples: [
    "procpath report -d build.sqlite -o report.html",
    'procpath report -d build.sqlite --format markdown >> "$GITHUB_STEP_SUMMARY"',
    "procpath report -d build.sqlite --format json",
  ],
  /** Reads the recording, renders the report and writes it by the output-path rules. */
  async run(_args, options, { deps }) {
    const { reportRecording } = await import("../report/report_recording.ts");
    const toFile = options.output !== "-";
    const format = options.format ?? (toFile ? "html" : "markdown");
    const { text, lacking } = await reportRecording(options.databaseFile, {
      format,
      limit: options.limit,
      run: options.run,
      warn: (line) => deps.log.warning(line),
    });
    if (lacking !== null) deps.log.warning(lacking);
    if (toFile) writeOutputFile(options.output, text);
    else deps.writeOut(text);
    return EXIT.ok;
  },
});
