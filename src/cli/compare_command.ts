import { EXIT, UsageFailure } from "../exit_codes.ts";
import { METRICS } from "../compare/compare_runs.ts";
import type { Limit } from "../compare/compare_runs.ts";
import { parseLimit } from "../compare/parse_limit.ts";
import { RecordingError } from "../store/errors.ts";
import { optionParser, parseChoice, parsePositiveInt } from "./options.ts";
import { defineCommand, option } from "./spec.ts";

/** A recording `compare` cannot read: bad input, exit 2 (1 means a limit was exceeded). */
export class CompareInputError extends UsageFailure {}

/** `procpath compare`: two recorded runs side by side, gated by limits on growth. */
export const compareCommand = defineCommand({
  name: "compare",
  summary: "Compare two recorded runs per program (CPU, peak RSS, processes, lifetimes), the " +
    "largest changes first; exit 1 when a --max-increase is exceeded, 0 otherwise, 2 on " +
    "bad input.",
  args: [
    { name: "base", help: "the recording of the base run", required: true },
    { name: "new", help: "the recording of the run to check", required: true },
  ],
  options: {
    maxIncrease: option({
      flags: "--max-increase <limit>",
      help: `METRIC=N%: fail when METRIC grew by more than N % of the base (${
        METRICS.join(", ")
      }); repeatable`,
      parse: optionParser((text: string, previous: Limit[]) => [...previous, parseLimit(text)]),
      default: [] as Limit[],
      defaultText: "none",
      repeatable: true,
    }),
    rerun: option({
      flags: "--rerun <recording>",
      help: "a second recording of the base command: changes within twice the difference " +
        "between the two base runs are noise and fail no limit",
      parse: (text: string) => text,
    }),
    baseRun: option({
      flags: "--base-run <n>",
      help: "which run of BASE when it holds several (record -d appended to it), from 1",
      parse: parsePositiveInt,
    }),
    newRun: option({
      flags: "--new-run <n>",
      help: "which run of NEW when it holds several, from 1 (BASE and NEW may be one file)",
      parse: parsePositiveInt,
    }),
    format: option({
      flags: "--format <format>",
      help: "markdown or json",
      parse: parseChoice(["markdown", "json"]) as (text: string) => "markdown" | "json",
      default: "markdown" as const,
      defaultText: "markdown",
    }),
    limit: option({
      flags: "--limit <rows>",
      help: "rows of the Markdown programs table",
      parse: parsePositiveInt,
      default: 25,
    }),
  },
  examples: [
    "procpath compare main.sqlite branch.sqlite --max-increase cpu=10% --max-increase peak_rss=15%",
    "procpath compare main.sqlite branch.sqlite --rerun main-again.sqlite --max-increase wall=10%",
    "procpath compare main.sqlite branch.sqlite --format json",
  ],
  /** Reads both runs, compares them, prints the comparison; 1 when a limit was exceeded. */
  async run([base, now], options, { deps }) {
    const { compareRecordings } = await import("../compare/compare_recordings.ts");
    const { formatComparison } = await import("../compare/format_comparison.ts");
    let compared;
    try {
      compared = compareRecordings(base as string, now as string, {
        limits: options.maxIncrease,
        rerun: options.rerun,
        baseRun: options.baseRun,
        newRun: options.newRun,
      });
    } catch (error) {
      if (error instanceof RecordingError) {
        throw new CompareInputError(error.message, { cause: error });
      }
      throw error;
    }
    const { comparison, lacking } = compared;
    for (const line of lacking) deps.log.warning(line);
    deps.writeOut(
      options.format === "json"
        ? JSON.stringify(comparison, null, 2) + "\n"
        : formatComparison(comparison, { limit: options.limit }),
    );
    return comparison.exceeded ? EXIT.failure : EXIT.ok;
  },
});
