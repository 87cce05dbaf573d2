/**
 * What a recorded process tree did, `/usr/bin/time -v` style: wall time, CPU (every
 * short-lived process included), peak memory, processes started and the commands that
 * used most CPU. Fed each stored sample and, where the connector runs, each exit.
 *
 * @module
 */
import { displayCommand } from "../model/process.ts";
import type { KernelUnits } from "../model/process.ts";
import { toNumber } from "../procfs/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import type { ProcessEventRow } from "../store/mod.ts";
import { ReapedCpuTracker } from "../model/cpu.ts";

/** The figures of a summary. */
export interface TreeSummary {
  wallSeconds: number;
  /** CPU seconds in user and kernel mode, reaped descendants included. */
  userSeconds: number;
  systemSeconds: number;
  /** Where the CPU figure comes from: the kernel's count of reaped children, or the samples. */
  cpuSource: "rusage" | "samples";
  /** The largest sum of the tree's resident memory at one sample, bytes, and when (unix s). */
  peakTreeRss: { bytes: number; at: number } | null;
  /** The largest resident memory of one process, bytes, and its command. */
  peakProcessRss: { bytes: number; command: string } | null;
  /** Processes started: forks seen by the connector, else distinct processes sampled. */
  started: number;
  startedSource: "events" | "samples";
  /** The five commands that used most CPU in the recorded intervals, seconds each. */
  topCommands: { command: string; seconds: number }[];
}

const num = (value: unknown) => toNumber(value) ?? 0;

/**
 * Accumulates a summary over a recording. CPU is summed per interval with
 * `model/cpu.ts` and attributed to commands: a process's own part to its command, the
 * part it reaped to the command its exited children ran (from the exit events since
 * the previous sample), or to `children of <its command>` when no event named them.
 */
export class SummaryTracker {
  readonly #clockTicks: number;
  readonly #pageSize: number;
  readonly #cpu = new ReapedCpuTracker();
  #userTicks = 0;
  #systemTicks = 0;
  #peakTree: { bytes: number; at: number } | null = null;
  #peakProcess: { bytes: number; command: string } | null = null;
  /** The start time of the process each PID last named: a new one counts as started. */
  readonly #starts = new Map<number, number>();
  #started = 0;
  readonly #perCommand = new Map<string, number>();
  /**
   * The children that exited since the previous sample, by parent PID: each command's
   * weight in what the parent reaped (CPU read from the zombie, else the lifetime).
   */
  #exitedChildren = new Map<number, Map<string, number>>();

  constructor(context: KernelUnits) {
    this.#clockTicks = context.clockTicks;
    this.#pageSize = context.pageSize;
  }

