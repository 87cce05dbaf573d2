/** Formats values on a Y axis and in tooltips. */
export type Formatter = (value: number) => string;

// Each formatter is self-contained (no outer names): the SVG's script embeds their own
// text (`svg_script.ts`), so a chart's tooltips format as its axes do.

/** Rounded, with a comma between thousands (no `Intl`: its set-up cost every start ~13 ms). */
function integer(value: number): string {
  return Number.isFinite(value)
    ? String(Math.round(value) || 0).replace(/\B(?=(\d{3})+(?!\d))/g, ",")
    : String(value);
}

/** Three significant digits with an SI suffix: `950`, `1.23k`, `45.6M`. */
function humanReadable(value: number): string {
  const si = ["", "k", "M", "G", "T", "P", "E"];
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const order = Math.min(si.length - 1, Math.max(0, Math.floor(Math.log10(Math.abs(value)) / 3)));
  const scaled = value / 1000 ** order;
  return `${Number(scaled.toPrecision(3))}${si[order]}`;
}

/** The value as a percentage with one decimal (values are already in %): `12.5%`. */
function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Value formatters by the names `--formatter` accepts. */
export const FORMATTERS: Record<string, Formatter> = {
  human_readable: humanReadable,
  integer,
  percent,
};

/** Formats unix seconds as ISO 8601 UTC without zone, trailing fraction zeros stripped: `2022-09-03T19:38:00.5`. */
export function formatIsoTime(seconds: number): string {
  const iso = new Date(Math.round(seconds * 1000)).toISOString().slice(0, 23);
  const [whole, fraction] = iso.split(".");
  const stripped = ("0." + fraction).replace(/0+$/, "").replace(/\.$/, "").slice(2);
  return stripped ? `${whole}.${stripped}` : whole!;
}

/**
 * Formats a duration the way Python's `str(timedelta)` does, trailing fraction zeros
 * stripped: `0:00:00.2`, `1 day, 1:59:59.678`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatRelativeTime } from "./format.ts";
 * assert(formatRelativeTime(93599.678) === "1 day, 1:59:59.678");
 * assert(formatRelativeTime(0.2) === "0:00:00.2");
 * ```
 */
export function formatRelativeTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const whole = Math.floor(rest / 1000);
  const fraction = String(rest - whole * 1000).padStart(3, "0").replace(/0+$/, "");
  const clock = `${h}:${String(m).padStart(2, "0")}:${String(whole).padStart(2, "0")}` +
    (fraction ? `.${fraction}` : "");
  return days > 0 ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

/**
 * Labels for time ticks, compact as the reference's: a label whose date equals the
 * previous label's shows only the time.
 */
export function formatTimeLabels(
  ticks: readonly number[],
  options: { relative?: number | undefined },
): string[] {
  if (options.relative !== undefined) {
    return ticks.map((t) => formatRelativeTime(t - options.relative!));
  }
  let previousDate = "";
  return ticks.map((t) => {
    const label = formatIsoTime(t);
    const [date = "", time = ""] = label.split("T");
    const compact = date === previousDate ? time : label;
    previousDate = date;
    return compact;
  });
}
