import { procRoot } from "../../src/procfs/mod.ts";
import type { CliDeps } from "../../src/cli/mod.ts";
import { createLogger } from "../../src/cli/log.ts";

/** CliDeps that capture output, with a fixed clock and permissions left alone. */
export interface CapturedDeps extends CliDeps {
  out: string[];
  err: string[];
  dropped: number;
}

/** Returns capturing dependencies for in-process CLI tests. */
export function captureDeps(): CapturedDeps {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CapturedDeps = {
    out,
    err,
    dropped: 0,
    writeOut: (text) => out.push(typeof text === "string" ? text : new TextDecoder().decode(text)),
    writeErr: (text) => err.push(text),
    stdoutIsTerminal: false,
    stderrIsTerminal: false,
    log: createLogger((line) => err.push(line), () => new Date(Date.UTC(2026, 10, 21, 23, 32))),
    pid: -1,
    now: () => Date.UTC(2026, 10, 21, 23, 32),
    dropPermissions: () => deps.dropped++,
    live: procRoot("/proc"),
  };
  return deps;
}
