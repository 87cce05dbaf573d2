import { createLogger } from "./log.ts";
import type { Logger } from "./log.ts";

/** What commands need from the outside world; tests swap in capturing versions. */
export interface CliDeps {
  /** Writes data (never diagnostics) to stdout. */
  writeOut(text: string): void;
  /** Writes raw text to stderr (help, commander's messages). */
  writeErr(text: string): void;
  log: Logger;
  /** procpath's own PID, left out of a live `/proc` snapshot. */
  pid: number;
  /** Wall clock, unix milliseconds. */
  now(): number;
  /** Drops every permission once a command has read what it needs (see `permissions.ts`). */
  dropPermissions(): void;
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}

/** Returns the real dependencies: the process's stdout/stderr, clock and permissions. */
export function realDeps(dropPermissions: () => void): CliDeps {
  const writeErr = (text: string) => writeAll(Deno.stderr, text);
  return {
    writeOut: (text) => writeAll(Deno.stdout, text),
    writeErr,
    log: createLogger(writeErr, () => new Date()),
    pid: Deno.pid,
    now: () => Date.now(),
    dropPermissions,
  };
}
