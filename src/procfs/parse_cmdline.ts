import { ProcfsSyntaxError } from "./errors.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses the bytes of `/proc/<pid>/cmdline`: NUL separators become spaces and the
 * result is trimmed, so a kernel thread or zombie yields `""`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCmdline } from "./parse_cmdline.ts";
 * const bytes = new TextEncoder().encode("python3\0-u\0app.py\0");
 * assert(parseCmdline(bytes) === "python3 -u app.py");
 * ```
 */
export function parseCmdline(bytes: Uint8Array): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new ProcfsSyntaxError("Cannot parse cmdline: not valid UTF-8");
  }
  return text.replaceAll("\0", " ").trim();
}
