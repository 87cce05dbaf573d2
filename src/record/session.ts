/**
 * A whole `record` run around the sampling loop: the command it may start (`record --
 * COMMAND`), the process events it listens to where the kernel allows, and the tree
 * summary at its end. The CLI maps options onto `recordSession` and prints what it
 * returns.
 *
 * @module
 */
import { keepFilesOpen } from "../procfs/kept_files.ts";
import { childrenUsage } from "../kernel/libc.ts";
import type { ChildrenUsage } from "../kernel/libc.ts";
import { flattenTree } from "../tree/flatten_tree.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import { record } from "./record.ts";
import type { RecordIo, RecordPlan, RecordSummary } from "./record.ts";
import { startEventSource } from "./events.ts";
import type { EventSource } from "./events.ts";
import { runCommand } from "./run_command.ts";
import { describeExit } from "./exit_text.ts";
import type { RunningCommand } from "./run_command.ts";
import { formatSummary, SummaryTracker } from "./summary.ts";
import { displayCommand } from "../model/process.ts";
import type { TreeSummary } from "./summary.ts";
import { noteRun } from "../store/run_log.ts";
import { parseStatus } from "../procfs/parse_status.ts";
import { parseStatBytes } from "../procfs/mod.ts";
import type { ProcReader } from "../procfs/proc_reader.ts";

/** How a session ended. */
export interface SessionResult {
  recorded: RecordSummary;
  tree: TreeSummary;
  /** The summary as lines a person reads. */
  treeLines: string[];
  /** procpath's exit code: the command's status, or 0. */
  exitCode: number;
}

/** What a session needs besides the loop's own needs (its stop and hooks are the session's). */
export type SessionIo = Omit<
  RecordIo,
  "stop" | "branches" | "events" | "onEvents" | "aroundEvaluation"
>;

/**
 * Records `plan`, starting `command` first when given (the first sample is taken at
 * once, procpath is the subreaper of its tree, stop signals are passed on, and the
 * recording ends with the tree). Throws `CommandStartError` (exit 127 or 126) before
 * anything is created when the command cannot start.
 */
