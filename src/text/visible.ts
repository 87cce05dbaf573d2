/** C0 controls but tab, DEL and the C1 controls: what a terminal would act on. */
// deno-lint-ignore no-control-regex -- these are the characters to make visible
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * Returns `text` with terminal control characters shown as `\xHH` (as `ls -b` does),
 * so a process named with ESC or BEL cannot recolour, retitle or beep a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { visible } from "./visible.ts";
 * assert(visible("a\u001b[31mb\u0007\tc") === "a\\x1b[31mb\\x07\tc");
 * ```
 */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Every C0 control (tab too), DEL and the C1 controls: what would break or move a row. */
// deno-lint-ignore no-control-regex -- these are the characters to make visible
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Returns `text` as one row's worth: every control character, tab and newline included,
 * shown as `\xHH`, so that a command line holding them stays on its row and its width
 * is the number of characters it shows (escape first, then cut to a width).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneLine } from "./visible.ts";
 * assert(oneLine("a\nb\tc\u001b[1m") === "a\\x0ab\\x09c\\x1b[1m");
 * ```
 */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKING, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * Quotes user input for a one-line message, shortened past `max` characters:
 * a 3 MB filter does not make a 3 MB error line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoteInput } from "./visible.ts";
 * assert(quoteInput("x".repeat(300), 10) === '"xxxxxxxxxx…" (300 characters)');
 * ```
 */
export function quoteInput(text: string, max = 200): string {
  return text.length <= max ? `"${text}"` : `"${text.slice(0, max)}…" (${text.length} characters)`;
}
