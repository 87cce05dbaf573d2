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
    // deno-lint-ignore no-control-regex -- XML 1.0 forbids these characters even escaped
  ).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "\ufffd");
}

/** Formats a pixel coordinate with at most one decimal: keeps the SVG small. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}
