import { handRun } from "../../_helpers/run_rows.ts";
import type { RunRows, SampledRow } from "../../../src/store/report_reads.ts";

/**
 * A recording made with --no-events of `sh job.sh` (exit status 3), which its recorder
 * noted, started at 100.2: sh (born 100.3 by its stat) sampled at 100.5 and 101.0, spin
 * (born 100.85) at 101.0; sh reaped 20 ticks of children no sample saw.
 */
export function noEventsRun(): RunRows {
  const samples: SampledRow[] = [
    [100.5, 10, 9, 1030, 1, 0, 0, 0, 100, "sh", "sh job.sh"],
    [101.0, 10, 9, 1030, 1, 0, 20, 0, 100, "sh", "sh job.sh"],
    [101.0, 11, 10, 1085, 5, 0, 0, 0, 50, "spin", "spin 0.1"],
  ];
  return {
    ...handRun(false),
    samples: () => samples,
    bootAt: 90,
    run: {
      start: 100.2,
      end: 101.1,
      command: "sh job.sh",
      exitCode: 3,
      userSeconds: null,
      systemSeconds: null,
      maxRssKib: null,
    },
  };
}
