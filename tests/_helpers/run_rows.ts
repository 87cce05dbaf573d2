/**
 * A small recorded run as `openRunRows` gives it, with every figure known by hand:
 * `sh` (PID 10) runs `gcc` (11, sampled once) and `ls` (12, never sampled, exits 2),
 * then exits 0. Counters in ticks (100 a second), RSS in 4 KiB pages.
 */
import type { EventRow, RunRows, SampledRow } from "../../src/store/report_reads.ts";

const event = (
  ts: number,
  kind: EventRow["kind"],
  pid: number,
  fields: Partial<EventRow> = {},
): EventRow => ({
  ts,
  kind,
  pid,
  ppid: null,
  comm: null,
  cmdline: null,
  exitCode: null,
  exitSignal: null,
  utime: null,
  stime: null,
  cutime: null,
  cstime: null,
  ...fields,
});

/**
 * What a recorder noted of the hand run (`store/run_log.ts`): the command's span, its
 * status, and the kernel's count of its tree, 0.50 s of CPU and a 400 MiB process.
 */
export const HAND_RUN_NOTED: NonNullable<RunRows["run"]> = {
  start: 99.9,
  end: 101.3,
  command: "sh job.sh",
  exitCode: 0,
  userSeconds: 0.3,
  systemSeconds: 0.2,
  maxRssKib: 400 * 1024,
};

/**
 * The run; `withEvents: false` gives it as a recording made without the connector,
 * `noted` with what its recorder noted of it (`store/run_log.ts`).
 */
export function handRun(withEvents = true, noted: RunRows["run"] = null): RunRows {
  const samples: SampledRow[] = [
    [100.5, 10, 9, 1000, 1, 0, 0, 0, 100, "sh", "sh job.sh"],
    [100.5, 11, 10, 1020, 15, 5, 0, 0, 2560, "gcc", "gcc -c a.c"],
    // gcc (20 ticks at the first sample) and ls were reaped: 15 more ticks between them
    [101.0, 10, 9, 1000, 1, 0, 30, 5, 100, "sh", "sh job.sh"],
  ];
  const events = [
    event(100.0, "fork", 10, { ppid: 9 }),
    event(100.001, "exec", 10, { comm: "sh", cmdline: "sh job.sh" }),
    event(100.2, "fork", 11, { ppid: 10 }),
    event(100.201, "exec", 11, { comm: "gcc", cmdline: "gcc -c a.c" }),
    event(100.6, "fork", 12, { ppid: 10 }),
    event(100.601, "exec", 12, { comm: "ls", cmdline: "ls /missing" }),
    event(100.7, "exit", 12, { ppid: 10, exitCode: 2 }),
    event(100.9, "exit", 11, { ppid: 10, exitCode: 0 }),
    event(101.2, "exit", 10, { ppid: 9, exitCode: 0 }),
  ];
  return {
    path: "hand.sqlite",
    meta: { clock_ticks: "100", page_size: "4096" },
    samples: () => samples,
    bootAt: Math.min(...samples.map((r) => r[0] - r[3] / 100)),
    events: withEvents ? events : null,
    run: noted,
    runNumber: 1,
    runCount: 1,
  };
}