export async function recordSession(
  plan: RecordPlan & { events?: boolean },
  command: readonly string[] | undefined,
  io: SessionIo,
): Promise<SessionResult> {
  const system = plan.procfs.systemInfo();
  const tracker = new SummaryTracker({
    clockTicks: system.clockTicks,
    pageSize: system.pageSize,
    bootTime: plan.procfs.bootTime(),
    // processes started before procpath were running before the recording
    since: plan.procfs.isLive ? ownStartTicks(plan.procfs.reader("process"), io.pid) : undefined,
  });
  const started = performance.now();
  const startedAt = io.now() / 1000;
  const live = plan.procfs.isLive;
  const reader = plan.procfs.reader("process");
  keepFilesOpen(plan.procfs, plan.procfsTarget);
  let running: RunningCommand | null = null;
  // procpath reaps the orphans it adopts as they exit, unless it has children of its own
  // (-e shells) whose status the runtime waits for
  const reapsAll = plan.environment.length === 0;
  let events: EventSource | undefined;
  if (live && plan.procfsTarget === "process" && plan.events !== false) {
    const source = await startEventSource(reader, {
      all: !command && plan.query === undefined && plan.pidList === undefined,
      now: io.now,
      // of procpath's own children only the command is recorded: its -e shells are
      // not the command's (nor are their CPU and processes), and a stop signal passed on
      // to the command's tree must not kill an evaluation meanwhile
      follows: (pid, parentPid) => parentPid !== io.pid || !command || pid === running?.pid,
      onFork: (pid, parentPid) => {
        if (parentPid !== io.pid) running?.saw([pid]);
      },
      onExit: (pid, parentPid) => {
        if (running && reapsAll && parentPid === io.pid) running.reap(pid);
      },
    });
    if (typeof source === "string") {
      io.warning(
        `Processes that live between samples are not named (${source}); ` +
          "CPU totals still count them",
      );
    } else events = source;
  }
  if (command) {
    // the command's fork and everything it forks before the first sample are events too
    events?.track([io.pid]);
    try {
      running = runCommand(command, reader, io.pid, reapsAll, io.info);
    } catch (error) {
      await events?.stop();
      throw error;
    }
  }
  const commands = new Map<number, string>();
  const forked = new Map<number, number>();
  const stop = running?.stop ?? listenForStop();
  // the -e shells are procpath's children too: their CPU is in getrusage(RUSAGE_CHILDREN)
  // and is taken out again, measured around each evaluation — while the command runs, it
  // is all procpath reaps then (orphans are reaped by procpath only once the command has
  // exited, or without -e). An evaluation the command exited during holds the command's
  // CPU too, which is not known apart (the runtime reaps the command at once, before its
  // exit event's read): it is left in.
  const shells = { user: 0, system: 0 };
  const aroundEvaluation = async <T>(evaluation: () => Promise<T>): Promise<T> => {
    const before = running?.exited ? null : childrenUsage();
    try {
      return await evaluation();
    } finally {
      // reaped by now, whether or not its status has reached this thread yet
      const reaped = running !== null && (running.exited || !reader.hasStat(running.pid));
      const after = before === null ? null : childrenUsage();
      if (before !== null && after !== null) {
        const user = after.userSeconds - before.userSeconds;
        const system = after.systemSeconds - before.systemSeconds;
        if (!reaped) {
          shells.user += user;
          shells.system += system;
        }
      }
    }
  };
  let recorded: RecordSummary;
  try {
    const child = running;
    recorded = await record(plan, {
      ...io,
      stop,
      branches: child ? () => child.branches() : undefined,
      aroundEvaluation: child ? aroundEvaluation : undefined,
      events,
      onSample(nodes, wallMs) {
        const processes = flattenTree(nodes);
        const pids = processes.map((node) => node.stat.pid as number);
        // now is after the sample's reading: exits later were reaped after it
        tracker.sample(processes, wallMs, io.now());
        events?.track(pids);
        child?.saw(pids);
        io.onSample?.(nodes, wallMs);
      },
      onEvents(rows) {
        for (const row of rows) {
          if (row.kind === "fork") forked.set(row.pid, row.ts);
          if (row.kind === "exec" && row.cmdline !== null) {
            commands.set(row.pid, displayCommand(row.cmdline, row.comm));
          }
          if (row.kind === "exit") {
            const born = forked.get(row.pid);
            tracker.exited(
              row,
              commands.get(row.pid) ?? displayCommand(null, row.comm),
              born === undefined ? null : row.ts - born,
            );
            commands.delete(row.pid);
            forked.delete(row.pid);
          }
        }
      },
    });
  } catch (error) {
    await running?.abort();
    throw error;
  } finally {
    stop.dispose();
  }
  const exitCode = running ? await running.status : 0;
  // the command's own span, spawn to reaping, as /usr/bin/time's (the session's own
  // start and end added 0.05–0.25 s)
  const wallSeconds = running?.wallSeconds ?? (performance.now() - started) / 1000;
  const counted = running ? withoutShells(childrenUsage(), shells) : null;
  // a child forked from procpath starts with procpath's size: only a larger peak is its.
  // procpath's own memory's peak (VmHWM) tells, not getrusage(RUSAGE_SELF), which also
  // holds its launcher's at the exec (a 600 MiB launcher hid a 400 MiB alloc2)
  const usage = counted && {
    ...counted,
    selfMaxRssKib: ownPeakKib(reader, io.pid, counted.selfMaxRssKib),
  };
  const tree = tracker.finish(wallSeconds, {
    rusage: usage,
    started: events?.started ?? null,
  });
  // the run's span and the kernel's counts, for the reports (which read only the file);
  // a captured tree's recording keeps the reference's meta as it was, like boot_time
  if (recorded.samples > 0 && live) {
    try {
      noteRun(recorded.path, {
        start: startedAt,
        end: io.now() / 1000,
        command: command ? command.join(" ") : null,
        exitCode: running ? exitCode : null,
        userSeconds: usage?.userSeconds ?? null,
        systemSeconds: usage?.systemSeconds ?? null,
        maxRssKib: usage && usage.maxRssKib > usage.selfMaxRssKib ? usage.maxRssKib : null,
      });
    } catch (error) {
      io.warning(`Cannot note the run in "${recorded.path}": ${(error as Error).message}`);
    }
  }
  const title = running
    ? `procpath record: ${command!.join(" ")} ` +
      describeExit(exitCode, running.signal, running.interrupted)
    : `procpath record: ${recorded.path}`;
  return { recorded, tree, treeLines: formatSummary(tree, title), exitCode };
}

/** procpath's own start time, ticks after boot (`stat.starttime`), else `undefined`. */
function ownStartTicks(reader: ProcReader, pid: number): number | undefined {
  try {
    const start = parseStatBytes(reader.readFile(pid, "stat")).starttime;
    return typeof start === "number" ? start : undefined;
  } catch {
    return undefined;
  }
}

/** procpath's own memory's peak, KiB (`VmHWM`), else `fallback`. */
function ownPeakKib(reader: ProcReader, pid: number, fallback: number): number {
  try {
    const hwm = parseStatus(new TextDecoder().decode(reader.readFile(pid, "status"))).vmhwm;
    return typeof hwm === "number" ? hwm : fallback;
  } catch {
    return fallback;
  }
}

/** The usage of procpath's children less what its own -e shells used, seconds. */
function withoutShells(
  usage: ChildrenUsage | null,
  shells: { user: number; system: number },
): ChildrenUsage | null {
  if (usage === null) return null;
  return {
    ...usage,
    userSeconds: Math.max(0, usage.userSeconds - shells.user),
    systemSeconds: Math.max(0, usage.systemSeconds - shells.system),
  };
}
