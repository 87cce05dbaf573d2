/**
 * Prometheus exposition: metric families rendered as OpenMetrics 1.0 text (with
 * `# UNIT`, info families and `# EOF`) or the classic text format 0.0.4, chosen by the
 * scraper's `Accept` header. Label values are escaped (`\`, `"`, newline).
 *
 * @module
 */

/** A metric family's type. */
export type MetricType = "gauge" | "counter" | "info";

/** One sample of a family: its labels, value and (for backfill) time in unix seconds. */
export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
  timestamp?: number;
}

/** A metric family. `name` is without the `_total`/`_info` suffix its samples carry. */
export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  /** The base unit (`seconds`, `bytes`), when the name ends with it. */
  unit?: string | undefined;
  samples: Sample[];
}

/** The content types, as Prometheus negotiates them. */
export const OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
export const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text (backslash and newline; OpenMetrics also escapes quotes). */
function escapeHelp(text: string, openMetrics: boolean): string {
  const escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return openMetrics ? escaped.replace(/"/g, '\\"') : escaped;
}

/** A float as both formats write it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** The name a family's samples carry (both formats): `_total` for counters, `_info` for info. */
export function sampleName(family: MetricFamily): string {
  if (family.type === "counter") return `${family.name}_total`;
  if (family.type === "info") return `${family.name}_info`;
  return family.name;
}

/** One sample line (without the newline). */
export function sampleLine(family: MetricFamily, sample: Sample, openMetrics: boolean): string {
  const labels = Object.entries(sample.labels);
  const text = labels.length === 0
    ? ""
    : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
  const time = sample.timestamp === undefined
    ? ""
    : ` ${openMetrics ? formatValue(sample.timestamp) : Math.round(sample.timestamp * 1000)}`;
  return `${sampleName(family)}${text} ${formatValue(sample.value)}${time}`;
}

/** A family's header lines (`# HELP`, `# TYPE`, `# UNIT`). */
export function familyHeader(family: MetricFamily, openMetrics: boolean): string[] {
  // the classic format has no info type: an info family is a gauge of 1 there
  const name = openMetrics ? family.name : sampleName(family);
  const type = !openMetrics && family.type === "info" ? "gauge" : family.type;
  return [
    `# HELP ${name} ${escapeHelp(family.help, openMetrics)}`,
    `# TYPE ${name} ${type}`,
    ...(openMetrics && family.unit ? [`# UNIT ${name} ${family.unit}`] : []),
  ];
}

/**
 * Renders families as an exposition: OpenMetrics (ending in `# EOF`) or text 0.0.4.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { render } from "./exposition.ts";
 * const text = render([{ name: "x", type: "counter", help: "h", samples: [{ labels: { g: 'a"b' }, value: 1 }] }], true);
 * assert(text === '# HELP x h\n# TYPE x counter\nx_total{g="a\\"b"} 1\n# EOF\n');
 * ```
 */
export function render(families: readonly MetricFamily[], openMetrics: boolean): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(...familyHeader(family, openMetrics));
    for (const sample of family.samples) lines.push(sampleLine(family, sample, openMetrics));
  }
  if (openMetrics) lines.push("# EOF");
  return lines.join("\n") + "\n";
}

/** Whether a scraper's `Accept` header asks for OpenMetrics. */
export function wantsOpenMetrics(accept: string | null): boolean {
  return accept !== null && accept.includes("application/openmetrics-text");
}
