import { EXIT } from "../exit_codes.ts";
import { writeAll } from "../files/write_all.ts";
import { liveRoot } from "../procfs/mod.ts";
import type { ProcRoot } from "../procfs/mod.ts";
import { createLogger } from "./log.ts";
import type { Logger } from "./log.ts";

/** What commands need from the outside world; tests swap in capturing versions. */
export interface CliDeps {
  /** Writes data (never diagnostics) to stdout: text, or bytes already encoded. */
  writeOut(text: string | Uint8Array): void;
  /** Writes raw text to stderr (help, the status line). */
  writeErr(text: string): void;
  /** Whether stdout is a terminal (process data is then shown with control characters visible). */
  stdoutIsTerminal: boolean;
  /** Whether stderr is a terminal (a status line is drawn only there). */
  stderrIsTerminal: boolean;
  log: Logger;
  /** procpath's own PID, left out of a live `/proc` snapshot. */
  pid: number;
  /** Wall clock, unix milliseconds with a fraction (iterations can be under 1 ms apart). */
  now(): number;
  /** Drops every permission once a command has read what it needs (see `permissions.ts`). */
  dropPermissions(): void;
  /** The running system's procfs, where procpath and the commands `watch` starts live. */
  live: ProcRoot;
}

/**
 * The reader of procpath's output went away (`procpath query | head -1`): the command
 * ends at once, silently and successfully, as the reader asked for no more.
 */
export class OutputClosed extends Error {
  readonly exitCode = EXIT.ok;
  constructor() {
    super("stdout was closed");
    this.name = "OutputClosed";
  }
}

/** Returns the real dependencies: the process's stdout/stderr, clock and permissions. */
export function realDeps(dropPermissions: () => void): CliDeps {
  const writeErr = (text: string) => {
    try {
      writeAll(Deno.stderr, text);
    } catch (error) {
      if (!(error instanceof Deno.errors.BrokenPipe)) throw error; // nowhere left to say it
    }
  };
  return {
    writeOut(text) {
      try {
        writeAll(Deno.stdout, text);
      } catch (error) {
        if (error instanceof Deno.errors.BrokenPipe) throw new OutputClosed();
        throw error;
      }
    },
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    writeErr,
    stderrIsTerminal: Deno.stderr.isTerminal(),
    log: createLogger(writeErr, () => new Date()),
    pid: Deno.pid,
    now: () => performance.timeOrigin + performance.now(),
    dropPermissions,
    live: liveRoot(),
  };
}
