import type { Shell } from "./spawn_shell.ts";

/** How to stop the shells of a watch. */
export interface TerminateOptions {
  signal: Deno.Signal;
  /** Grace after the stop signal before SIGKILL, ms. */
  killAfterMs: number;
  /** Every descendant of procpath seen just before stopping (they may be reparented once their shell dies). */
  descendants: readonly number[];
  /** Whether a PID still runs (a zombie counts as exited). */
  isAlive(pid: number): boolean;
  debug(message: string): void;
}

function kill(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch { /* already gone */ }
}

/**
 * Stops shells as the reference does: the stop signal to each shell's process group,
 * up to `killAfterMs` for them to exit, SIGKILL to the groups of those still running,
 * then SIGKILL to every descendant seen before stopping that still lives.
 */
export async function terminateShells(
  shells: readonly Shell[],
  options: TerminateOptions,
): Promise<void> {
  const running = shells.filter((shell) => shell.exitCode === null);
  for (const shell of running) {
    options.debug(`Sending ${options.signal} to shell PGRP ${shell.pid}`);
    kill(-shell.pid, options.signal);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) =>
    timer = setTimeout(() => resolve("timeout"), options.killAfterMs)
  );
  const outcome = await Promise.race([Promise.all(running.map((s) => s.done)), timeout]);
  clearTimeout(timer);
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
  for (const pid of options.descendants) {
    if (options.isAlive(pid)) {
      options.debug(`Killing unterminated descendant PID ${pid}`);
      kill(pid, "SIGKILL");
    }
  }
  await Promise.all(shells.map((shell) => shell.done));
}
