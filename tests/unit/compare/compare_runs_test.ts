import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { handRun } from "../../_helpers/run_rows.ts";
import { compareRuns, isNoise } from "../../../src/compare/compare_runs.ts";
import { formatComparison } from "../../../src/compare/format_comparison.ts";
import { parseLimit } from "../../../src/compare/parse_limit.ts";
import { buildRun } from "../../../src/report/run_model.ts";
import type { SampledRow } from "../../../src/store/report_reads.ts";

/** The hand run with every CPU counter doubled: the same processes, twice the CPU. */
function doubled() {
  const rows = handRun();
  const samples = [...rows.samples()].map((r) =>
    [
      r[0],
      r[1],
      r[2],
      r[3],
      r[4] * 2,
      r[5] * 2,
      r[6] * 2,
      r[7] * 2,
      r[8],
      r[9],
      r[10],
    ] as SampledRow
  );
  return buildRun({ ...rows, samples: () => samples });
}

Deno.test("compareRuns(): a run against itself changes nothing and exceeds no limit", () => {
  const run = buildRun(handRun());
  const c = compareRuns(run, run, [parseLimit("cpu=0%"), parseLimit("wall=0%")]);
  assertEquals(c.exceeded, false);
  assertEquals(c.metrics.map((m) => [m.metric, m.change_pct, m.noise, m.exceeded]), [
    ["cpu", 0, true, false],
    ["peak_rss", 0, true, false],
    ["wall", 0, true, false],
    ["processes", 0, true, false],
  ]);
});

Deno.test("compareRuns(): twice the CPU exceeds cpu=50% and not cpu=150%; RSS unchanged", () => {
  const base = buildRun(handRun()), twice = doubled();
  const tight = compareRuns(base, twice, [parseLimit("cpu=50%"), parseLimit("peak_rss=1%")]);
  const cpu = tight.metrics.find((m) => m.metric === "cpu")!;
  assertEquals([cpu.base, cpu.new, cpu.change_pct, cpu.exceeded], [0.36, 0.72, 100, true]);
  assertEquals(tight.metrics.find((m) => m.metric === "peak_rss")!.exceeded, false);
  assertEquals(tight.exceeded, true);
  assertEquals(compareRuns(base, twice, [parseLimit("cpu=150%")]).exceeded, false);
  // the largest change first: gcc's CPU (its sampled 0.20 s), then what gcc and ls
  // used between samples, not told apart
  assertEquals(tight.programs.slice(0, 2).map((p) => [p.program, p.cpu_change_pct]), [
    ["gcc", 100],
    ["(exited, not split)", 100],
  ]);
});

Deno.test("isNoise(): under 5 % or under the resolution", () => {
  assertEquals(isNoise("cpu", 10, 10.4), true);
  assertEquals(isNoise("cpu", 10, 11), false);
  assertEquals(isNoise("wall", 0.5, 0.58), true);
  assertEquals(isNoise("processes", 40, 41), true);
  assertEquals(isNoise("processes", 10, 11), false);
});

Deno.test("parseLimit() wants METRIC=N% of a known metric", () => {
  assertEquals(parseLimit("wall=5%"), { metric: "wall", percent: 5 });
  assert.throws(() => parseLimit("rss=5%"), /unknown metric "rss"/);
  assert.throws(() => parseLimit("cpu=-5%"), /expected METRIC=N%/);
});

Deno.test("formatComparison() marks the exceeded limit and lists programs", () => {
  const text = formatComparison(
    compareRuns(buildRun(handRun()), doubled(), [parseLimit("cpu=50%")]),
    { limit: 10 },
  );
  assert.match(text, /\| CPU \| 0\.36 s \| 0\.72 s \| \+100\.0 % \| \+50 % \| \*\*exceeded\*\* \|/);
  assert.match(text, /\| gcc \| 0\.20 → 0\.40 \| \+100\.0 % \|/);
  assert.match(text, /A limit was exceeded\./);
});

Deno.test("compareRuns() with a rerun: noise measured, and a change within it fails no limit", () => {
  const base = buildRun(handRun()), twice = doubled();
  // a rerun as far from the base as the new run: the doubling is what reruns show
  const noisy = compareRuns(base, twice, [parseLimit("cpu=50%")], twice);
  const cpu = noisy.metrics.find((m) => m.metric === "cpu")!;
  assertEquals([cpu.noise_band, cpu.noise, cpu.exceeded, noisy.exceeded], [
    0.72,
    true,
    false,
    false,
  ]);
  // a rerun equal to the base: no noise, the doubling fails the limit
  const steady = compareRuns(base, twice, [parseLimit("cpu=50%")], base);
  assertEquals(steady.metrics.find((m) => m.metric === "cpu")!.exceeded, true);
  assert.match(
    formatComparison(noisy, { limit: 5 }),
    /\| CPU \| 0\.36 s \| 0\.72 s \| \+100\.0 % \| \+50 % \| within noise \(reruns: ±0\.72 s\) \|/,
  );
});
