/**
 * A comparison as Markdown, for a terminal, a CI job's summary page or a merge request
 * comment: the whole runs' measures with their limits, then the programs whose
 * figures changed most.
 *
 * @module
 */
import { markdownText } from "../report/markdown.ts";
import type { Comparison, Metric } from "./compare_runs.ts";

const MIB = 1024 * 1024;

const LABEL: Record<Metric, string> = {
  wall: "wall time",
  cpu: "CPU",
  peak_rss: "peak RSS",
  processes: "processes",
};

/** A measure's value with its unit. */
function show(metric: Metric, value: number): string {
  switch (metric) {
    case "wall":
    case "cpu":
      return `${value.toFixed(2)} s`;
    case "peak_rss":
      return `${(value / MIB).toFixed(1)} MiB`;
    case "processes":
      return String(value);
  }
}

/** A program's sampled peak in MiB; "–" where no sample saw its processes. */
const peakMib = (bytes: number | null) => bytes === null ? "–" : (bytes / MIB).toFixed(1);

/** A change in percent with its sign; "new" from nothing (`pct` null: the base was 0). */
export function changeText(now: number, pct: number | null): string {
  if (pct === null) return now === 0 ? "0 %" : "new";
  return `${pct > 0 ? "+" : ""}${pct.toFixed(1)} %`;
}

/** Returns the comparison as Markdown (pure), ending with a newline. */
export function formatComparison(comparison: Comparison, options: { limit: number }): string {
  const lines = [
    `### procpath compare: ${markdownText(comparison.base, 60)} → ${
      markdownText(comparison.new, 60)
    }`,
    "",
    "| measure | base | new | change | limit | verdict |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const m of comparison.metrics) {
    const verdict = m.exceeded
      ? "**exceeded**"
      : m.noise
      ? m.noise_band === null
        ? "within noise"
        : `within noise (reruns: ±${show(m.metric, m.noise_band)})`
      : m.limit_pct === null
      ? ""
      : "ok";
    lines.push(
      `| ${LABEL[m.metric]} | ${show(m.metric, m.base)} | ${show(m.metric, m.new)} | ${
        changeText(m.new, m.change_pct)
      } | ${m.limit_pct === null ? "" : `+${m.limit_pct} %`} | ${verdict} |`,
    );
  }
  lines.push(
    "",
    "#### Programs, largest change first",
    "",
    "| program | CPU s | change | peak RSS MiB (samples) | change | processes | lifetime s |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const p of comparison.programs.slice(0, options.limit)) {
    lines.push(
      `| ${markdownText(p.program, 40)} | ${p.base.cpu_s.toFixed(2)} → ${
        p.new.cpu_s.toFixed(2)
      } | ${changeText(p.new.cpu_s, p.cpu_change_pct)} | ${peakMib(p.base.peak_rss_bytes)} → ${
        peakMib(p.new.peak_rss_bytes)
      } | ${
        p.base.peak_rss_bytes === null || p.new.peak_rss_bytes === null
          ? ""
          : changeText(p.new.peak_rss_bytes, p.peak_rss_change_pct)
      } | ${p.base.processes} → ${p.new.processes} | ${p.base.lifetime_s.toFixed(2)} → ${
        p.new.lifetime_s.toFixed(2)
      } |`,
    );
  }
  const more = comparison.programs.length - options.limit;
  if (more > 0) lines.push("", `… and ${more} more programs (\`--format json\` lists all).`);
  lines.push(
    "",
    "Peak RSS is a lower bound: the larger of the largest sum a sample saw and the largest " +
      "process (the kernel's count where the recording has it); – marks a program no " +
      "sample saw.",
    "",
    comparison.exceeded
      ? "A limit was exceeded."
      : comparison.rerun === null
      ? "No limit was exceeded. Changes within noise are under 5 % or under the measure's " +
        "resolution (wall 0.1 s, CPU 0.05 s, RSS 1 MiB)."
      : `No limit was exceeded. Changes within noise are within twice the difference between ` +
        `the base and its rerun (${markdownText(comparison.rerun, 60)}).`,
    "",
  );
  return lines.join("\n");
}
