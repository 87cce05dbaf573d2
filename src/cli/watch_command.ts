import { SIGNAL_NAMES } from "../shell/signal_names.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import { PyFloat } from "../text/python_format.ts";
import { collect, collectNamedQuery, parsePositiveInt, parseSeconds } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, flag, negatedFlag, option, OptionValueError } from "./spec.ts";
import {
  requireShorthandMatch,
  SELECTION_OPTIONS,
  selectionOf,
  withSelectionFiles,
} from "./selection_options.ts";

/** Parses `-s/--stop-signal`: a signal name such as `SIGINT` or `SIGTERM`. */
export function parseSignal(text: string): Deno.Signal {
  if (!SIGNAL_NAMES.includes(text)) {
    throw new OptionValueError(`expected a signal name such as SIGINT, SIGTERM or SIGKILL`);
  }
  return text as Deno.Signal;
}

/** The variable a selection shorthand (`--name`, `--match`, `--pid`) fills in `watch`. */
const SHORTHAND_QUERY = "PIDS";

/** `procpath watch`: shell commands fed by queries, restarted every interval, stopped cleanly. */
export const watchCommand = defineCommand({
  name: "watch",
  summary:
    "Run shell commands, restarting them every interval, with variables from JSONPath queries.",
  playable: true,
  args: [],
  options: {
    environment: {
      ...SHARED.environment,
      help: "NAME='shell command', evaluated every iteration; repeatable",
    },
    query: option({
      flags: "-q, --query <query>",
      help: "NAME=JSONPath; the results joined by commas become $NAME; repeatable",
      parse: collectNamedQuery,
      default: [] as { name: string; query: string }[],
      repeatable: true,
      dryRun: {
        name: "query_list",
        value: (list) => (list.length > 0 ? list.map((q) => [q.name, q.query]) : null),
      },
    }),
    command: option({
      flags: "-c, --command <command>",
      help:
        "shell command; it sees $WPS1, $WPS2, … (the PIDs of the shells started before it); repeatable",
      parse: collect,
      default: [] as string[],
      required: true,
      repeatable: true,
      dryRun: { name: "command_list" },
    }),
    interval: option({
      flags: "-i, --interval <interval>",
      help: "seconds between iterations",
      parse: parseSeconds,
      required: true,
      dryRun: { value: (seconds) => new PyFloat(seconds) },
    }),
    repeat: option({
      flags: "-r, --repeat <repeat>",
      help: "number of iterations; endless when absent",
      parse: parsePositiveInt,
    }),
    restart: negatedFlag(
      "--no-restart",
      "start the commands once, stop when all have exited, exit with the first failing status",
      { value: (restart) => !restart },
    ),
    fanOut: option({
      flags: "--fan-out <name>",
      help: "run the commands once per result of the -q query NAME, with $NAME that one result",
      parse: (text: string) => text,
      dryRun: { onlyWhenSet: true },
    }),
    skipEmpty: flag(
      "--skip-empty",
      "do not start a command while a variable it uses is empty",
      { onlyWhenSet: true },
    ),
    stopSignal: option({
      flags: "-s, --stop-signal <stop-signal>",
      help: "signal that stops the commands' process groups",
      parse: parseSignal,
      default: "SIGINT" as Deno.Signal,
      defaultText: '"SIGINT"',
    }),
    killAfter: option({
      flags: "--kill-after <kill-after>",
      help: "seconds to wait after the stop signal before SIGKILL",
      parse: parseSeconds,
      default: 10,
      dryRun: { value: (seconds) => new PyFloat(seconds) },
    }),
    ...SELECTION_OPTIONS,
    procfileList: { ...SHARED.procfileList, help: "procfiles for the queries" },
    procfs: { ...SHARED.procfs, help: "procfs root for the queries" },
    procfsTarget: SHARED.procfsTarget,
  },
  examples: [
    "procpath watch --no-restart -i 1 -c 'pytest' -c 'procpath record -d run.sqlite -i 1 \\\n" +
    "    --stop-without-result -p $WPS1'",
    "procpath watch -i 60 -q P='$..children[?(@.stat.comm == \"nginx\")].stat.pid' \\\n" +
    "    --fan-out P --skip-empty -c 'py-spy dump --pid $P'",
    "procpath watch -i 60 --name nginx --no-subtree --fan-out PIDS -c 'py-spy dump --pid $PIDS'",
  ],
  /** Watches until `-r`, a stop signal or an error; see `watch()` for the exit status. */
  async run(_args, options, { deps }) {
    const { watch } = await import("../watch/watch.ts");
    // a shorthand is one more query, PIDS: the selected processes' PIDs (and their subtrees')
    const selection = selectionOf(undefined, options);
    if (selection.shorthand && options.query.some((q) => q.name === SHORTHAND_QUERY)) {
      throw new OptionValueError(
        `a shorthand fills $${SHORTHAND_QUERY}: -q ${SHORTHAND_QUERY} is given too`,
      );
    }
    if (selection.shorthand) {
      await requireShorthandMatch(selection, options, deps);
    }
    const query = selection.shorthand
      ? [...options.query, {
        name: SHORTHAND_QUERY,
        query: `${selection.query}${selection.subtree ? "..stat.pid" : ".stat.pid"}`,
        distinct: true,
      }]
      : options.query;
    const stop = listenForStop();
    try {
      return await watch({
        ...options,
        procfileList: withSelectionFiles(options.procfileList, selection),
        query,
      }, {
        pid: deps.pid,
        live: deps.live,
        info: (m) => deps.log.info(m),
        warning: (m) => deps.log.warning(m),
        debug: (m) => deps.log.debug(m),
        stop,
      });
    } finally {
      stop.dispose();
    }
  },
});
