/**
 * `record -- COMMAND`: the command started as procpath's child with procpath as the
 * child subreaper of everything below it, so orphans (`cmd &`, double forks) stay in
 * the recorded tree and their CPU reaches procpath when it reaps them. Stop signals
 * are forwarded to the command instead of ending the recording; the recording ends
 * when the command and every orphan it left have exited. A wait that lasts says what it
 * waits for: the processes the command left running, or a tree that has not stopped
 * after a stop signal (a second one kills it).
 *
 * @module
 */
import { becomeSubreaper, reapOrphan } from "../shell/mod.ts";
import type { StopSignals } from "../signals/stop_signals.ts";
import { delay } from "../time/delay.ts";
import { parseCmdline } from "../procfs/mod.ts";
import type { ProcReader } from "../procfs/mod.ts";
import { oneLine } from "../text/visible.ts";
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
  /** Whether the command itself has exited (and the runtime reaped it). */
  readonly exited: boolean;
  /**
   * Seconds from just before the command's spawn to its reaping (the runtime's wait
   * returned), as `/usr/bin/time` measures it; `null` while it runs.
   */
  readonly wallSeconds: number | null;
  /** The signal that ended the command ("SIGSEGV"), once it has ended by one; else `null`. */
  readonly signal: string | null;
  /** Kills whatever is still running of the tree (a failed recording) and stops listening. */
  abort(): Promise<void>;
  dispose(): void;
}

const FORWARDED: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** How often the end of the adopted orphans is looked for once the command exited, ms. */
const ORPHAN_POLL_MS = 50;
/** How long a wait may last before it is said what it waits for, ms. */
const QUIET_MS = 1000;
/** The processes a message names; the rest are counted. */
const NAMED = 5;

/** "1 process", "3 processes". */
const processes = (n: number) => `${n} ${n === 1 ? "process" : "processes"}`;

/**
 * Starts `argv` with procpath as subreaper; throws `CommandStartError` when it cannot
 * start. `reader` reads the live procfs (procpath's own children, zombies). With
 * `ownChildren`, every other child of procpath is an orphan of the command's; without
 * it (procpath runs `-e` shells of its own) only those seen below the command are.
 * `say` hears, once each, what a lasting wait waits for.
 */
export function runCommand(
  argv: readonly string[],
  reader: ProcReader,
  ownPid: number,
  ownChildren: boolean,
  say: (message: string) => void = () => {},
): RunningCommand {
  becomeSubreaper();
  let child: Deno.ChildProcess;
  const spawnedAt = performance.now();
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
  let exitedAt = 0;
  let interrupted = false;
  let endSignal: string | null = null;
  let toldLeftovers = false;
  const commandEnded = new AbortController();
  const treeEnded = new AbortController();
  const hurry = new AbortController();
  const status = child.status.then((s) => {
    exited = true;
    exitedAt = performance.now();
    endSignal = s.signal;
    commandEnded.abort();
    const number = s.signal === null ? undefined : SIGNAL_NUMBERS[s.signal];
    return number === undefined ? s.code : signalled(number);
  });

  /** The fields of `stat` after the command name (state, ppid, pgrp, …), or null when gone. */
  const statFields = (p: number) => {
    try {
      const stat = new TextDecoder().decode(reader.readFile(p, "stat"));
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    } catch {
      return null;
    }
  };
  const isZombie = (p: number) => {
    const fields = statFields(p);
    return fields === null || fields[0] === "Z";
  };
  const groupOf = (p: number) => statFields(p)?.[2] ?? null;
  /** "1234 (sleep 600)", its command line on one line and cut short. */
  const named = (p: number) => {
    let text = "";
    try {
      text = parseCmdline(reader.readFile(p, "cmdline"));
    } catch { /* gone, or not UTF-8: the PID alone */ }
    text = oneLine(text);
    return text === "" ? String(p) : `${p} (${text.length > 60 ? text.slice(0, 59) + "…" : text})`;
  };
  const list = (pids: number[]) =>
    pids.slice(0, NAMED).map(named).join(", ") +
    (pids.length > NAMED ? ` and ${pids.length - NAMED} more` : "");
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
  /**
   * Sends `signal` to the command and the orphans it left (`outsideGroup`: only those
   * outside procpath's process group); SIGKILL to everything below them too, a few
   * rounds, as one may fork meanwhile.
   */
  const signalTree = (signal: Deno.Signal, outsideGroup = false) => {
    const own = outsideGroup ? groupOf(ownPid) : null;
    for (let round = 0; round < (signal === "SIGKILL" ? 3 : 1); round++) {
      const roots = exited ? alive() : [pid, ...alive()];
      const targets = signal === "SIGKILL" ? below(roots) : roots;
      for (const target of targets) {
        if (own !== null && groupOf(target) === own) continue;
        try {
          Deno.kill(target, signal);
        } catch { /* gone meanwhile */ }
      }
    }
  };
  /** `roots` and every process below them. */
  const below = (roots: number[]) => {
    const found = [...roots];
    for (let at = 0; at < found.length; at++) found.push(...reader.childrenOf(found[at]!) ?? []);
    return found;
  };
  /** Once the command exited and processes it left still run after a moment, names them. */
  const tellLeftovers = () => {
    if (toldLeftovers || interrupted || performance.now() - exitedAt < QUIET_MS) return;
    const living = alive();
    if (living.length === 0) return;
    toldLeftovers = true;
    const them = living.length === 1
      ? "the process it left running exits"
      : `the ${living.length} processes it left running exit`;
    say(
      `${argv[0]} exited; the recording goes on until ${them}: ${list(living)}; ` +
        `press Ctrl+C to end ${living.length === 1 ? "it" : "them"} (SIGTERM)`,
    );
  };
  /** A tree still running a moment after the first stop signal: says a second one kills it. */
  const tellStopping = async (signal: Deno.Signal) => {
    await delay(QUIET_MS, AbortSignal.any([treeEnded.signal, hurry.signal]));
    if (treeEnded.signal.aborted || hurry.signal.aborted || ended()) return;
    const living = alive();
    const what = exited
      ? `the ${processes(living.length)} the command left (${list(living)})`
      : `${argv[0]} (PID ${pid})` +
        (living.length > 0 ? ` and the ${processes(living.length)} it left` : "");
    say(
      `Waiting for ${what} to exit after ${signal}; ` +
        "a second Ctrl+C or stop signal kills the whole tree",
    );
  };
  // a terminal's Ctrl+C reaches what runs in procpath's process group itself (the
  // command, unless it moved); it is passed on to the rest, as any stop signal sent to
  // procpath alone is to all. Once the command has exited, what it left running gets
  // SIGTERM. A second stop signal kills.
  const fromTerminal = Deno.stdin.isTerminal();
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      if (interrupted) {
        hurry.abort();
        signalTree("SIGKILL");
        return;
      }
      interrupted = true;
      // what the command left ignores SIGINT when a shell started it with `&`
      const passed = exited ? "SIGTERM" : signal;
      signalTree(passed, signal === "SIGINT" && fromTerminal && !exited);
      tellStopping(passed);
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
        tellLeftovers();
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
    get exited() {
      return exited;
    },
    get wallSeconds() {
      return exited ? (exitedAt - spawnedAt) / 1000 : null;
    },
    get signal() {
      return endSignal;
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
