import { displayCommand, UNNAMED } from "../model/process.ts";
import { compileQuery, selectProcesses } from "../query/mod.ts";
import { openTimeline } from "../store/timeline.ts";
import { iso, MomentError, resolveMoment } from "../time/moment.ts";
import type { Moment } from "../time/moment.ts";
import { bornAfter } from "../model/cpu.ts";
import { diffSamples } from "./diff_samples.ts";
import type { DiffChange, DiffProcess, SampleDiff } from "./diff_samples.ts";
import { oneLine } from "../text/visible.ts";

/** A diff of a recording, with the samples it compares. */
export interface RecordingDiff extends SampleDiff {
  from: { ts: string; sample: number };
  to: { ts: string; sample: number };
  samples: number;
  /** Rows per list. */
  limit: number;
  /**
   * From the `process_event` table: processes started and exited in the window, and
   * the commands started, most first; `null` for a recording made without it.
   */
  events: {
    started: number;
    exited: number;
    /** Of the exits, those of processes the earlier sample held (listed as exited above). */
    exitedSampled: number;
    commands: { command: string; count: number }[];
  } | null;
}

/**
 * Compares the samples of `path` at or before `from` and `to` (the selection of
 * `query` at each). Throws `RecordingError`, `MomentError` or a query's error.
 */
export function diffRecording(
  path: string,
  from: Moment,
  to: Moment,
  options: { query?: string | undefined; limit: number },
): RecordingDiff {
  const timeline = openTimeline(path);
  try {
    const times = timeline.times();
    const a = resolveMoment(from, times), b = resolveMoment(to, times);
    if (b.ts < a.ts) throw new MomentError(`--to (${iso(b.ts)}) is before --from (${iso(a.ts)})`);
    const compiled = options.query ? compileQuery(options.query) : null;
    const select = (ts: number) => {
      const { nodes, whole } = selectProcesses(compiled, timeline.forestAt(ts));
      if (!whole) {
        throw new MomentError(
          `Cannot compare "${options.query}": the JSONPath must select whole process nodes`,
        );
      }
      return nodes;
    };
    const clockTicks = Number(timeline.meta.clock_ticks ?? 100);
    const diff = diffSamples(select(a.ts), select(b.ts), b.ts - a.ts, {
      pageSize: Number(timeline.meta.page_size ?? 4096),
      clockTicks,
      bornAfter: bornAfter(a.ts, { clockTicks, bootAt: timeline.bootAt() }),
    }, options.limit);
    const rows = timeline.eventsBetween(a.ts, b.ts);
    let events: RecordingDiff["events"] = null;
    if (rows !== null) {
      const counts = new Map<string, number>();
      // an exec read too late has no name: its exit's (read from the zombie) may have one
      const exitComm = new Map<number, string>();
      for (const row of rows) if (row.kind === "exit" && row.comm) exitComm.set(row.pid, row.comm);
      for (const row of rows) {
        if (row.kind !== "exec") continue;
        const comm = row.comm ?? exitComm.get(row.pid) ?? null;
        const command = row.cmdline === null && comm === null
          ? UNNAMED
          : displayCommand(row.cmdline, comm);
        counts.set(command, (counts.get(command) ?? 0) + 1);
      }
      const gonePids = new Set(diff.disappeared.map((p) => p.pid));
      events = {
        started: rows.filter((r) => r.kind === "fork").length,
        exited: rows.filter((r) => r.kind === "exit").length,
        exitedSampled: rows.filter((r) => r.kind === "exit" && gonePids.has(r.pid)).length,
        commands: [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .slice(0, options.limit).map(([command, count]) => ({ command, count })),
      };
    }
    return {
      events,
      from: { ts: iso(a.ts), sample: a.index + 1 },
      to: { ts: iso(b.ts), sample: b.index + 1 },
      samples: times.length,
      limit: options.limit,
      ...diff,
    };
  } finally {
    timeline.close();
  }
}

const mib = (v: number | null) => (v === null ? "-" : v.toFixed(1));
const signed = (v: number) => `${v > 0 ? "+" : ""}${v.toFixed(1)}`;

/**
 * Aligns rows of cells into columns under a header, numbers right; a control character
 * in a cell (a newline in a command line) is shown as `\xHH`, so a row stays one line.
 */
function table(header: string[], given: string[][], numeric: boolean[]): string[] {
  const rows = given.map((row) => row.map(oneLine));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    "  " +
    cells.map((c, i) =>
      i === cells.length - 1 ? c : numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)
    ).join("  ");
  return [line(header), ...rows.map(line)];
}

function processList(title: string, list: readonly DiffProcess[], limit: number): string[] {
  if (list.length === 0) return [`${title}: none`];
  const shown = list.slice(0, limit);
  return [
    `${title}: ${list.length} process${list.length === 1 ? "" : "es"}`,
    ...table(
      ["PID", "PPID", "COMMAND"],
      shown.map((p) => [String(p.pid), String(p.ppid), p.command]),
      [true, true, false],
    ),
    ...(list.length > shown.length ? [`  … and ${list.length - shown.length} more`] : []),
  ];
}

function changes(
  title: string,
  list: readonly DiffChange[],
  kind: "rss" | "cpu",
  subtree: boolean,
) {
  if (list.length === 0) return [`${title}: no change`];
  const header = kind === "rss"
    ? ["PID", ...(subtree ? ["PROCS"] : []), "BEFORE_MIB", "AFTER_MIB", "CHANGE_MIB", "COMMAND"]
    : ["PID", ...(subtree ? ["PROCS"] : []), "CPU_S", "CPU%", "COMMAND"];
  const rows = list.map((c) => [
    String(c.pid),
    ...(subtree ? [String(c.processes)] : []),
    ...(kind === "rss"
      ? [mib(c.rssBefore), mib(c.rssAfter), signed(c.rssChange)]
      : [c.cpuSeconds.toFixed(2), c.cpuPercent.toFixed(1)]),
    c.command,
  ]);
  return [title, ...table(header, rows, header.map((h) => h !== "COMMAND"))];
}

/** The diff as a person reads it. */
export function formatDiff(diff: RecordingDiff): string[] {
  const limit = diff.limit;
  return [
    `${diff.from.ts} → ${diff.to.ts} UTC: ${
      diff.seconds.toFixed(1)
    } s, samples ${diff.from.sample}` +
    ` and ${diff.to.sample} of ${diff.samples}`,
    "",
    ...processList("appeared", diff.appeared, limit),
    "",
    ...processList("exited", diff.disappeared, limit),
    ...(diff.events === null ? [] : [
      "",
      `process events in between: ${diff.events.started} started, ${diff.events.exited} exited` +
      (diff.events.exitedSampled > 0
        ? ` (${diff.events.exitedSampled} of them listed as exited above)`
        : ""),
      ...(diff.events.commands.length === 0 ? [] : table(
        ["EXECS", "PROGRAM RUN"],
        diff.events.commands.map((c) => [String(c.count), c.command]),
        [true, false],
      )),
    ]),
    "",
    ...changes("memory (RSS) by process, biggest change first", diff.rssByProcess, "rss", false),
    "",
    ...changes("memory (RSS) by subtree", diff.rssBySubtree, "rss", true),
    "",
    ...changes("CPU time used by process", diff.cpuByProcess, "cpu", false),
    "",
    ...changes(
      "CPU time used by subtree, exited children included",
      diff.cpuBySubtree,
      "cpu",
      true,
    ),
  ];
}
