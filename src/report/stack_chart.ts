/**
 * A stacked area chart as inline SVG: one band per program over the samples, the
 * largest at the bottom, each with its name and peak as a hover title.
 *
 * @module
 */
import { escapeHtml } from "./html_text.ts";

/** What a stacked chart shows. */
export interface StackInput {
  /** Seconds from the run's start, ascending. */
  times: number[];
  /** One row per band, values at `times`. */
  rows: number[][];
  names: string[];
  colors: string[];
  /** The unit of the values as the axis says it ("cores", "MiB"). */
  unit: string;
  title: string;
}

const W = 900, H = 220, LEFT = 56, BOTTOM = 24, TOP = 8, RIGHT = 8;

/** Returns the chart as an `<svg>` element's text (pure). */
export function renderStackChart(input: StackInput): string {
  const { times, rows } = input;
  const n = times.length;
  const totals = times.map((_, i) => rows.reduce((sum, row) => sum + (row[i] ?? 0), 0));
  const max = Math.max(1e-9, ...totals);
  const span = Math.max(1e-9, (times[n - 1] ?? 0) - (times[0] ?? 0));
  const x = (t: number) => LEFT + (t - (times[0] ?? 0)) / span * (W - LEFT - RIGHT);
  const y = (v: number) => H - BOTTOM - v / max * (H - BOTTOM - TOP);
  const base = new Array<number>(n).fill(0);
  const bands: string[] = [];
  rows.forEach((row, k) => {
    const upper = times.map((t, i) =>
      `${x(t).toFixed(1)},${y(base[i]! + (row[i] ?? 0)).toFixed(1)}`
    );
    const lower = times.map((t, i) => `${x(t).toFixed(1)},${y(base[i]!).toFixed(1)}`).reverse();
    for (let i = 0; i < n; i++) base[i] = base[i]! + (row[i] ?? 0);
    const peak = Math.max(0, ...row);
    bands.push(
      `<polygon points="${[...upper, ...lower].join(" ")}" fill="${input.colors[k]}">` +
        `<title>${escapeHtml(input.names[k] ?? "")}: up to ${
          format(peak)
        } ${input.unit}</title></polygon>`,
    );
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = (times[0] ?? 0) + f * span;
    return `<text x="${x(t).toFixed(1)}" y="${H - 6}" text-anchor="middle">${format(t)} s</text>`;
  });
  const yTicks = [0, 0.5, 1].map((f) =>
    `<text x="${LEFT - 6}" y="${(y(f * max) + 4).toFixed(1)}" text-anchor="end">${
      format(f * max)
    }</text><line x1="${LEFT}" x2="${W - RIGHT}" y1="${y(f * max).toFixed(1)}" y2="${
      y(f * max).toFixed(1)
    }" stroke="#ddd"/>`
  );
  return `<svg class="stack" viewBox="0 0 ${W} ${H}" role="img" aria-label="${
    escapeHtml(input.title)
  }"><g font-size="11" fill="#444">${yTicks.join("")}${ticks.join("")}</g>${bands.join("")}</svg>`;
}

/** A figure with the digits that matter at its size. */
function format(value: number): string {
  if (value === 0) return "0";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
