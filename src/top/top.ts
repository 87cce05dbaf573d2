import { keepFilesOpen } from "../procfs/kept_files.ts";
import { EXIT, RunFailure } from "../exit_codes.ts";
import type { ProcFileName, ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import type { Moment } from "../time/moment.ts";
import { branchPidsOf, compileQuery, selectProcesses } from "../query/mod.ts";
import { readSnapshot, ReadWarnings } from "../snapshot/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import { processIdOf, withThreads } from "../tree/thread_groups.ts";
import { withAncestors } from "../tree/ancestors.ts";
import { flattenTree } from "../tree/flatten_tree.ts";
import { formatLocalTime } from "../view/mod.ts";
import { readHostLoad } from "../procfs/host_load.ts";
import type { CpuTimes } from "../procfs/host_load.ts";
import { readUserNames } from "../procfs/user_names.ts";
import { renice } from "../kernel/libc.ts";
import { reasonOf } from "../files/output_path.ts";
import { interactiveView, runScreen } from "./screen.ts";
import type { TopIo } from "./screen.ts";
import { Interaction } from "./interaction.ts";
import { batchHeaderLines, countTasks, headerLines } from "./header.ts";
import {
  BATCH_TOP_COLUMNS,
  batchBlock,
  countLine,
  DEFAULT_TOP_COLUMNS,
  totalCpu,
} from "./render.ts";
import type { TopColumn, TopSort } from "./render.ts";
import { RateTracker } from "../model/rates.ts";
import { collectRefreshGarbage } from "../runtime/young_gc.ts";
import { ownerLookup, showsUser } from "./owners.ts";
import type { OwnerLookup } from "./owners.ts";
import type { ProcessRates } from "../model/rates.ts";

export type { TopIo } from "./screen.ts";

/** What `top` shows. */
export interface TopPlan {
  query?: string | undefined;
  /** Seconds between refreshes. */
  interval: number;
  /** Blocks to print in batch mode; endless when absent. */
  repeat?: number | undefined;
  batch: boolean;
  tree?: boolean | undefined;
  sort: TopSort;
  ascii?: boolean | undefined;
  procfs: ProcRoot;
  procfsTarget: ProcfsTarget;
  /** Replay this recording instead of reading `procfs` (see `replay.ts`). */
  recording?: string | undefined;
  /** Where the replay starts. */
  at?: Moment | undefined;
  /** The columns before COMMAND (`--columns`); the default ones when absent. */
  columns?: readonly TopColumn[] | undefined;
  /** Whether what runs below the selected processes is shown too (`--no-subtree`: false). */
  subtree?: boolean | undefined;
  /** A shorthand selection (`--name nginx`): selecting nothing at the start is exit 1. */
  emptyIsFailure?: string | undefined;
  /** Procfiles the selection's filter reads (`status` for `-u`). */
  procfiles?: readonly ProcFileName[] | undefined;
  /** `--ancestors`: the selection under the chain of its ancestors up to PID 1. */
  ancestors?: boolean | undefined;
}

/** A view the query cannot feed. */
export class TopError extends RunFailure {}

/** Reads the selection's processes (each once) with the time of the read. */
function sampler(plan: TopPlan, io: TopIo, columns: () => readonly TopColumn[]) {
  const query = plan.query ? compileQuery(plan.query) : null;
  // the thread target: a process's threads are its siblings, outside its branch, and
  // its status.tgid names the process each thread belongs to
  const threads = plan.procfsTarget === "thread";
  const branches = query && !threads ? branchPidsOf(query) ?? undefined : undefined;
  // a process of another user has no readable io: expected, not worth a warning
  const quiet = new ReadWarnings(() => {});
  return (): Sample => {
    const startMs = performance.now();
    const roots = readSnapshot(
      {
        procfs: plan.procfs,
        procfsTarget: plan.procfsTarget,
        // what the columns need besides: schedstat for RUNQ%, wchan for WCHAN
        procfileList: [
          "stat",
          "cmdline",
          "io",
          ...new Set([
            ...columns().flatMap((c) => c.files ?? []),
            // the thread target's process IDs; a captured tree's users (live, USER and
            // u take the owner of /proc/PID instead: no status read)
            ...(threads || (!plan.procfs.isLive && (io.keys || showsUser(columns())))
              ? ["status" as const]
              : []),
            ...plan.procfiles ?? [],
          ]),
        ],
      },
      { pid: io.pid, warn: () => {} },
      branches,
      quiet,
    );
    // the read's middle: processes are read one after another over the read (a whole
    // host's takes a second beside two busy loops), and the middle moment is the one
    // whose error, when two reads take different times, is half the end's at most
    const atMs = (startMs + performance.now()) / 2;
    const ancestors = Boolean(plan.ancestors && query);
    const selected = selectProcesses(query, roots, plan.subtree !== false && !ancestors);
    const { whole } = selected;
    const nodes = ancestors
      ? flattenTree(withAncestors(roots, selected.nodes, plan.subtree !== false))
      : selected.nodes;
    if (!whole) {
      throw new TopError(
        `Cannot show "${plan.query}": the JSONPath must select whole process nodes`,
      );
    }
    if (!threads) return { nodes, atMs, processOf: null };
    const tasks = query ? withThreads(nodes, roots, false) : nodes;
    return {
      nodes: tasks,
      atMs,
      processOf: new Map(tasks.map((node) => [node.stat.pid as number, processIdOf(node)])),
    };
  };
}

/** One read of the selection: its tasks, when, and for the thread target each one's process. */
interface Sample {
  nodes: ProcessNode[];
  /** Monotonic ms. */
  atMs: number;
  /** The thread target: each task's process ID; `null` for the process target. */
  processOf: ReadonlyMap<number, number> | null;
}

/**
 * Runs the view: in batch mode one timestamped block per interval (as `pidstat`
 * prints), for `repeat` blocks or until stopped; live, a full-screen view redrawn every
 * interval under a header of the machine's load, memory and CPUs, driven by the keys of
 * `interaction.ts` (cursor, search, filter, folding, sorting, columns, signals, renice,
 * help). Returns the exit code.
 */
export async function top(plan: TopPlan, io: TopIo): Promise<number> {
  if (plan.recording !== undefined) {
    const { replay } = await import("./replay.ts");
    return await replay({ ...plan, recording: plan.recording }, io);
  }
  const system = plan.procfs.systemInfo();
  keepFilesOpen(plan.procfs, plan.procfsTarget);
  const userNames = plan.procfs.isLive ? readUserNames() : undefined;
  // live, USER is the owner of /proc/PID, looked up for the rows that need it (owners.ts)
  const owners = plan.procfs.isLive ? ownerLookup(plan.procfs.path, userNames) : null;
  const tracker = new RateTracker({
    pageSize: system.pageSize,
    clockTicks: system.clockTicks,
    memoryBytes: system.physicalPages * system.pageSize,
    // an interval is at least what the CPUs need for the CPU counted in it: a read of a
    // large host takes long enough that stamps alone gave blocks over CPUs × 100 %
    cpus: system.cpuCount,
    // a captured tree's uids are another machine's: shown as numbers
    userNames,
  }, {
    // a block or a frame's rows are dropped at the next refresh: each process keeps
    // one row object, updated in place, rather than a new one promoted every refresh
    reuseRows: true,
  });
  let columns = plan.columns ?? (io.keys ? DEFAULT_TOP_COLUMNS : BATCH_TOP_COLUMNS);
  const sample = sampler(plan, io, () => columns);
  if (!firstSample(plan, tracker, sample)) {
    throw new TopError(`No process matches ${plan.emptyIsFailure}`);
  }
  if (!io.keys) {
    return await batch(plan, io, tracker, sample, owners, () => columns);
  }
  return await live(plan, io, tracker, sample, owners, (chosen) => columns = chosen);
}

/**
 * Takes the first sample (rates need two); false when a shorthand selection selects
 * nothing. Its own function, so that its nodes are not held by `top`'s frame for as long
 * as the view runs.
 */
function firstSample(plan: TopPlan, tracker: RateTracker, sample: () => Sample): boolean {
  const first = sample();
  if (plan.emptyIsFailure !== undefined && first.nodes.length === 0) return false;
  tracker.next(first.nodes, first.atMs);
  return true;
}

/** How long the live view measures before its first frame, ms: rates need two samples. */
const FIRST_FRAME_MS = 250;

function firstRates(
  plan: TopPlan,
  tracker: RateTracker,
  sample: () => Sample,
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
  sample: () => Sample,
  owners: OwnerLookup | null,
  columns: () => readonly TopColumn[],
): Promise<number> {
  const reader = plan.procfs.reader("process");
  let before = readHostLoad(reader).cpus;
  for (let block = 1; plan.repeat === undefined || block <= plan.repeat; block++) {
    // the first block at once, as procps top -b prints its first: rates need two
    // samples, so it measures the shortest while the live view's first frame does
    const wait = block === 1
      ? Math.min(FIRST_FRAME_MS, plan.interval * 1000)
      : plan.interval * 1000;
    await io.stop.sleep(wait);
    if (io.stop.requested) break;
    const { nodes, atMs, processOf } = sample();
    const rates = tracker.next(nodes, atMs);
    // a block prints every row: each one's user where USER shows or orders them
    if (showsUser(columns()) || plan.sort === "user") owners?.(rates);
    const host = readHostLoad(reader);
    io.write(
      batchBlock(
        `${formatLocalTime(io.now() / 1000)}  ${countLine(rates, processOf)}  ${totalCpu(rates)}`,
        rates,
        {
          ...plan,
          processOf,
          machine: batchHeaderLines(host, before, countTasks(rates, processOf)),
        },
      ),
    );
    before = host.cpus;
    // the block is written and all its refresh allocated is dead: collect it while young
    collectRefreshGarbage();
  }
  return EXIT.ok;
}

async function live(
  plan: TopPlan,
  io: TopIo,
  tracker: RateTracker,
  sample: () => Sample,
  owners: OwnerLookup | null,
  setColumns: (columns: readonly TopColumn[]) => void,
): Promise<number> {
  const interaction = new Interaction({
    tree: Boolean(plan.tree),
    sort: plan.sort,
    columns: plan.columns ?? DEFAULT_TOP_COLUMNS,
    ascii: plan.ascii,
    signals: plan.procfs.isLive,
  });
  const reader = plan.procfs.reader("process");
  let before: CpuTimes[] | null = readHostLoad(reader).cpus;
  let processOf: ReadonlyMap<number, number> | null = null;
  let rates = await firstRates(plan, tracker, () => {
    const read = sample();
    processOf = read.processOf;
    return read;
  }, io);
  let host = readHostLoad(reader);
  await runScreen(
    io,
    plan.interval,
    interactiveView(interaction, {
      rates: () => rates,
      parts: (width) => ({
        status: [
          `procpath top  ${formatLocalTime(io.now() / 1000)}  ${countLine(rates, processOf)}`,
          totalCpu(rates),
          `every ${plan.interval}s`,
        ].join("  "),
        header: headerLines(host, before, countTasks(rates, processOf), width),
        processOf,
        owners: owners ?? undefined,
      }),
      tick() {
        const read = sample();
        rates = tracker.next(read.nodes, read.atMs);
        processOf = read.processOf;
        before = host.cpus;
        host = readHostLoad(reader);
        return true;
      },
      act(effect) {
        if (effect.kind === "renice") return renice(effect.pid, effect.nice);
        const failures: string[] = [];
        for (const pid of effect.pids) {
          try {
            Deno.kill(pid, effect.signal);
          } catch (error) {
            failures.push(`${pid}: ${reasonOf(error)}`);
          }
        }
        return failures.length === 0 ? null : failures.join(", ");
      },
      columnsChanged: setColumns,
    }),
  );
  return EXIT.ok;
}
