/**
 * Text made safe for an HTML page: process data is shown, never interpreted.
 *
 * @module
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Returns `text` with the characters HTML gives a meaning replaced by entities, for
 * element content and quoted attribute values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./html_text.ts";
 * assert.equal(escapeHtml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * Returns `value` as JSON that can sit inside a `<script>` element: every `<` written
 * as `\u003c`, so no text in it can close the element, plus the two line separators
 * JavaScript once refused in strings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptJson } from "./html_text.ts";
 * assert.equal(scriptJson({ cmd: "</script>" }), '{"cmd":"\\u003c/script>"}');
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
