/**
 * Times as people read them in tables and status lines: cumulative CPU time as ps prints
 * it, local wall-clock times, compact ages.
 *
 * @module
 */

/** `1:02:03` for seconds; days as `3-04:05:06`, as ps prints cumulative CPU time. */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60]
    .map((n, i) => (i === 0 ? String(n) : String(n).padStart(2, "0"))).join(":");
  return days > 0 ? `${days}-${hms.padStart(8, "0")}` : hms;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A local time as `YYYY-MM-DD HH:MM:SS`. */
export function formatLocalTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A compact age: `42s`, `17m`, `3h12m`, `4d03h`. */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/** `TIME+` as top prints it: minutes:seconds.hundredths, hours past an hour. */
export function formatCpuTime(seconds: number): string {
  const hundredths = Math.floor(seconds * 100);
  const minutes = Math.floor(hundredths / 6000);
  const rest = `${String(Math.floor(hundredths / 100) % 60).padStart(2, "0")}.${
    String(hundredths % 100).padStart(2, "0")
  }`;
  return minutes >= 60
    ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}:${rest.slice(0, 2)}`
    : `${minutes}:${rest}`;
}

/**
 * Uptime as top prints it: `3 days, 04:12` or `04:12:09` under a day.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatUptime } from "./format_time.ts";
 * assert.equal(formatUptime(3 * 86400 + 4 * 3600 + 12 * 60 + 9), "3 days, 04:12");
 * assert.equal(formatUptime(4 * 3600 + 12 * 60 + 9), "04:12:09");
 * ```
 */
export function formatUptime(seconds: number): string {
  const whole = Math.floor(seconds);
  const days = Math.floor(whole / 86400);
  const two = (n: number) => String(n).padStart(2, "0");
  const hours = two(Math.floor(whole / 3600) % 24), minutes = two(Math.floor(whole / 60) % 60);
  return days > 0
    ? `${days} day${days === 1 ? "" : "s"}, ${hours}:${minutes}`
    : `${hours}:${minutes}:${two(whole % 60)}`;
}
