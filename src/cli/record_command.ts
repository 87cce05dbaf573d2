import { CommandError } from "./errors.ts";
import { LOG_LEVELS } from "./log.ts";
import { PyFloat } from "../text/python_format.ts";
import { parseDatabasePath, parsePositiveInt, parseSeconds } from "./options.ts";
import { counted, createProgress } from "./progress.ts";
import { REMOTE_WRITE_OPTIONS } from "./remote_write_options.ts";
import { SHARED } from "./shared_options.ts";
import { startRemoteFeed } from "../metrics/remote_feed.ts";
import { SELECTION_OPTIONS, selectionOf, withSelectionFiles } from "./selection_options.ts";
import { defineCommand, flag, negatedFlag, option } from "./spec.ts";

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
    compact: flag(
      "--compact",
      "store only what changed between samples (record stays a view of the same rows; " +
        "appending needs the layout the database has)",
      { onlyWhenSet: true },
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
    const push = options.remoteWrite === undefined ? null : await startRemoteFeed({
      url: options.remoteWrite,
      labels: Object.fromEntries(options.remoteLabel),
      group: options.remoteGroup,
      units: options.procfs.systemInfo(),
      warn: (m) => deps.log.warning(m),
    });
    {
      const { recorded: summary, treeLines, exitCode } = await recordSession(
        {
          ...options,
          procfileList: withSelectionFiles(options.procfileList, selection),
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
      if (push && push.writer.queued > 0) {
        deps.log.info(
          `remote write: waiting up to 10 s for the receiver to take the ${
            counted(push.writer.queued, "sample", true)
          } still queued`,
        );
      }
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
