import { EXIT } from "../exit_codes.ts";
import { toPythonJson } from "../text/python_format.ts";
import { visible } from "../text/visible.ts";
import { parseChoice, parseMomentOption, parsePositiveInt } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, option } from "./spec.ts";
import type { Moment } from "../time/moment.ts";

/** `procpath diff`: what changed between two moments of a recording. */
export const diffCommand = defineCommand({
  name: "diff",
  summary: "Show what changed between two moments of a recording: processes that appeared " +
    "and exited, memory and CPU by process and by subtree.",
  args: [{
    name: "query",
    help: "JSONPath selecting whole process nodes to compare; all processes when absent",
  }],
  options: {
    databaseFile: SHARED.recordingFile,
    from: option({
      flags: "--from <moment>",
      help: "the earlier sample: first, last, YYYY-MM-DDTHH:MM:SS (UTC), HH:MM[:SS] " +
        "(local), -10m (before the last sample), +90s (after the first)",
      parse: parseMomentOption,
      default: { kind: "first" } as Moment,
      defaultText: "first",
    }),
    to: option({
      flags: "--to <moment>",
      help: "the later sample, as --from",
      parse: parseMomentOption,
      default: { kind: "last" } as Moment,
      defaultText: "last",
    }),
    limit: option({
      flags: "--limit <rows>",
      help: "rows per list",
      parse: parsePositiveInt,
      default: 10,
    }),
    format: option({
      flags: "--format <format>",
      help: "text or json",
      parse: parseChoice(["text", "json"]),
      default: "text",
      defaultText: "text",
    }),
  },
  examples: [
    "procpath diff -d out.sqlite --from 03:00 --to 03:10",
    "procpath diff -d out.sqlite --from -10m '$..children[?(@.stat.comm == \"nginx\")]'",
  ],
  /** Reads both samples, compares them and prints the lists. */
  async run([query], options, { deps }) {
    const { diffRecording, formatDiff } = await import("../diff/diff_recording.ts");
    const diff = diffRecording(options.databaseFile, options.from, options.to, {
      query: query as string | undefined,
      limit: options.limit,
    });
    deps.dropPermissions();
    if (options.format === "json") {
      deps.writeOut(toPythonJson(diff, 2) + "\n");
      return EXIT.ok;
    }
    const lines = formatDiff(diff);
    deps.writeOut((deps.stdoutIsTerminal ? lines.map(visible) : lines).join("\n") + "\n");
    return EXIT.ok;
  },
});
