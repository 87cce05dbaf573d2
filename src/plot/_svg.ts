/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  ).replace(NOT_XML, "\ufffd");
}

/**
 * Characters XML 1.0 cannot carry, even escaped: C0 controls but tab and newlines,
 * U+FFFE, U+FFFF and unpaired surrogates (the `u` flag keeps real pairs whole).
 */
// deno-lint-ignore no-control-regex -- these are the characters to replace
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/gu;

/** Formats a pixel coordinate with at most one decimal: keeps the SVG small. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}
