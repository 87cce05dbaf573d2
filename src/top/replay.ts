/**
 * `top` over a recording: the tree (or table) of one sample with the rates between
 * it and the sample before, stepped through with keys — one sample back or forward,
 * a minute back or forward, first and last — or played at one sample per interval,
 * as `below replay` and `atop -r` step through theirs. Batch mode prints a block per
 * sample.
 *
 * @module
 */
import { EXIT } from "../exit_codes.ts";
import { compileQuery, selectProcesses } from "../query/mod.ts";
import { openTimeline } from "../store/timeline.ts";
import type { Timeline } from "../store/timeline.ts";
import { resolveMoment } from "../time/moment.ts";
import type { Moment } from "../time/moment.ts";
import type { ProcessNode } from "../tree/types.ts";
import { formatLocalTime } from "../view/mod.ts";
import { interactiveView, runScreen } from "./screen.ts";
import type { TopIo } from "./screen.ts";
import { Interaction } from "./interaction.ts";
import { batchBlock, countLine, DEFAULT_TOP_COLUMNS, totalCpu } from "./render.ts";
import { replayHeaderLines } from "./header.ts";
import type { TopColumn, TopSort } from "./render.ts";
import { RateTracker } from "../model/rates.ts";
import type { ProcessRates } from "../model/rates.ts";

/** What a replay shows. */
export interface ReplayPlan {
  recording: string;
  /** Where to start; the first sample when absent. */
  at?: Moment | undefined;
  query?: string | undefined;
  /** Whether what runs below the selected processes is shown too. */
  subtree?: boolean | undefined;
  /** Seconds between samples while playing. */
  interval: number;
  repeat?: number | undefined;
  tree?: boolean | undefined;
  sort: TopSort;
  ascii?: boolean | undefined;
  /** The columns before COMMAND; the default ones when absent (a column the recording lacks shows `-`). */
  columns?: readonly TopColumn[] | undefined;
}

const MINUTE = 60;

/**
 * Keys of the replay's own, by what they do; the view's keys (cursor, search, filter,
 * folding, sorting, help) work as in the live view.
 */
const STEPS: Record<string, "next" | "previous" | "forward" | "back" | "first" | "last"> = {
  "\x1b[C": "next",
  "\x1bOC": "next",
  ".": "next",
  "\x1b[D": "previous",
  "\x1bOD": "previous",
  ",": "previous",
  "]": "forward",
  "[": "back",
  "g": "first",
  "G": "last",
};

/** The selection of one sample, each process once. */
function selection(timeline: Timeline, query: string | undefined, subtree = true) {
  const compiled = query ? compileQuery(query) : null;
  return (ts: number): ProcessNode[] => {
    const { nodes, whole } = selectProcesses(compiled, timeline.forestAt(ts), subtree);
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
    const select = selection(timeline, plan.query, plan.subtree);
    const pageSize = Number(timeline.meta.page_size ?? 4096);
    const context = {
      pageSize,
      clockTicks: Number(timeline.meta.clock_ticks ?? 100),
      memoryBytes: Number(timeline.meta.physical_pages ?? 0) * pageSize,
      // an interval is at least what the recorded CPUs need for its CPU (model/cpu.ts)
      cpus: Number(timeline.meta.cpu_count) || undefined,
    };
    // births are told from entries as cpu_total tells them (model/cpu.ts)
    const bootAt = timeline.bootAt();
    // the rates of a sample come from the one before it, whichever way the user stepped
    const ratesAt = (i: number): ProcessRates[] => {
      const tracker = new RateTracker(context, { includeNew: true, bootAt });
      if (i > 0) tracker.next(select(times[i - 1]!), times[i - 1]! * 1000);
      return tracker.next(select(times[i]!), times[i]! * 1000);
    };
    if (!io.keys) {
      for (let block = 0; index < times.length; index++, block++) {
        if (plan.repeat !== undefined && block >= plan.repeat) break;
        if (io.stop.requested) break;
        const rates = ratesAt(index);
        const heading = `${formatLocalTime(times[index]!)}  sample ${index + 1}/${times.length}` +
          `  ${countLine(rates)}  ${totalCpu(rates)}`;
        io.write(batchBlock(heading, rates, plan));
      }
      return EXIT.ok;
    }
    return await live(
      plan,
      io,
      {
        get times() {
          return times;
        },
        machine: context,
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
  /** The recorded machine's memory and CPUs, for the header's bars. */
  readonly machine: { memoryBytes?: number | undefined; cpus?: number | undefined };
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
  for (let i = times.length - 1; i >= 0; i--) if (times[i]! <= t + 1e-6) return i;
  return EXIT.ok;
}

async function live(
  plan: ReplayPlan,
  io: TopIo,
  samples: Samples,
  position: () => number,
  moveTo: (index: number) => void,
): Promise<number> {
  const interaction = new Interaction({
    tree: Boolean(plan.tree),
    sort: plan.sort,
    columns: plan.columns ?? DEFAULT_TOP_COLUMNS,
    ascii: plan.ascii,
    signals: false,
  });
  // the replay plays until a step key says otherwise; Z (or space: a replay tags nothing)
  // pauses it as Z pauses top
  interaction.paused = false;
  let rates = samples.ratesAt(position());
  const go = (index: number) => {
    const bounded = Math.max(0, Math.min(samples.times.length - 1, index));
    if (bounded !== position()) {
      moveTo(bounded);
      rates = samples.ratesAt(bounded);
    }
  };
  await runScreen(
    io,
    plan.interval,
    interactiveView(interaction, {
      rates: () => rates,
      parts(width) {
        const i = position(), times = samples.times;
        const playing = !interaction.paused && i < times.length - 1;
        // what the replay is doing comes first: an 80-column terminal cuts the line's end
        return {
          status: [
            `replay ${formatLocalTime(times[i]!)}`,
            `sample ${i + 1}/${times.length}`,
            playing ? "PLAYING" : "",
            countLine(rates),
            totalCpu(rates),
            "←/→ sample  [/] minute  g/G first/last",
          ].filter(Boolean).join("  "),
          header: replayHeaderLines(rates, samples.machine, width),
        };
      },
      key(key) {
        const times = samples.times, i = position();
        const step = STEPS[key];
        if (step === "next" || step === "previous") {
          interaction.paused = true;
          go(i + (step === "next" ? 1 : -1));
        } else if (step === "forward") go(sampleAtOrAfter(times, times[i]! + MINUTE));
        else if (step === "back") go(sampleAtOrBefore(times, times[i]! - MINUTE));
        else if (step === "first") go(0);
        else if (step === "last") {
          samples.refresh();
          go(samples.times.length - 1);
        } else return "ignore";
        return "redraw";
      },
      tick() {
        if (position() >= samples.times.length - 1) samples.refresh(); // still being recorded?
        if (position() >= samples.times.length - 1) return false;
        go(position() + 1);
        return true;
      },
    }),
  );
  return EXIT.ok;
}
