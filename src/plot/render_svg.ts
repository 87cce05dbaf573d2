import { svgScript } from "./svg_script.ts";
import { escapeXml, px } from "./_svg.ts";
import { FORMATTERS } from "./format.ts";
import { formatTimeLabels } from "./format.ts";
import { linearScale, logScale, timeTicks } from "./scale.ts";
import type { Scale } from "./scale.ts";
import { STYLES } from "./styles.ts";
import type { Style } from "./styles.ts";
import { thinToPixels } from "./transform.ts";
import type { Point, Series } from "./types.ts";

/** How to draw a chart. */
export interface RenderOptions {
  title: string;
  /** Titles of the left and (when two queries have their own axes) right Y axes. */
  axisTitles: string[];
  width?: number | undefined;
  height?: number;
  logarithmic?: boolean | undefined;
  /** A name of `FORMATTERS`. */
  formatter?: string | undefined;
  /** A name of `STYLES`. */
  style?: string | undefined;
  /** Hover dots at the first point at or after each X label. */
  dots?: boolean | undefined;
  /** X labels as durations from the first tick. */
  relativeTime?: boolean | undefined;
  /** Per Y axis: ticks on whole numbers (counts, `--formatter integer`). */
  integerTicks?: readonly boolean[];
}

const MARGIN = { top: 56, bottom: 96, left: 78, right: 24, axis: 78 };
const LEGEND_ROW = 16, LEGEND_COLUMN = 220;
/** The legend's most rows: the chart keeps its size whatever the series count. */
const MAX_LEGEND_ROWS = 6;
/** Characters of a legend entry that fit its column (12 px sans-serif), ellipsis included. */
const LEGEND_CHARS = 30;

/** A distinct colour for the i-th line: the style's palette, then golden-angle hues. */
function lineColour(palette: readonly string[], i: number): string {
  return i < palette.length
    ? palette[i]!
    : `hsl(${Math.round((i * 137.508) % 360)},70%,${i % 2 ? 38 : 52}%)`;
}

