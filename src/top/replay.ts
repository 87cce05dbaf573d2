/**
 * `top` over a recording: the tree (or table) of one sample with the rates between
 * it and the sample before, stepped through with keys — one sample back or forward,
 * a minute back or forward, first and last — or played at one sample per interval,
 * as `below replay` and `atop -r` step through theirs. Batch mode prints a block per
 * sample.
 *
 * @module
 */
import { compileQuery, selectProcesses } from "../query/mod.ts";
import { openTimeline } from "../store/timeline.ts";
import type { Timeline } from "../store/timeline.ts";
import { resolveMoment } from "../time/moment.ts";
import type { Moment } from "../time/moment.ts";
import type { ProcessNode } from "../tree/types.ts";
import { formatLocalTime } from "../view/mod.ts";
import { runScreen } from "./screen.ts";
import { batchBlock, frameLines, SORT_KEYS, totalCpu } from "./render.ts";
import type { TopColumn, TopSort } from "./render.ts";
import { RateTracker } from "./sample.ts";
import type { ProcessRates } from "./sample.ts";
import type { TopIo } from "./top.ts";

/** What a replay shows. */
export interface ReplayPlan {
  recording: string;
  /** Where to start; the first sample when absent. */
  at?: Moment;
  query?: string;
  /** Seconds between samples while playing. */
  interval: number;
  repeat?: number;
  tree?: boolean;
  sort: TopSort;
  ascii?: boolean;
  /** The columns before COMMAND; the default ones when absent (a column the recording lacks shows `-`). */
  columns?: readonly TopColumn[];
}

const MINUTE = 60;

/** Keys of the replay, by what they do (arrows and page keys arrive as escape sequences). */
const STEPS: Record<string, "next" | "previous" | "forward" | "back" | "first" | "last"> = {
  "\x1b[C": "next",
  ".": "next",
  "l": "next",
  "\x1b[D": "previous",
  ",": "previous",
  "h": "previous",
  "]": "forward",
  "\x1b[6~": "forward",
  "[": "back",
  "\x1b[5~": "back",
  "g": "first",
  "\x1b[H": "first",
  "\x1b[1~": "first",
  "G": "last",
  "\x1b[F": "last",
  "\x1b[4~": "last",
};

/** The selection of one sample, each process once. */
function selection(timeline: Timeline, query: string | undefined) {
  const compiled = query ? compileQuery(query) : null;
  return (ts: number): ProcessNode[] => {
    const { nodes, whole } = selectProcesses(compiled, timeline.forestAt(ts));
    if (!whole) {
      throw new Error(`Cannot show "${query}": the JSONPath must select whole process nodes`);
    }
    return nodes;
  };
}

/** Runs the replay; returns the exit code. Throws `RecordingError` or `MomentError`. */
export async function replay(plan: ReplayPlan, io: TopIo): Promise<number> {
  const timeline = openTimeline(plan.recording);
  try {
    let times = timeline.times();
    let index = resolveMoment(plan.at ?? { kind: "first" }, times).index;
    const select = selection(timeline, plan.query);
    const pageSize = Number(timeline.meta.page_size ?? 4096);
    const context = {
      pageSize,
      clockTicks: Number(timeline.meta.clock_ticks ?? 100),
      memoryBytes: Number(timeline.meta.physical_pages ?? 0) * pageSize,
    };
    // the rates of a sample come from the one before it, whichever way the user stepped
    const ratesAt = (i: number): ProcessRates[] => {
      const tracker = new RateTracker(context, { includeNew: true });
      if (i > 0) tracker.next(select(times[i - 1]), times[i - 1] * 1000);
      return tracker.next(select(times[i]), times[i] * 1000);
    };
    if (!io.keys) {
      for (let block = 0; index < times.length; index++, block++) {
        if (plan.repeat !== undefined && block >= plan.repeat) break;
        if (io.stop.requested) break;
        const rates = ratesAt(index);
        const heading = `${formatLocalTime(times[index])}  sample ${index + 1}/${times.length}` +
          `  ${rates.length} processes  ${totalCpu(rates)}`;
        io.write(batchBlock(heading, rates, plan));
      }
      return 0;
    }
    return await live(
      plan,
      io,
      {
        get times() {
          return times;
        },
        refresh() {
          times = timeline.times();
        },
        ratesAt,
      },
      () => index,
      (i) => index = i,
    );
  } finally {
    timeline.close();
  }
}

interface Samples {
  readonly times: number[];
  /** Rereads the sample times: a recording still being written grows. */
  refresh(): void;
  ratesAt(i: number): ProcessRates[];
}

/** The first sample at or after `t`, or the last one before it. */
function sampleAtOrAfter(times: readonly number[], t: number): number {
  const i = times.findIndex((ts) => ts >= t - 1e-6);
  return i < 0 ? times.length - 1 : i;
}
/** The last sample at or before `t`, or the first. */
function sampleAtOrBefore(times: readonly number[], t: number): number {
  for (let i = times.length - 1; i >= 0; i--) if (times[i] <= t + 1e-6) return i;
  return 0;
}

async function live(
  plan: ReplayPlan,
  io: TopIo,
  samples: Samples,
  position: () => number,
  moveTo: (index: number) => void,
): Promise<number> {
  let tree = Boolean(plan.tree), sort = plan.sort, playing = true;
  let rates = samples.ratesAt(position());
  const go = (index: number) => {
    const bounded = Math.max(0, Math.min(samples.times.length - 1, index));
    if (bounded !== position()) {
      moveTo(bounded);
      rates = samples.ratesAt(bounded);
    }
  };
  await runScreen(io, plan.interval, {
    frame(columns, rows) {
      const i = position(), times = samples.times;
      // what the replay is doing comes first: an 80-column terminal cuts the line's end
      const status = [
        `replay ${formatLocalTime(times[i])}`,
        `sample ${i + 1}/${times.length}`,
        playing && i < times.length - 1 ? "PLAYING" : "PAUSED",
        `${rates.length} processes`,
        totalCpu(rates),
        `sort ${sort.toUpperCase()}`,
      ].join("  ");
      const keys = "q quit  ←/→ sample  [/] minute  g/G first/last  space play  t tree  c/m/p sort";
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
      const times = samples.times, i = position();
      const step = STEPS[key];
      if (key === "q" || key === "\x03" || key === "Q") return "quit";
      if (key === "t") tree = !tree;
      else if (key === " ") playing = !playing;
      else if (SORT_KEYS[key]) sort = SORT_KEYS[key];
      else if (step === "next" || step === "previous") {
        playing = false;
        go(i + (step === "next" ? 1 : -1));
      } else if (step === "forward") go(sampleAtOrAfter(times, times[i] + MINUTE));
      else if (step === "back") go(sampleAtOrBefore(times, times[i] - MINUTE));
      else if (step === "first") go(0);
      else if (step === "last") {
        samples.refresh();
        go(samples.times.length - 1);
      } else return "ignore";
      return "redraw";
    },
    tick() {
      if (!playing) return false;
      if (position() >= samples.times.length - 1) samples.refresh(); // still being recorded?
      if (position() >= samples.times.length - 1) return false;
      go(position() + 1);
      return true;
    },
  });
  return 0;
}
