import type { ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import type { Moment } from "../time/moment.ts";
import { branchPidsOf, compileQuery, selectProcesses } from "../query/mod.ts";
import type { StopSignals } from "../signals/stop_signals.ts";
import { readSnapshot, ReadWarnings } from "../snapshot/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import { formatLocalTime } from "../view/mod.ts";
import { runScreen } from "./screen.ts";
import { batchBlock, frameLines, SORT_KEYS, totalCpu } from "./render.ts";
import type { TopColumn, TopSort } from "./render.ts";
import { RateTracker } from "./sample.ts";
import type { ProcessRates } from "./sample.ts";

/** What `top` shows. */
export interface TopPlan {
  query?: string;
  /** Seconds between refreshes. */
  interval: number;
  /** Blocks to print in batch mode; endless when absent. */
  repeat?: number;
  batch: boolean;
  tree?: boolean;
  sort: TopSort;
  ascii?: boolean;
  procfs: ProcRoot;
  procfsTarget: ProcfsTarget;
  /** Replay this recording instead of reading `procfs` (see `replay.ts`). */
  recording?: string;
  /** Where the replay starts. */
  at?: Moment;
  /** The columns before COMMAND (`--columns`); the default ones when absent. */
  columns?: readonly TopColumn[];
  /** A shorthand selection (`--name nginx`): selecting nothing at the start is exit 1. */
  emptyIsFailure?: string;
}

/** What `top` needs of the running program. */
export interface TopIo {
  pid: number;
  write(text: string): void;
  /** Unix ms. */
  now(): number;
  stop: StopSignals;
  /** The terminal's size now. */
  size(): { columns: number; rows: number };
  /** Key presses, one string each, in the live view; `null` in batch mode. */
  keys: AsyncIterable<string> | null;
  /** Called on every terminal resize. */
  onResize(listener: () => void): () => void;
}

/** A view the query cannot feed. */
export class TopError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = "TopError";
  }
}

/** Reads the selection's processes (each once) with the time of the read. */
function sampler(plan: TopPlan, io: TopIo) {
  const query = plan.query ? compileQuery(plan.query) : null;
  const branches = query ? branchPidsOf(query) ?? undefined : undefined;
  // a process of another user has no readable io: expected, not worth a warning
  const quiet = new ReadWarnings(() => {});
  return (): { nodes: ProcessNode[]; atMs: number } => {
    const roots = readSnapshot(
      {
        procfs: plan.procfs,
        procfsTarget: plan.procfsTarget,
        // what the columns need besides: schedstat for RUNQ%, wchan for WCHAN
        procfileList: [
          "stat",
          "cmdline",
          "io",
          ...new Set((plan.columns ?? []).flatMap((c) => c.files ?? [])),
        ],
      },
      { pid: io.pid, warn: () => {} },
      branches,
      quiet,
    );
    const atMs = performance.now();
    const { nodes, whole } = selectProcesses(query, roots);
    if (!whole) {
      throw new TopError(
        `Cannot show "${plan.query}": the JSONPath must select whole process nodes`,
      );
    }
    return { nodes, atMs };
  };
}

/**
 * Runs the view: in batch mode one timestamped block per interval (as `pidstat`
 * prints), for `repeat` blocks or until stopped; live, a full-screen view redrawn every
 * interval, with keys to quit (q, Ctrl+C), switch tree and table (t), sort by CPU (c),
 * memory (m) or PID (p), and pause (space). Returns the exit code.
 */
export async function top(plan: TopPlan, io: TopIo): Promise<number> {
  if (plan.recording !== undefined) {
    const { replay } = await import("./replay.ts");
    return await replay({ ...plan, recording: plan.recording }, io);
  }
  const system = plan.procfs.systemInfo();
  const tracker = new RateTracker({
    pageSize: system.pageSize,
    clockTicks: system.clockTicks,
    memoryBytes: system.physicalPages * system.pageSize,
  });
  const sample = sampler(plan, io);
  const first = sample();
  if (plan.emptyIsFailure !== undefined && first.nodes.length === 0) {
    throw new TopError(`No process matches ${plan.emptyIsFailure}`);
  }
  tracker.next(first.nodes, first.atMs);
  return io.keys ? await live(plan, io, tracker, sample) : await batch(plan, io, tracker, sample);
}

/** How long the live view measures before its first frame, ms: rates need two samples. */
const FIRST_FRAME_MS = 250;

function firstRates(
  plan: TopPlan,
  tracker: RateTracker,
  sample: () => { nodes: ProcessNode[]; atMs: number },
  io: TopIo,
): Promise<ProcessRates[]> {
  return io.stop.sleep(Math.min(FIRST_FRAME_MS, plan.interval * 1000)).then(() => {
    const { nodes, atMs } = sample();
    return tracker.next(nodes, atMs);
  });
}

async function batch(
  plan: TopPlan,
  io: TopIo,
  tracker: RateTracker,
  sample: () => { nodes: ProcessNode[]; atMs: number },
): Promise<number> {
  for (let block = 1; plan.repeat === undefined || block <= plan.repeat; block++) {
    await io.stop.sleep(plan.interval * 1000);
    if (io.stop.requested) break;
    const { nodes, atMs } = sample();
    const rates = tracker.next(nodes, atMs);
    io.write(
      batchBlock(
        `${formatLocalTime(io.now() / 1000)}  ${rates.length} processes  ${totalCpu(rates)}`,
        rates,
        plan,
      ),
    );
  }
  return 0;
}

async function live(
  plan: TopPlan,
  io: TopIo,
  tracker: RateTracker,
  sample: () => { nodes: ProcessNode[]; atMs: number },
): Promise<number> {
  let tree = Boolean(plan.tree), sort = plan.sort, paused = false;
  let rates = await firstRates(plan, tracker, sample, io);
  await runScreen(io, plan.interval, {
    frame(columns, rows) {
      const status = [
        `procpath top  ${formatLocalTime(io.now() / 1000)}  ${rates.length} processes`,
        totalCpu(rates),
        `every ${plan.interval}s`,
        `sort ${sort.toUpperCase()}`,
        paused ? "PAUSED" : "",
      ].filter(Boolean).join("  ");
      const keys = "q quit  t tree/table  c/m/p sort cpu/mem/pid  space pause";
      return frameLines(status, keys, rates, {
        tree,
        sort,
        width: columns,
        rows,
        ascii: plan.ascii,
        columns: plan.columns,
      });
    },
    key(key) {
      if (key === "q" || key === "\x03" || key === "Q") return "quit";
      if (key === "t") tree = !tree;
      else if (key === " ") paused = !paused;
      else if (SORT_KEYS[key]) sort = SORT_KEYS[key];
      else return "ignore";
      return "redraw";
    },
    tick() {
      if (paused) return false;
      const { nodes, atMs } = sample();
      rates = tracker.next(nodes, atMs);
      return true;
    },
  });
  return 0;
}