  /** Takes one stored sample's processes (each once) at `wallMs` (unix ms). */
  sample(nodes: readonly ProcessNode[], wallMs: number): void {
    const byPid = new Map<number, ProcessNode>();
    let treeRss = 0;
    let largest: ProcessNode | null = null;
    let largestRss = this.#peakProcess?.bytes ?? 0;
    for (const node of nodes) {
      const s = node.stat;
      const pid = num(s.pid);
      const starttime = num(s.starttime);
      byPid.set(pid, node);
      if (this.#starts.get(pid) !== starttime) {
        this.#starts.set(pid, starttime);
        this.#started++;
      }
      const rss = num(s.rss) * this.#pageSize;
      treeRss += rss;
      if (rss > largestRss) {
        largest = node;
        largestRss = rss;
      }
    }
    // the command of a process is made only where it is needed: 3,000 a sample add up
    const commandOf = (node: ProcessNode) => displayCommand(node.cmdline, node.stat.comm);
    if (largest !== null) this.#peakProcess = { bytes: largestRss, command: commandOf(largest) };
    const add = (command: string, ticks: number) => {
      if (ticks > 0) this.#perCommand.set(command, (this.#perCommand.get(command) ?? 0) + ticks);
    };
    for (const [pid, cpu] of this.#cpu.next(nodes)) {
      this.#userTicks += cpu.userOwn + cpu.userReaped;
      this.#systemTicks += cpu.systemOwn + cpu.systemReaped;
      const reaped = cpu.userReaped + cpu.systemReaped;
      if (cpu.userOwn + cpu.systemOwn === 0 && reaped === 0) continue;
      const command = commandOf(byPid.get(pid)!);
      add(command, cpu.userOwn + cpu.systemOwn);
      if (reaped === 0) continue;
      for (const [child, share] of this.#childrenShares(pid, command)) add(child, reaped * share);
    }
    this.#exitedChildren = new Map();
    if (treeRss > (this.#peakTree?.bytes ?? -1)) {
      this.#peakTree = { bytes: treeRss, at: wallMs / 1000 };
    }
  }

  /**
   * Takes an exit (its command from the exec before it, its lifetime from its fork,
   * seconds): whose reaped CPU it explains.
   */
  exited(row: ProcessEventRow, command: string, lifetime: number | null): void {
    if (row.ppid === null) return;
    // the CPU the zombie showed, else its lifetime: a short child mostly runs while it lives
    const known = row.utime !== null && row.stime !== null
      ? (row.utime + row.stime + (row.cutime ?? 0) + (row.cstime ?? 0)) / this.#clockTicks
      : null;
    const weight = known ?? lifetime ?? 0;
    let children = this.#exitedChildren.get(row.ppid);
    if (!children) this.#exitedChildren.set(row.ppid, children = new Map());
    children.set(command, (children.get(command) ?? 0) + weight);
  }

  /**
   * The commands the children a process reaped ran, each with its share of what was
   * reaped; `children of <command>` when no exit event named them.
   */
  #childrenShares(pid: number, command: string): [string, number][] {
    const children = [...this.#exitedChildren.get(pid) ?? []];
    const total = children.reduce((sum, [, weight]) => sum + weight, 0);
    if (total <= 0) return [[`children of ${command}`, 1]];
    return children.map(([child, weight]) => [child, weight / total]);
  }

  /**
   * Returns the summary. `rusage` (the kernel's count of everything procpath reaped,
   * for `record -- COMMAND`) replaces the CPU summed from samples; `started` (forks
   * the connector saw) the count of processes sampled.
   */
  finish(
    wallSeconds: number,
    options: {
      rusage?: { userSeconds: number; systemSeconds: number } | null;
      started?: number | null;
    } = {},
  ): TreeSummary {
    const rusage = options.rusage ?? null;
    const perCommand = new Map(this.#perCommand);
    if (rusage) {
      // what ran after the last sample (or before the first) the samples could not split:
      // it goes to the command the children that exited since ran, if the events said
      const counted = [...perCommand.values()].reduce((a, b) => a + b, 0);
      const rest = (rusage.userSeconds + rusage.systemSeconds) * this.#clockTicks - counted;
      const exited = [...this.#exitedChildren.values()].flatMap((m) => [...m]);
      const weights = exited.reduce((sum, [, weight]) => sum + weight, 0);
      const shares: [string, number][] = weights > 0
        ? exited.map(([command, weight]) => [command, weight / weights])
        : [["(after the last sample)", 1]];
      for (const [command, share] of rest > 0 ? shares : []) {
        perCommand.set(command, (perCommand.get(command) ?? 0) + rest * share);
      }
    }
    const topCommands = [...perCommand].sort((a, b) => b[1] - a[1]).slice(0, 5)
      .map(([command, ticks]) => ({ command, seconds: ticks / this.#clockTicks }));
    return {
      wallSeconds,
      userSeconds: rusage ? rusage.userSeconds : this.#userTicks / this.#clockTicks,
      systemSeconds: rusage ? rusage.systemSeconds : this.#systemTicks / this.#clockTicks,
      cpuSource: rusage ? "rusage" : "samples",
      peakTreeRss: this.#peakTree,
      peakProcessRss: this.#peakProcess,
      started: options.started ?? this.#started,
      startedSource: options.started == null ? "samples" : "events",
      topCommands,
    };
  }
}

const MIB = 1024 * 1024;

/** Returns the summary as lines a person reads (no trailing newline). */
export function formatSummary(summary: TreeSummary, title: string): string[] {
  const cpu = summary.userSeconds + summary.systemSeconds;
  const cores = summary.wallSeconds > 0 ? cpu / summary.wallSeconds : 0;
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
  const cut = (text: string) => text.length > 60 ? `${text.slice(0, 59)}…` : text;
  const lines = [
    title,
    `  wall time       ${summary.wallSeconds.toFixed(2)} s`,
    `  CPU             ${cpu.toFixed(2)} s (user ${summary.userSeconds.toFixed(2)} s, system ${
      summary.systemSeconds.toFixed(2)
    } s), ${cores.toFixed(2)} cores on average, exited processes included${
      summary.cpuSource === "samples" ? " (from the samples)" : ""
    }`,
  ];
  if (summary.peakTreeRss) {
    lines.push(
      `  peak RSS        ${mib(summary.peakTreeRss.bytes)} the whole tree, at ${
        new Date(summary.peakTreeRss.at * 1000).toISOString().slice(11, 19)
      } UTC`,
    );
  }
  if (summary.peakProcessRss) {
    lines.push(
      `                  ${mib(summary.peakProcessRss.bytes)} the largest process: ${
        cut(summary.peakProcessRss.command)
      }`,
    );
  }
  lines.push(
    `  processes       ${summary.started} ${
      summary.startedSource === "events" ? "started" : "seen in samples"
    }`,
  );
  if (summary.topCommands.length > 0) {
    lines.push("  most CPU");
    for (const { command, seconds } of summary.topCommands) {
      lines.push(`    ${seconds.toFixed(2).padStart(9)} s  ${cut(command)}`);
    }
  }
  return lines;
}
