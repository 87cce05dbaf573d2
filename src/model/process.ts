/**
 * What every view says of a process the same way: its identity across samples, the
 * command a person reads, and the kernel's units turned into human ones.
 *
 * @module
 */
import type { SystemInfo } from "../procfs/system_info.ts";

/** The kernel's units of a machine: bytes per page and clock ticks per second. */
export type KernelUnits = Pick<SystemInfo, "pageSize" | "clockTicks">;

/**
 * A process's identity across samples: its PID and start time (clock ticks after boot),
 * so that a PID the kernel reuses is another process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { identityOf } from "./process.ts";
 * assert.equal(identityOf({ pid: 7, starttime: 1200 }), "7@1200");
 * ```
 */
export const identityOf = (p: { pid: number; starttime: number }): string =>
  `${p.pid}@${p.starttime}`;

/**
 * The command a person reads: the command line, or the name in brackets where there is
 * none (kernel threads, zombies), as ps shows them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayCommand } from "./process.ts";
 * assert.equal(displayCommand("nginx: worker", "nginx"), "nginx: worker");
 * assert.equal(displayCommand("", "kthreadd"), "[kthreadd]");
 * assert.equal(displayCommand(null, undefined), "[?]");
 * ```
 */
export function displayCommand(cmdline: unknown, comm: unknown): string {
  return typeof cmdline === "string" && cmdline !== "" ? cmdline : `[${String(comm ?? "?")}]`;
}

/**
 * How a process is listed that exec'd and exited before procpath could read its
 * command line or name (the kernel's exec event carries neither), rather than `[?]`.
 */
export const UNNAMED = "(gone before it was named)";

/** Pages in bytes. */
export const pagesToBytes = (pages: number, units: KernelUnits): number => pages * units.pageSize;

/** Pages in MiB. */
export const pagesToMib = (pages: number, units: KernelUnits): number =>
  pages * units.pageSize / 1048576;

/** Clock ticks in seconds. */
export const ticksToSeconds = (ticks: number, units: KernelUnits): number =>
  ticks / units.clockTicks;
