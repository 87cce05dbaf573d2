/**
 * Recording what happens between samples: the process-events connector feeding an
 * `EventTracker`, with the events' monotonic stamps turned into unix time. Where the
 * kernel refuses the subscription (a container; a user other than root, on a kernel
 * that keeps the connector to root, as Linux 6.18 here does) it says why in one line
 * and the recording goes on without the table.
 *
 * @module
 */
import { listenProcEvents } from "../kernel/proc_events.ts";
import type { ListenerEnd } from "../kernel/proc_events.ts";
import { monotonicNs } from "../kernel/libc.ts";
import { parseAuxv } from "../procfs/mod.ts";
import type { ProcReader } from "../procfs/mod.ts";
import type { ProcessEventRow } from "../store/mod.ts";
import { EventTracker } from "./event_tracker.ts";
import type { EventTrackerHooks } from "./event_tracker.ts";

/** What `record` needs of an event source. */
export interface EventSource {
  /** The `meta` description of the `process_event` table. */
  readonly description: string;
  /** Tracks the processes of a stored sample (their forks, execs and exits follow). */
  track(pids: Iterable<number>): void;
  /** The rows since the last call. */
  drain(): ProcessEventRow[];
  /** Processes started in the tracked subtrees so far. */
  readonly started: number;
  /** Stops listening; returns how the listener went (see {@link listenerWarnings}). */
  stop(): Promise<ListenerEnd>;
}

export type { ListenerEnd };

/**
 * The warnings a listener's end calls for: events the kernel dropped (it says how often
 * a socket overflowed, not how many events each time), and a listener that stopped early.
 */
export function listenerWarnings(end: ListenerEnd): string[] {
  const warnings: string[] = [];
  if (end.overruns > 0) {
    const times = end.overruns === 1 ? "once" : `${end.overruns} times`;
    warnings.push(
      `The kernel dropped process events (its socket overflowed ${times}: procpath read ` +
        "them too slowly); some processes that lived between samples are missing from " +
        "process_event",
    );
  }
  if (end.failure !== null) {
    warnings.push(
      `Process events stopped before the recording did (${end.failure}); later ones are ` +
        "missing from process_event",
    );
  }
  return warnings;
}

/** Clock ticks a second of this host (taskstats' µs become `stat`'s ticks), 100 if unknown. */
function hostClockTicks(): number {
  try {
    return parseAuxv(Deno.readFileSync("/proc/self/auxv")).clockTicks ?? 100;
  } catch {
    return 100;
  }
}

/**
 * Starts listening for the tracked processes' events (every process's with `all`);
 * resolves to the source, or to the reason the connector cannot be used.
 */
export async function startEventSource(
  reader: ProcReader,
  options: { all: boolean; now: () => number } & EventTrackerHooks,
): Promise<EventSource | string> {
  const mono = monotonicNs();
  if (mono === null) return "libc cannot be reached through Deno's FFI";
  // an event's unix time: the wall clock now less how long ago, by the monotonic clock
  const wallAtMono = options.now() / 1000;
  const clock = (ns: bigint) => wallAtMono - Number(mono - ns) / 1e9;
  const tracker = new EventTracker(reader, clock, options.all, options, hostClockTicks());
  const listener = await listenProcEvents((event) => tracker.take(event));
  if (typeof listener === "string") return listener;
  return {
    // the one line that says whether exits' figures are the kernel's (it is in `meta`)
    description: "fork, exec and exit of the recorded processes between samples " +
      "(the kernel's process-events connector" +
      (listener.taskstats === null
        ? "; exits' CPU from the kernel's taskstats)"
        : `; exits' CPU from their zombies where read: ${listener.taskstats})`),
    track: (pids) => tracker.track(pids),
    drain: () => tracker.drain(),
    get started() {
      return tracker.started;
    },
    stop: () => listener.stop(),
  };
}
