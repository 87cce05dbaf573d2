import { EXIT } from "../exit_codes.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import { CommandError } from "./errors.ts";
import { parseChoice, parsePidList } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { SELECTION_OPTIONS, selectionOf, selectLiveProcesses } from "./selection_options.ts";
import { defineCommand, option, OptionValueError } from "./spec.ts";

/** Parses `-w`: seconds, more than zero (a window of nothing measures nothing). */
function parseWindow(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new OptionValueError("expected a number of seconds, more than 0");
  }
  return value;
}

/** The JSON report of an inspection that found none of the processes asked for. */
function emptyReport(window: number, missing: number[]) {
  return {
    windowSeconds: 0,
    requestedSeconds: window,
    processes: [],
    findings: [],
    missing,
    sampler: { threads: 0, samples: 0, refused: null },
  };
}

/** `procpath inspect`: why a process is slow, without root. */
export const inspectCommand = defineCommand({
  name: "inspect",
  summary: "Watch processes and their threads for a short window and say why they are slow: " +
    "where each thread's time went (on a CPU, waiting for one, throttled, asleep by kind), " +
    "its hot functions (sampled with perf_event_open where the kernel allows), waits, " +
    "locks, pipes and sockets with the process at the other end, files, limits and " +
    "cgroups, as ranked findings.",
  args: [{
    name: "query",
    help: "JSONPath selecting whole process nodes (and their subtrees)",
  }],
  options: {
    pidList: option({
      flags: "-p, --pid-list <pid-list>",
      help: "inspect these processes and their subtrees (comma-separated)",
      parse: parsePidList,
    }),
    window: option({
      flags: "-w, --window <seconds>",
      help: "how long to watch",
      parse: parseWindow,
      default: 2,
    }),
    format: option({
      flags: "--format <format>",
      help: "text or json",
      parse: parseChoice(["text", "json"]) as (text: string) => "text" | "json",
      default: "text" as "text" | "json",
      defaultText: '"text"',
    }),
    ...SELECTION_OPTIONS,
    procfs: SHARED.procfs,
  },
  examples: [
    "procpath inspect -p 2610",
    "procpath inspect --name postgres",
    "procpath inspect -w 5 '$..children[?(@.stat.comm == \"postgres\")]'",
    "procpath inspect --format json -p 2610 | jq .findings",
  ],
  /** Selects, watches for the window, prints the report; exit 1 when nothing was selected. */
  async run([query], options, { deps }) {
    const [{ inspect }, { formatReport }, { inspectSelection }] = await Promise.all([
      import("../inspect/inspect.ts"),
      import("../inspect/format_report.ts"),
      import("../inspect/selection.ts"),
    ]);
    const selection = selectionOf(query as string | undefined, options);
    const queryText = selection.query;
    if (queryText === undefined && options.pidList === undefined) {
      throw new OptionValueError("name the processes: a JSONPath query, -p PID, --name or --match");
    }
    const nodes = await selectLiveProcesses(
      "inspect",
      queryText,
      { procfs: options.procfs, procfsTarget: "process" },
      deps,
      selection.subtree,
    );
    const { processes, absent } = inspectSelection(nodes, {
      pids: options.pidList,
      subtree: selection.subtree,
    });
    if (absent.length > 0 && processes.length === 0) {
      // JSON readers get a document all the same: nothing inspected, what was missing
      if (options.format === "json") {
        deps.writeOut(JSON.stringify(emptyReport(options.window, absent), null, 2) + "\n");
      }
      throw new CommandError(`No process ${absent.join(", ")}`);
    }
    if (absent.length > 0) deps.log.warning(`No process ${absent.join(", ")}: left out`);
    if (processes.length === 0) {
      throw new CommandError(
        selection.shorthand
          ? `No process matches ${selection.label}`
          : "No process to inspect: the query selects none",
      );
    }
    const system = options.procfs.systemInfo();
    const stop = listenForStop();
    try {
      const report = await inspect({
        root: options.procfs.path,
        processes,
        windowSeconds: options.window,
        pageSize: system.pageSize,
        clockTicks: system.clockTicks,
        cpus: system.cpuCount,
        absent,
      }, (ms) => stop.sleep(ms));
      const exited = report.missing.filter((pid) => !absent.includes(pid));
      if (exited.length > 0) {
        deps.log.warning(`Process ${exited.join(", ")} exited before the first look`);
      }
      if (report.processes.length === 0) {
        if (options.format === "json") deps.writeOut(JSON.stringify(report, null, 2) + "\n");
        throw new CommandError("No process to inspect: all exited");
      }
      deps.writeOut(
        options.format === "json"
          ? JSON.stringify(report, null, 2) + "\n"
          : formatReport(report).join("\n") + "\n",
      );
      return EXIT.ok;
    } finally {
      stop.dispose();
    }
  },
});
