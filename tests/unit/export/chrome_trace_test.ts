import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { HAND_RUN_NOTED, handRun } from "../../_helpers/run_rows.ts";
import { traceRuleBreaks } from "../../_helpers/trace_rules.ts";
import { toChromeTrace } from "../../../src/export/chrome_trace.ts";
import type { TraceEvent } from "../../../src/export/chrome_trace.ts";
import { buildRun } from "../../../src/report/run_model.ts";
import type { RunRows, SampledRow } from "../../../src/store/report_reads.ts";

Deno.test("toChromeTrace() keeps the format's rules: names, µs integers, nesting slices", () => {
  const trace = toChromeTrace(buildRun(handRun()));
  assertEquals(traceRuleBreaks(trace), []);
  assertEquals(trace.displayTimeUnit, "ms");
});

Deno.test("toChromeTrace(): one slice per process, µs from the recording's start, exit in args", () => {
  const trace = toChromeTrace(buildRun(handRun()));
  const slices = trace.traceEvents.filter((e) => e.ph === "X");
  assertEquals(
    slices.map((e) => [e.name, e.ts, e.dur, e.args.pid, e.args.exit_status]),
    [
      ["sh", 0, 1_200_000, 10, 0],
      ["gcc", 200_000, 700_000, 11, 0],
      ["ls", 600_000, 100_000, 12, 2],
    ],
  );
  // gcc nests in sh's bar on sh's track; ls, while gcc runs, cannot sit beside it there
  assertEquals(slices.map((e) => e.tid), [10, 10, 12]);
  const names = trace.traceEvents.filter((e) => e.name === "process_name");
  assertEquals(names.map((e) => e.args.name), ["sh 10"]);
});

Deno.test("toChromeTrace(): CPU and RSS counters by program at each sample", () => {
  const trace = toChromeTrace(buildRun(handRun()));
  const rss = trace.traceEvents.filter((e) => e.ph === "C" && e.name === "RSS MiB");
  assertEquals(rss.map((e) => [e.ts, e.args]), [
    // ls, which no sample saw and which used no CPU it can be given, has no counter
    [500_000, { gcc: 10, "(exited, not split)": 0, sh: 0.4 }],
    [1_000_000, { gcc: 0, "(exited, not split)": 0, sh: 0.4 }],
  ]);
  const cpu = trace.traceEvents.filter((e) => e.ph === "C" && e.name === "CPU cores");
  // the second interval (0.5 s): 15 reaped ticks gcc's or ls's, not told apart
  assertEquals([cpu[0]!.args.gcc, cpu[0]!.args["(exited, not split)"]], [0, 0.3]);
});

/** A run sampled every 0.5 s from 100.0 whose one process, spin, used 0.25 s in the third interval. */
function spinInThirdInterval(): RunRows {
  const base = handRun();
  const utimes = [0, 0, 0, 25, 25];
  const samples: SampledRow[] = utimes.map((
    utime,
    i,
  ) => [100 + i / 2, 10, 9, 9990, utime, 0, 0, 0, 100, "spin", "spin 0.25"]);
  return {
    ...base,
    samples: () => samples,
    bootAt: 0,
    events: [{ ...base.events![0]!, ts: 99.9, kind: "fork", pid: 10, ppid: 9 }],
  };
}

/** The counter's value a viewer shows at `at` µs: the last one stamped at or before it. */
function shownAt(events: TraceEvent[], name: string, program: string, at: number) {
  const held = events.filter((e) => e.ph === "C" && e.name === name && e.ts! <= at).at(-1);
  return held?.args[program] ?? 0;
}

Deno.test("toChromeTrace(): an interval's CPU is drawn from its start to its end, not one interval late", () => {
  const trace = toChromeTrace(buildRun(spinInThirdInterval()));
  // the run starts at the fork (99.9): samples at 0.1, 0.6, 1.1, 1.6, 2.1 s; the CPU
  // was used between 1.1 and 1.6 s, 0.5 cores
  const cores = (seconds: number) =>
    shownAt(trace.traceEvents, "CPU cores", "spin", Math.round(seconds * 1e6));
  assertEquals([0.3, 0.6, 1.09].map(cores), [0, 0, 0]);
  assertEquals([1.1, 1.35, 1.599].map(cores), [0.5, 0.5, 0.5]);
  assertEquals([1.6, 1.9, 2.1, 5].map(cores), [0, 0, 0, 0]);
  // the series ends with a 0 at the last sample
  const last = trace.traceEvents.filter((e) => e.name === "CPU cores").at(-1)!;
  assertEquals([last.ts, last.args.spin], [2_100_000, 0]);
});

Deno.test("toChromeTrace(): otherData's figures are numbers, their sources in keys of their own", () => {
  const trace = toChromeTrace(buildRun(handRun(true, HAND_RUN_NOTED)));
  const o = trace.otherData;
  assertEquals(
    [o.cpu_s, o.cpu_unattributed_s, o.largest_process_rss_mib, o.largest_process_command],
    [0.5, 0.15, 400, null],
  );
  assert.match(String(o.cpu_source), /the kernel's count \(getrusage\)/);
  assert.match(String(o.largest_process_source), /ru_maxrss.*fell between samples/);
  assertEquals(typeof o.cpu_unattributed_note, "string");
});
