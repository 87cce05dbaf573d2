import { EXIT } from "../exit_codes.ts";
import { writeOutputFile } from "../files/output_file.ts";
import { parseChoice } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, option } from "./spec.ts";

/** `procpath export`: a recording in another tool's format (a Chrome/Perfetto trace). */
export const exportCommand = defineCommand({
  name: "export",
  summary: "Write a recording in another tool's format: chrome-trace, the Trace Event Format " +
    "Perfetto's UI and chrome://tracing open (a slice per process, CPU and RSS counters).",
  args: [],
  options: {
    databaseFile: SHARED.recordingFile,
    format: option({
      flags: "--format <format>",
      help: "chrome-trace",
      parse: parseChoice(["chrome-trace"]) as (text: string) => "chrome-trace",
      default: "chrome-trace" as const,
      defaultText: "chrome-trace",
    }),
    run: SHARED.recordingRun,
    output: SHARED.artifactOutput,
  },
  examples: [
    "procpath export -d build.sqlite --format chrome-trace -o trace.json",
  ],
  /** Reads the recording, turns it into the format and writes it by the output-path rules. */
  async run(_args, options, { deps }) {
    const { exportRecording } = await import("../export/export_recording.ts");
    const { text, lacking } = exportRecording(options.databaseFile, options.format, {
      run: options.run,
      warn: (line) => deps.log.warning(line),
    });
    if (lacking !== null) deps.log.warning(lacking);
    if (options.output === "-") deps.writeOut(text);
    else writeOutputFile(options.output, text);
    return EXIT.ok;
  },
});
