import { delay } from "../time/delay.ts";
import type { Shell } from "./spawn_shell.ts";

/** How to stop the shells of a watch. */
export interface TerminateOptions {
  signal: Deno.Signal;
  /** Grace after the stop signal before SIGKILL, ms. */
  killAfterMs: number;
  /**
   * The live processes below procpath now (orphans adopted by the subreaper among
   * them); asked again after the shells are gone.
   */
  descendants(): number[];
  /** Whether a PID still runs (a zombie counts as exited). */
  isAlive(pid: number): boolean;
  debug(message: string): void;
  /** Says what the stop waits for, once, when a command does not exit at once. */
  say?(message: string): void;
  /** Aborted when the user will not wait: SIGKILL at once instead of the rest of the grace. */
  hurry?: AbortSignal;
}

/** How long commands may take to exit before the stop says what it waits for, ms. */
const QUIET_MS = 500;

/** How long the output of stopped shells may take to drain, ms. */
const DRAIN_MS = 1000;

function kill(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch { /* already gone */ }
}

/**
 * Stops shells as the reference does — the stop signal to each shell's process group,
 * up to `killAfterMs` for them to exit, SIGKILL to the groups of those still running —
 * then SIGKILLs every descendant still alive, asking again until none is left (one
 * that escaped its group, a daemon, an orphan). Output still held open by a process
 * that could not be found is abandoned after a moment, so the stop never hangs.
 */
export async function terminateShells(
  shells: readonly Shell[],
  options: TerminateOptions,
): Promise<void> {
  const before = options.descendants();
  const running = shells.filter((shell) => shell.exitCode === null);
  for (const shell of running) {
    options.debug(`Sending ${options.signal} to shell PGRP ${shell.pid}`);
    kill(-shell.pid, options.signal);
  }
  const grace = new AbortController();
  const abort = options.hurry ? AbortSignal.any([grace.signal, options.hurry]) : grace.signal;
  const timeout = delay(options.killAfterMs, abort).then(() => "timeout" as const);
  const exited = Promise.all(running.map((s) => s.exited));
  if (options.say && options.killAfterMs > QUIET_MS && running.length > 0) {
    const quiet = new AbortController();
    delay(QUIET_MS, AbortSignal.any([quiet.signal, abort])).then(() => {
      const waiting = running.filter((s) => s.exitCode === null);
      if (waiting.length === 0 || grace.signal.aborted || options.hurry?.aborted) return;
      options.say!(
        `Waiting up to ${options.killAfterMs / 1000}s for ${
          waiting.map((s) => s.label).join(", ")
        } to exit; press Ctrl+C again to kill at once`,
      );
    });
    exited.then(() => quiet.abort());
  }
  const outcome = await Promise.race([exited, timeout]);
  grace.abort();
  if (outcome === "timeout") {
    options.debug("Not all shell processes terminated after stop signal");
    for (const shell of running.filter((s) => s.exitCode === null)) {
      options.debug(`Killing unterminated shell PID ${shell.pid}`);
      kill(-shell.pid, "SIGKILL");
      kill(shell.pid, "SIGKILL");
    }
  } else if (running.length > 0) {
    options.debug(
      `Shell processes successfully terminated: ${running.map((s) => s.pid).join(", ")}`,
    );
  }
  // a few rounds: a descendant may fork while its siblings are being killed
  let targets = before;
  for (let round = 0; round < 20; round++) {
    const alive = [...new Set([...targets, ...options.descendants()])].filter(options.isAlive);
    if (alive.length === 0) break;
    for (const pid of alive) {
      options.debug(`Killing unterminated descendant PID ${pid}`);
      kill(pid, "SIGKILL");
    }
    targets = [];
    await delay(10 * (round + 1));
  }
  const drain = new AbortController();
  await Promise.race([
    Promise.all(shells.map((shell) => shell.done)),
    delay(DRAIN_MS, drain.signal),
  ]);
  drain.abort();
  for (const shell of shells) shell.cancelOutput();
  await Promise.all(shells.map((shell) => shell.done));
}
