import { EXIT } from "../exit_codes.ts";
import { defineCommand, flag } from "./spec.ts";

/** `procpath convert`: a recording into the compact layout, or back into the plain one. */
export const convertCommand = defineCommand({
  name: "convert",
  summary: "Copy a recording into the compact layout (only what changed between samples is " +
    "stored; record stays a view of the same rows), or back into the plain one with --plain.",
  args: [
    {
      name: "input",
      help: "the recording to read (plain, compact, or Procpath's)",
      required: true,
    },
    {
      name: "output",
      help: "the database to write (replaced whole when it exists)",
      required: true,
    },
  ],
  options: {
    plain: flag("--plain", "write the plain layout, the reference's record table"),
  },
  examples: [
    "procpath convert week.sqlite week.compact.sqlite",
    "procpath convert --plain week.compact.sqlite week.sqlite",
  ],
  /** Converts and logs the rows, samples and both sizes. */
  async run([input, output], options, { deps }) {
    const { convertRecording } = await import("../convert/convert_recording.ts");
    const result = convertRecording({
      input: input as string,
      output: output as string,
      plain: options.plain === true,
    });
    const perRow = (bytes: number) => result.rows > 0 ? (bytes / result.rows).toFixed(1) : "0";
    deps.log.info(
      `Converted ${result.rows} rows in ${result.samples} samples from the ${result.from} ` +
        `layout to the ${result.to}: ${result.bytesIn} bytes (${perRow(result.bytesIn)} a row) ` +
        `into ${result.bytesOut} (${perRow(result.bytesOut)} a row)`,
    );
    return EXIT.ok;
  },
});
