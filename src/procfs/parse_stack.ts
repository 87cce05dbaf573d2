/**
 * Parser of `/proc/<pid>/task/<tid>/stack` (root only): the kernel functions a blocked
 * task is in, innermost first. Pure.
 *
 * @module
 */

/**
 * Parses `stack`: each `[<0>] function+0x1b/0x30` line's function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStack } from "./parse_stack.ts";
 * assert.deepEqual(
 *   parseStack("[<0>] wait_for_vfork_done+0x2e/0x50\n[<0>] kernel_clone+0x1b1/0x3c0\n"),
 *   ["wait_for_vfork_done", "kernel_clone"],
 * );
 * ```
 */
export function parseStack(text: string): string[] {
  const frames: string[] = [];
  for (const line of text.split("\n")) {
    const match = /^\[<[0-9a-f]+>\] ([^+\s]+)/.exec(line);
    if (match) frames.push(match[1]!);
  }
  return frames;
}
