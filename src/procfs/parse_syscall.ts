/**
 * Parser of `/proc/<pid>/task/<tid>/syscall`: the system call a task is blocked in, by
 * number, with its six arguments — or that it is running in user space. Pure.
 *
 * @module
 */
import { ProcfsSyntaxError } from "./errors.ts";

/** What `syscall` says of a task. */
export type Syscall =
  /** Running (on a CPU or runnable) in user space: no call to show. */
  | { running: true }
  /** Blocked in system call `number` (the architecture's numbering) with these arguments. */
  | {
    running: false;
    number: number;
    /** The six arguments as the kernel prints them (hex); an fd argument fits a number. */
    args: readonly string[];
  };

/**
 * Parses `syscall`: `running`, `-1 SP PC` (blocked outside a system call: a page fault,
 * a signal stop), or `NR ARG1 … ARG6 SP PC`. Returns `null` for `-1` (no call).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSyscall } from "./parse_syscall.ts";
 * const call = parseSyscall("45 0x5 0x7ffd 0x64 0x0 0x0 0x0 0x7ffc 0x7f1\n");
 * assert.deepEqual(call, { running: false, number: 45, args: ["0x5", "0x7ffd", "0x64", "0x0", "0x0", "0x0"] });
 * assert.deepEqual(parseSyscall("running\n"), { running: true });
 * assert.equal(parseSyscall("-1 0x7ffc 0x7f1\n"), null);
 * ```
 */
export function parseSyscall(text: string): Syscall | null {
  const words = text.trim().split(" ");
  if (words[0] === "running") return { running: true };
  const number = Number(words[0]);
  if (words[0] === "" || !Number.isInteger(number)) {
    throw new ProcfsSyntaxError(`Cannot parse syscall: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (number < 0) return null;
  return { running: false, number, args: words.slice(1, 7) };
}

/** The argument `index` of a call as a descriptor number, or `null` when it is not one. */
export function syscallFdArg(call: Syscall | null, index = 0): number | null {
  if (call === null || call.running) return null;
  const arg = call.args[index];
  if (arg === undefined) return null;
  const value = Number(arg);
  // a descriptor is a small non-negative int; AT_FDCWD and pointers are not
  return Number.isInteger(value) && value >= 0 && value < 1 << 30 ? value : null;
}
