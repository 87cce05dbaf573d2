import type { KernelUnits } from "../model/process.ts";
import type { ProcFileName } from "../procfs/mod.ts";
import { openTimeline } from "../store/timeline.ts";
import type { Timeline } from "../store/timeline.ts";
import { iso, resolveMoment } from "../time/moment.ts";
import type { Moment } from "../time/moment.ts";
import type { ProcessNode } from "../tree/mod.ts";

/** One sample of a recording, as a snapshot of the live `/proc` would give it. */
/** Bytes per page and clock ticks per second are the recorded machine's. */
export interface RecordedSnapshot extends KernelUnits {
  roots: ProcessNode[];
  /** The procfiles the nodes carry. */
  files: readonly ProcFileName[];
  /** The sample's time, unix seconds. */
  ts: number;
  meta: Readonly<Record<string, string>>;
  /** Which sample the moment chose, when it was not the moment itself (for stderr). */
  notice: string | null;
}

/**
 * Reads the sample of `path` at or before `moment`. Throws `RecordingError` for a
 * file that is not a recording, `MomentError` for a moment outside it.
 */
export function readRecordedSnapshot(path: string, moment: Moment): RecordedSnapshot {
  const timeline = openTimeline(path);
  try {
    return snapshotAt(timeline, moment);
  } finally {
    timeline.close();
  }
}

/** {@link readRecordedSnapshot} on an open timeline. */
function snapshotAt(timeline: Timeline, moment: Moment): RecordedSnapshot {
  const times = timeline.times();
  const { ts, index, at } = resolveMoment(moment, times);
  const exact = Math.abs(at - ts) < 1e-6;
  return {
    roots: timeline.forestAt(ts),
    files: timeline.files,
    ts,
    meta: timeline.meta,
    pageSize: Number(timeline.meta.page_size ?? 4096),
    clockTicks: Number(timeline.meta.clock_ticks ?? 100),
    notice: exact && moment.kind !== "clock" && moment.kind !== "offset"
      ? null
      : `sample ${index + 1} of ${times.length}, at ${iso(ts)} UTC` +
        (exact ? "" : ` (${(at - ts).toFixed(1)} s before ${iso(at)})`),
  };
}
