import { optionParser } from "./options.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import { parseChoice, parsePositiveInt } from "./options.ts";
import { SHARED } from "./shared_options.ts";
import { terminalSize } from "./terminal.ts";
import { defineCommand, flag, option, OptionValueError } from "./spec.ts";
import { COLUMN_NAMES, parseTopColumns } from "../top/render.ts";
import { ANCESTORS_OPTION, SELECTION_OPTIONS, selectionOf } from "./selection_options.ts";

/** Parses `-i` of `top`: seconds, more than zero (a zero interval would spin). */
function parseRefresh(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    throw new OptionValueError("expected a number of seconds, more than 0");
  }
  return value;
}

/** Key presses from a terminal in raw mode: a character, or a whole escape sequence (arrows). */
async function* keyPresses(): AsyncGenerator<string> {
  const buffer = new Uint8Array(64);
  const decoder = new TextDecoder();
  while (true) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) return;
    const text = decoder.decode(buffer.subarray(0, n));
    // CSI sequences: ESC [ parameters, then a final letter or ~
    // deno-lint-ignore no-control-regex -- escape sequences are what this reads
    for (const [key] of text.matchAll(/\x1b\[[0-9;]*[A-Za-z~]|\x1bO[A-Za-z]|[\s\S]/gu)) yield key;
  }
}

/** `procpath top`: a live view of the selected processes, or pidstat-like blocks in batch mode. */
export const topCommand = defineCommand({
  name: "top",
  summary: "Show the selected processes live: CPU %, memory, threads and disk I/O rates.",
  args: [{
    name: "query",
    help: "JSONPath selecting whole process nodes; all processes when absent",
  }],
  options: {
    interval: option({
      flags: "-i, --interval <interval>",
      help: "seconds between refreshes",
      parse: parseRefresh,
      default: 2,
    }),
    repeat: option({
      flags: "-r, --repeat <repeat>",
      help: "blocks to print in batch mode; endless when absent",
      parse: parsePositiveInt,
    }),
    batch: flag(
      "-b, --batch",
      "print a timestamped block per interval (the default off a terminal)",
    ),
    tree: flag("-t, --tree", "start in the tree view"),
    sort: option({
      flags: "-s, --sort <sort>",
      help: "the column to sort by: any of --columns' names, or command (< and > change it live)",
      parse: parseChoice([...COLUMN_NAMES, "command"]),
      default: "cpu",
      defaultText: '"cpu"',
    }),
    ascii: flag("--ascii", "tree branches in ASCII"),
    ...SELECTION_OPTIONS,
    ancestors: ANCESTORS_OPTION,
    columns: option({
      flags: "--columns <columns>",
      help: `columns before COMMAND: ${COLUMN_NAMES.join(",")} ` +
        "(user reads status, runq schedstat, wchan wchan; C chooses them live)",
      parse: optionParser(parseTopColumns),
      defaultText: '"pid,usr,sys,cpu,rss,thr,read,write"',
    }),
    procfs: SHARED.procfs,
    procfsTarget: SHARED.procfsTarget,
    recording: option({
      flags: "--recording <file>",
      help: "replay a recording made by procpath record: step with ←/→ (a sample), [/] " +
        "(a minute), g/G (first, last), play or pause with space; h lists the other keys",
      parse: (text: string) => text,
    }),
    at: SHARED.at(
      "where the replay starts: first (default), last, YYYY-MM-DDTHH:MM:SS (UTC), " +
        "HH:MM[:SS] (local), -10m, +90s",
    ),
  },
  examples: [
    "procpath top '$..children[?(@.stat.pid == 2610)]'",
    "procpath top -b -i 1 -r 10 '$..children[?(@.stat.pid == 2610)]'   # pidstat -p 2610 1 10",
    "procpath top --recording out.sqlite --at 03:00 --tree",
    "procpath top --columns pid,state,cpu,exited,runq,wchan,mem '$..children[?(@.stat.pid == 2610)]'",
  ],
  /** Runs the view until q, Ctrl+C or the end of `-r`, restoring the terminal. */
  async run([query], options, { deps }) {
    const { top } = await import("../top/top.ts");
    if (options.recording === undefined && options.at !== undefined) {
      throw new OptionValueError("--at reads a recording: add --recording FILE");
    }
    const interactive = !options.batch && deps.stdoutIsTerminal && Deno.stdin.isTerminal();
    const stop = listenForStop();
    if (interactive) Deno.stdin.setRaw(true);
    try {
      const selection = selectionOf(query as string | undefined, options);
      return await top({
        ...options,
        query: selection.query,
        subtree: selection.subtree,
        // the chain is drawn in the tree view
        tree: options.tree || options.ancestors,
        emptyIsFailure: selection.shorthand ? selection.label : undefined,
        procfiles: selection.procfiles,
        batch: !interactive,
      }, {
        pid: deps.pid,
        write: deps.writeOut,
        now: deps.now,
        stop,
        size: () => terminalSize() ?? { columns: 80, rows: 24 },
        keys: interactive ? keyPresses() : null,
        onResize(listener) {
          if (!interactive) return () => {};
          Deno.addSignalListener("SIGWINCH", listener);
          return () => Deno.removeSignalListener("SIGWINCH", listener);
        },
      });
    } finally {
      if (interactive) Deno.stdin.setRaw(false);
      stop.dispose();
    }
  },
});