/** Text cut to `max` characters with an ellipsis. */
function ellipsis(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

/** Whether a value has a place on a Y axis: finite, and above 0 on a logarithmic one. */
function drawable(v: number, logarithmic: boolean | undefined): boolean {
  return Number.isFinite(v) && !(logarithmic && v <= 0);
}

/** Builds the `d` of a polyline, lifting the pen over points the scale cannot draw. */
function pathData(points: readonly Point[], x: Scale, y: Scale): string {
  let d = "";
  let pen = "M";
  for (const [t, v] of points) {
    if (!drawable(v, y.logarithmic)) {
      pen = "M";
      continue;
    }
    d += `${pen}${px(x(t))} ${px(y(v))}`;
    pen = "L";
  }
  return d;
}

/**
 * Renders series as a standalone, interactive SVG chart and returns its text: a time
 * X axis, one or two Y axes, a legend (click to hide or show a series), hover
 * tooltips with time, value and process. Points closer than a pixel are thinned.
 */
export function renderSvg(series: readonly Series[], options: RenderOptions): string {
  const style: Style = STYLES[options.style ?? "DefaultStyle"] ?? STYLES.DefaultStyle!;
  const format = FORMATTERS[options.formatter ?? "human_readable"] ?? FORMATTERS.human_readable!;
  const width = options.width ?? 1200;
  const plotHeight = options.height ?? 684;
  const twoAxes = options.axisTitles.length > 1;
  const left = MARGIN.left, right = width - (twoAxes ? MARGIN.axis : MARGIN.right);
  const top = MARGIN.top, bottom = plotHeight - MARGIN.bottom;

  let t0 = Infinity, t1 = -Infinity;
  for (const s of series) {
    for (const [t] of s.points) {
      if (t < t0) t0 = t;
      if (t > t1) t1 = t;
    }
  }
  if (t0 > t1) [t0, t1] = [0, 1];
  const labelTicks = timeTicks(t0, t1, Math.max(2, Math.floor((right - left) / 70)));
  const xDomain: [number, number] = t1 > t0 ? [t0, t1] : [t0 - 1, t0 + 1];
  const kx = (right - left) / (xDomain[1] - xDomain[0]);
  const x = ((t: number) => left + (t - xDomain[0]) * kx) as Scale;

  const yScales: Scale[] = [0, 1].map((axis) => {
    let lo = Infinity, hi = -Infinity;
    for (const s of series) {
      if (s.axis !== axis) continue;
      for (const [, v] of s.points) {
        if (!drawable(v, options.logarithmic)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo > hi) [lo, hi] = options.logarithmic ? [1, 10] : [0, 1];
    return options.logarithmic
      ? logScale([lo, hi], [bottom, top])
      : linearScale([Math.min(0, lo), hi], [bottom, top], 6, options.integerTicks?.[axis]);
  });

  // one colour per line identity (a PID keeps its colour on both axes), none repeated;
  // "others" is grey
  const colourOf = new Map<string, string>();
  for (const s of series) {
    if (colourOf.has(s.key)) continue;
    colourOf.set(
      s.key,
      s.key === "others" ? style.muted : lineColour(style.palette, colourOf.size),
    );
  }
  // one legend entry per line identity, in the series' order (best first), bounded rows
  // (the first query's series names an entry: its "others" counts the first query's lines)
  const byKey = new Map<string, { series: Series; axes: Set<0 | 1> }>();
  for (const s of series) {
    const entry = byKey.get(s.key);
    if (entry) entry.axes.add(s.axis);
    else byKey.set(s.key, { series: s, axes: new Set([s.axis]) });
  }
  const entries = [...byKey.values()];
  const columns = Math.max(1, Math.floor((width - 40) / LEGEND_COLUMN));
  const legendRows = Math.min(MAX_LEGEND_ROWS, Math.ceil(entries.length / columns));
  const capacity = legendRows * columns;
  const shownEntries = entries.length > capacity ? entries.slice(0, capacity - 1) : entries;
  const height = plotHeight + legendRows * LEGEND_ROW + 12;

  const out: string[] = [];
  const yAttr = (s: Scale) => {
    const [lo, hi] = s.domain;
    const l = s.logarithmic ? Math.log10(lo) : lo, h = s.logarithmic ? Math.log10(hi) : hi;
    return `${bottom} ${l} ${(top - bottom) / (h - l)} ${s.logarithmic ? 1 : 0}`;
  };
  out.push(
    `<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" ` +
      `width="100%" height="100%" preserveAspectRatio="xMidYMin meet" font-family="sans-serif" font-size="12" ` +
      `data-w="${width}" data-x="${left} ${xDomain[0]} ${kx}" data-y0="${yAttr(yScales[0]!)}" ` +
      (twoAxes ? `data-y1="${yAttr(yScales[1]!)}" ` : "") +
      `data-format="${escapeXml(options.formatter ?? "human_readable")}"` +
      (options.relativeTime ? ` data-relative="${labelTicks[0]}"` : "") + ">",
    `<title>${escapeXml(options.title)}</title>`,
    `<style>.line{fill:none;stroke-width:1.5;stroke-linejoin:round}.line:hover{stroke-width:3}` +
      `.dots{fill:none;stroke-width:5;stroke-linecap:round;pointer-events:none}.b .line{stroke-dasharray:6 3}` +
      `.item{cursor:pointer}.item.off{opacity:.35}text{fill:${style.foreground}}.m{fill:${style.muted}}` +
      `#tip{pointer-events:none;font-size:12px}#tip tspan{fill:${style.foreground};stroke:${style.background};` +
      `stroke-width:4px;paint-order:stroke}</style>`,
    `<rect width="${width}" height="${height}" fill="${style.background}"/>`,
    `<rect class="area" x="${left}" y="${top}" width="${right - left}" height="${
      bottom - top
    }" fill="${style.plotBackground}"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="16">${
      escapeXml(options.title)
    }</text>`,
  );

  // grid and axes
  const grid: string[] = [];
  for (const tick of yScales[0]!.ticks) grid.push(`M${left} ${px(yScales[0]!(tick))}H${right}`);
  for (const tick of labelTicks) grid.push(`M${px(x(tick))} ${top}V${bottom}`);
  out.push(`<path class="grid" d="${grid.join("")}" stroke="${style.grid}" fill="none"/>`);
  out.push(
    `<path d="M${left} ${top}V${bottom}H${right}${
      twoAxes ? `V${top}` : ""
    }" stroke="${style.muted}" fill="none"/>`,
  );
  const labels = formatTimeLabels(labelTicks, {
    relative: options.relativeTime ? labelTicks[0] : undefined,
  });
  labelTicks.forEach((tick, i) => {
    const tx = px(x(tick)), ty = bottom + 14;
    out.push(
      `<text class="m xl" x="${tx}" y="${ty}" transform="rotate(35 ${tx} ${ty})">${
        escapeXml(labels[i]!)
      }</text>`,
    );
  });
  const axisLabels = (scale: Scale, side: "left" | "right") =>
    scale.ticks.forEach((tick) => {
      const xPos = side === "left" ? left - 6 : right + 6;
      out.push(
        `<text class="m yl" x="${xPos}" y="${px(scale(tick) + 4)}" text-anchor="${
          side === "left" ? "end" : "start"
        }">` +
          `${escapeXml(format!(tick))}</text>`,
      );
    });
  axisLabels(yScales[0]!, "left");
  out.push(
    `<text class="m" transform="translate(16 ${
      (top + bottom) / 2
    }) rotate(-90)" text-anchor="middle">` +
      `${escapeXml(options.axisTitles[0] ?? "")}</text>`,
  );
  if (twoAxes) {
    axisLabels(yScales[1]!, "right");
    out.push(
      `<text class="m" transform="translate(${width - 10} ${
        (top + bottom) / 2
      }) rotate(90)" text-anchor="middle">` +
        `${escapeXml(options.axisTitles[1]!)}</text>`,
    );
  }

  // series
  out.push(`<g class="series">`);
  series.forEach((s) => {
    const y = yScales[s.axis]!;
    const points = thinToPixels(s.points, (t) => x(t) * 2); // half-pixel columns
    const colour = colourOf.get(s.key)!;
    const title = escapeXml(`${s.title}${s.command ? ` (${s.command})` : ""}`);
    out.push(
      `<g data-key="${escapeXml(s.key)}"${s.axis === 1 ? ' class="b"' : ""}>` +
        `<path class="line" stroke="${colour}" ` +
        `data-axis="${s.axis}" data-title="${title}" d="${pathData(points, x, y)}"/>`,
    );
    if (options.dots !== false) {
      let dots = "", j = 0, last = -1;
      for (const tick of labelTicks) {
        while (j < s.points.length && s.points[j]![0] < tick) j++;
        if (j >= s.points.length) break;
        const [t, v] = s.points[j]!;
        if (j !== last && drawable(v, options.logarithmic)) {
          // whole pixels: dots are only drawn, never read back like the line's points
          dots += `M${Math.round(x(t))} ${Math.round(y(v))}h0`;
        }
        last = j;
      }
      if (dots) out.push(`<path class="dots" stroke="${colour}" d="${dots}"/>`);
    }
    out.push(`</g>`);
  });
  out.push(`</g>`);

  // legend: a swatch per axis the line is on (dashed for the right one), the name cut
  // with an ellipsis and whole on hover
  const place = (i: number) => [
    20 + (i % columns) * LEGEND_COLUMN,
    plotHeight + 4 + Math.floor(i / columns) * LEGEND_ROW,
  ];
  shownEntries.forEach(({ series: s, axes }, i) => {
    const [lx, ly] = place(i);
    const colour = colourOf.get(s.key)!;
    const text = `${s.label}${s.command ? ` ${s.command}` : ""}`;
    const swatch = [...axes].sort().map((axis, k, all) => {
      const length = 18 / all.length;
      return `<path d="M${lx! + k * length} ${ly! - 4}h${length - 1}" stroke="${colour}" ` +
        `stroke-width="3"${axis === 1 ? ' stroke-dasharray="3 2"' : ""}/>`;
    }).join("");
    out.push(
      `<g class="item" data-key="${escapeXml(s.key)}"><title>${escapeXml(text)}</title>${swatch}` +
        `<text x="${lx! + 24}" y="${ly}">${escapeXml(ellipsis(text, LEGEND_CHARS))}</text></g>`,
    );
  });
  if (shownEntries.length < entries.length) {
    const [lx, ly] = place(shownEntries.length);
    out.push(
      `<text class="m" x="${lx! + 24}" y="${ly}">+${
        entries.length - shownEntries.length
      } more (hover a line for its name)</text>`,
    );
  }

  out.push(
    `<text id="tip" style="display:none"></text>`,
    `<script type="text/javascript"><![CDATA[${
      svgScript(
        options.formatter ?? "human_readable",
        options.relativeTime ? labelTicks[0] : undefined,
      )
    }]]></script>`,
    `</svg>\n`,
  );
  return out.join("\n");
}
