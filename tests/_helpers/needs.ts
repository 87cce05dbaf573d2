/**
 * A test's name and `ignore` flag from what it needs: when a need is missing the test
 * is ignored and its name says why (`… (ignored: chromium is not installed)`), so a
 * run that skips it tells the reader what to install.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needs } from "./needs.ts";
 * assert.deepEqual(needs("draws", { "tmux is not installed": false }), {
 *   name: "draws (ignored: tmux is not installed)",
 *   ignore: true,
 * });
 * ```
 */
export function needs(
  name: string,
  /** Each need as the reason the test is ignored without it → whether it is met. */
  requirements: Record<string, boolean>,
): { name: string; ignore: boolean } {
  const reasons = Object.entries(requirements).filter(([, met]) => !met).map(([reason]) => reason);
  return reasons.length === 0
    ? { name, ignore: false }
    : { name: `${name} (ignored: ${reasons.join("; ")})`, ignore: true };
}

/** Whether `tool` is on the PATH (for a need: `{ "tmux is not installed": installed("tmux") }`). */
export function installed(tool: string): boolean {
  return new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).outputSync().success;
}

/** GNU time, the oracle of a command's CPU (`%U %S`), wall time (`%e`) and peak RSS (`%M`). */
export const TIME = "/usr/bin/time";

/** Whether {@link TIME} is installed (a need: `{ "/usr/bin/time is not installed": hasTime }`). */
export const hasTime = (() => {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
})();
