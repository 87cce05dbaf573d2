/**
 * The script a plot's SVG carries: `svg_chart.js` (the tooltip and the legend toggle)
 * called with the very formatters that labelled the axes — their own text, so the
 * tooltips read as the axes do and nothing is written twice.
 *
 * @module
 */
import chartJs from "./svg_chart.js" with { type: "text" };
import { formatIsoTime, formatRelativeTime, FORMATTERS } from "./format.ts";

/**
 * The script's text for a chart formatted with `formatter`; times relative to
 * `relativeTo` (unix seconds) when given, else ISO 8601 UTC.
 */
export function svgScript(formatter: string, relativeTo?: number): string {
  const value = (FORMATTERS[formatter] ?? FORMATTERS.human_readable)!.toString();
  const time = relativeTo === undefined
    ? formatIsoTime.toString()
    : `function (t) { return (${formatRelativeTime.toString()})(t - ${relativeTo}); }`;
  return `${chartJs}\nchart(${value}, ${time});\n`;
}
