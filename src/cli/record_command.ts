import { CommandError } from "./errors.ts";
import { LOG_LEVELS } from "./log.ts";
import { PyFloat } from "../text/python_format.ts";
import { parseDatabasePath, parsePositiveInt, parseSeconds } from "./options.ts";
import { counted, createProgress } from "./progress.ts";
import { REMOTE_WRITE_OPTIONS } from "./metrics_command.ts";
import { SHARED } from "./shared_options.ts";
import { SELECTION_OPTIONS, selectionOf } from "./selection_options.ts";
import { defineCommand, flag, negatedFlag, option } from "./spec.ts";

/** The remote writer of `record --remote-write` and the hook that feeds it each sample. */
async function remoteWriter(
  options: {
    remoteWrite?: string | undefined;
    remoteLabel: [string, string][];
    remoteGroup: string;
    procfs: import("../procfs/mod.ts").ProcRoot;
  },
  deps: import("./deps.ts").CliDeps,
) {
  const [{ Collector }, { RemoteWriter, toTimeSeries }] = await Promise.all([
    import("../metrics/collect.ts"),
    import("../metrics/remote_write.ts"),
  ]);
  const system = options.procfs.systemInfo();
  const collector = new Collector({
    groups: [{ name: options.remoteGroup, query: null }],
    perProcess: false,
    maxProcesses: 0,
    cmdline: false,
    redact: null,
    pageSize: system.pageSize,
    clockTicks: system.clockTicks,
    bootTime: NaN,
  });
  const writer = new RemoteWriter({
    url: options.remoteWrite!,
    maxQueued: 1000,
    warn: (m) => deps.log.warning(m),
  });
  const labels = Object.fromEntries(options.remoteLabel);
  return {
    writer,
    onSample(nodes: readonly import("../tree/types.ts").ProcessNode[], wallMs: number) {
      writer.push(toTimeSeries(collector.collect(nodes), labels, Math.round(wallMs)));
    },
  };
}

/** `procpath record`: the selection sampled into SQLite every interval. */
export const recordCommand = defineCommand({
  name: "record",
  summary: "Record the result of a JSONPath query into SQLite every interval.",
  playable: true,
  command: {
    name: "command",
    help: "a command to start and record with its whole tree until it exits " +
      "(procpath exits with its status)",
  },
  args: [{
    name: "query",
    help: "JSONPath selecting whole process nodes; all processes when absent",
  }],
  options: {
    procfileList: SHARED.procfileList,
    environment: {
      ...SHARED.environment,
      help:
        "NAME='shell command' substituting $NAME in the query, PID list and database path; repeatable",
    },
    databaseFile: option({
      flags: "-d, --database-file <database-file>",
      help: "SQLite database to record into",
      parse: parseDatabasePath,
      required: true,
    }),
    pidList: option({
      flags: "-p, --pid-list <pid-list>",
      help: "record only these processes' branches (comma-separated)",
      parse: (text: string) => text,
    }),
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
    interval: option({
      flags: "-i, --interval <interval>",
      help: "seconds between recordings",
      parse: parseSeconds,
      default: 10,
      dryRun: { value: (seconds) => new PyFloat(seconds) },
    }),
    recnum: option({
      flags: "-r, --recnum <recnum>",
      help: "number of recordings; endless when absent",
      parse: parsePositiveInt,
    }),
    reevalnum: option({
      flags: "-v, --reevalnum <reevalnum>",
      help: "re-evaluate the environment every N recordings",
      parse: parsePositiveInt,
    }),
    stopWithoutResult: flag(
      "--stop-without-result",
      "stop when an iteration records nothing",
      { value: Boolean },
    ),
    events: negatedFlag(
      "--no-events",
      "do not listen for process events (no process_event table: the processes that live " +
        "between samples go unnamed; CPU totals still count them)",
      { onlyWhenSet: true },
    ),
    ...SELECTION_OPTIONS,
    ...REMOTE_WRITE_OPTIONS,
  },
  examples: [
    "procpath record -i 1 -r 60 -d out.sqlite '$..children[?(@.stat.pid == 2610)]'",
    "procpath record -i 5 -f stat,cmdline,io -p 2610,2611 -d out.sqlite",
    "procpath record -i 1 -d build.sqlite -- make -j2",
    "procpath record -i 1 -d run.sqlite -p $PID --remote-write http://prometheus:9090/api/v1/write \\\n" +
    "    --remote-label job=ci --remote-label run=$CI_JOB_ID",
  ],
  /**
   * Records until `-r`, `--stop-without-result` or a stop signal (SIGINT, SIGTERM,
   * SIGHUP), then prints the summary line.
   */
  async run([query, command], options, { deps }) {
    const { recordSession } = await import("../record/session.ts");
    const selection = selectionOf(query as string | undefined, options);
    if (command !== undefined && !options.procfs.isLive) {
      throw new CommandError("record -- COMMAND records the live /proc, not --procfs");
    }
    const push = options.remoteWrite === undefined ? null : await remoteWriter(options, deps);
    {
      const { recorded: summary, treeLines, exitCode } = await recordSession(
        {
          ...options,
          query: selection.query,
          subtree: selection.subtree,
          emptyIsFailure: selection.shorthand ? selection.label : undefined,
        },
        command as string[] | undefined,
        {
          pid: deps.pid,
          now: deps.now,
          info: (m) => deps.log.info(m),
          warning: (m) => deps.log.warning(m),
          debug: (m) => deps.log.debug(m),
          progress: createProgress(deps.writeErr, deps.stderrIsTerminal),
          onSample: push?.onSample,
        },
      );
      // the final flush: what the receiver has not taken yet, for up to 10 s
      await push?.writer.flush(10_000);
      deps.log.info(
        `Recorded ${counted(summary.samples, "sample", true)}, ${
          counted(summary.rows, "row", true)
        } in ${summary.seconds.toFixed(1)}s into ${summary.path}${
          summary.empty > 0
            ? ` (${counted(summary.empty, "more sample", true)} selected nothing)`
            : ""
        }`,
      );
      // the tree's summary: always after a command, on a terminal after a plain
      // recording (a script reading stderr keeps the reference's one line)
      if (
        (command !== undefined || deps.stderrIsTerminal) &&
        LOG_LEVELS[deps.log.level] <= LOG_LEVELS.INFO
      ) {
        deps.writeErr(treeLines.join("\n") + "\n");
      }
      return exitCode;
    }
  },
});
