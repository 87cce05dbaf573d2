import { assertEquals } from "../../_helpers/assert.ts";
import { handRun } from "../../_helpers/run_rows.ts";
import { traceRuleBreaks } from "../../_helpers/trace_rules.ts";
import { toChromeTrace } from "../../../src/export/chrome_trace.ts";
import { buildRun } from "../../../src/report/run_model.ts";

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
    [500_000, { gcc: 10, "(exited between samples)": 0, sh: 0.4 }],
    [1_000_000, { gcc: 0, "(exited between samples)": 0, sh: 0.4 }],
  ]);
  const cpu = trace.traceEvents.filter((e) => e.ph === "C" && e.name === "CPU cores");
  // the second interval (0.5 s): 15 reaped ticks gcc's or ls's, not told apart
  assertEquals([cpu[1]!.args.gcc, cpu[1]!.args["(exited between samples)"]], [0, 0.3]);
});
