/**
 * `record -- COMMAND`: the command started as procpath's child with procpath as the
 * child subreaper of everything below it, so orphans (`cmd &`, double forks) stay in
 * the recorded tree and their CPU reaches procpath when it reaps them. Stop signals
 * are forwarded to the command instead of ending the recording; the recording ends
 * when the command and every orphan it left have exited.
 *
 * @module
 */
import { becomeSubreaper, reapOrphan } from "../shell/mod.ts";
import type { StopSignals } from "../signals/stop_signals.ts";
import { delay } from "../time/delay.ts";
import type { ProcReader } from "../procfs/mod.ts";
import { SIGNAL_NUMBERS } from "../shell/signal_names.ts";
import { EXIT, signalled } from "../exit_codes.ts";
import { spawnAsCaller } from "../kernel/caller_limits.ts";

/** A command that could not be started: 127 (not found) or 126 (not executable), as a shell says. */
export class CommandStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT.cannotExecute | typeof EXIT.notFound,
  ) {
    super(message);
    this.name = "CommandStartError";
  }
}

/** The command being recorded. */
export interface RunningCommand {
  readonly pid: number;
  /** The branches to read now: the command and the orphans procpath adopted from it. */
  branches(): number[];
  /** Remembers processes seen below the command, which may later be adopted orphans. */
  saw(pids: Iterable<number>): void;
  /** Reaps a child of procpath's that has exited (never the command itself, which the runtime waits for). */
  reap(pid: number): void;
  /** The record loop's stop: requested once the command and its adopted orphans have ended. */
  readonly stop: StopSignals;
  /** The command's exit status as a shell gives it (128 + N for signal N). */
  readonly status: Promise<number>;
  /** Whether a stop signal was forwarded (the summary says so). */
  readonly interrupted: boolean;
  /** Kills whatever is still running of the tree (a failed recording) and stops listening. */
  abort(): Promise<void>;
  dispose(): void;
}

const FORWARDED: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** How often the end of the adopted orphans is looked for once the command exited, ms. */
const ORPHAN_POLL_MS = 50;

/**
 * Starts `argv` with procpath as subreaper; throws `CommandStartError` when it cannot
 * start. `reader` reads the live procfs (procpath's own children, zombies). With
 * `ownChildren`, every other child of procpath is an orphan of the command's; without
 * it (procpath runs `-e` shells of its own) only those seen below the command are.
 */
export function runCommand(
  argv: readonly string[],
  reader: ProcReader,
  ownPid: number,
  ownChildren: boolean,
): RunningCommand {
  becomeSubreaper();
  let child: Deno.ChildProcess;
  try {
    child = spawnAsCaller(
      new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }),
    );
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandStartError(`${argv[0]}: command not found`, EXIT.notFound);
    }
    const reason = error instanceof Error ? error.message.replace(/ \(os error.*$/s, "") : "";
    throw new CommandStartError(`${argv[0]}: cannot run: ${reason}`, EXIT.cannotExecute);
  }
  const pid = child.pid;
  const known = new Set<number>();
  let exited = false;
  let interrupted = false;
  const commandEnded = new AbortController();
  const treeEnded = new AbortController();
  const hurry = new AbortController();
  const status = child.status.then((s) => {
    exited = true;
    commandEnded.abort();
    const number = s.signal === null ? undefined : SIGNAL_NUMBERS[s.signal];
    return number === undefined ? s.code : signalled(number);
  });

  const isZombie = (p: number) => {
    try {
      const stat = new TextDecoder().decode(reader.readFile(p, "stat"));
      return stat[stat.lastIndexOf(")") + 2] === "Z";
    } catch {
      return true; // gone
    }
  };
  const adopted = () =>
    (reader.childrenOf(ownPid) ?? []).filter((p) => p !== pid && (ownChildren || known.has(p)));
  const alive = () => adopted().filter((p) => !isZombie(p));
  const ended = () => {
    if (!exited) return false;
    let living = 0;
    for (const orphan of adopted()) {
      if (isZombie(orphan)) reapOrphan(orphan);
      else living++;
    }
    if (living === 0) treeEnded.abort();
    return treeEnded.signal.aborted;
  };
  const signalTree = (signal: Deno.Signal) => {
    for (const target of exited ? alive() : [pid, ...alive()]) {
      try {
        Deno.kill(target, signal);
      } catch { /* gone meanwhile */ }
    }
  };
  // a terminal's Ctrl+C reaches the command itself (it shares procpath's process
  // group); one sent to procpath alone is passed on. A second stop signal kills.
  const fromTerminal = Deno.stdin.isTerminal();
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      if (interrupted) {
        hurry.abort();
        signalTree("SIGKILL");
        return;
      }
      interrupted = true;
      if (!(signal === "SIGINT" && fromTerminal)) signalTree(signal);
    };
    Deno.addSignalListener(signal, handler);
    return [signal, handler] as const;
  });
  const dispose = () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  };

  const stop: StopSignals = {
    get requested() {
      return ended();
    },
    signal: treeEnded.signal,
    again: hurry.signal,
    async sleep(ms) {
      const until = performance.now() + ms;
      if (!exited) await delay(ms, commandEnded.signal);
      while (exited && !ended() && performance.now() < until) {
        await delay(Math.min(ORPHAN_POLL_MS, until - performance.now()));
      }
    },
    dispose,
  };
  return {
    pid,
    branches: () => exited ? alive() : [pid, ...alive()],
    saw(pids) {
      for (const p of pids) known.add(p);
    },
    reap(p) {
      if (p !== pid) reapOrphan(p);
    },
    stop,
    status,
    get interrupted() {
      return interrupted;
    },
    async abort() {
      signalTree("SIGKILL");
      await status;
      for (const orphan of adopted()) reapOrphan(orphan);
      dispose();
    },
    dispose,
  };
}
