import { optionParser } from "./options.ts";
import { EXIT } from "../exit_codes.ts";
import type { Group } from "../metrics/collect.ts";
import { parsePositiveInt } from "./options.ts";
import { bindOption, portOption, serveUntilStopped } from "./serving.ts";
import { SHARED } from "./shared_options.ts";
import { defineCommand, flag, option, OptionValueError } from "./spec.ts";
import {
  groupNameOf,
  requireShorthandMatch,
  SELECTION_OPTIONS,
  selectionOf,
  withSelectionFiles,
} from "./selection_options.ts";

/** A `-g NAME=JSONPATH` before compiling: the name and the query text. */
export interface GroupText {
  name: string;
  query: string;
}

/** Parses one `-g NAME=JSONPATH` (a bare `NAME` is every process). */
function collectGroup(text: string, previous: GroupText[]): GroupText[] {
  const eq = text.indexOf("=");
  const name = eq < 0 ? text : text.slice(0, eq);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new OptionValueError("expected NAME=JSONPATH with a name of letters, digits, _ . -");
  }
  if (previous.some((g) => g.name === name)) {
    throw new OptionValueError(`group ${name} is given twice`);
  }
  return [...previous, { name, query: eq < 0 ? "" : text.slice(eq + 1) }];
}

/** A group's text with whether its processes' subtrees belong to it (`--no-subtree`). */
type GroupSpec = GroupText & { subtree?: boolean };

/** Compiles the groups (the default: one group `all` of every process). */
export async function compileGroups(groups: readonly GroupSpec[]): Promise<Group[]> {
  const { compileQuery } = await import("../query/mod.ts");
  const given = groups.length > 0 ? groups : [{ name: "all", query: "" }];
  return given.map((g) => ({
    name: g.name,
    query: g.query ? compileQuery(g.query) : null,
    ...("subtree" in g && g.subtree === false ? { subtree: false } : {}),
  }));
}

/** The `-g` option, shared by `metrics` and `backfill`. */
export const groupOption = option({
  flags: "-g, --group <group>",
  help: "NAME=JSONPATH: a group of the processes the JSONPath selects and what runs below " +
    "them; repeatable; one group `all` of every process when absent",
  parse: collectGroup,
  default: [] as GroupText[],
  repeatable: true,
});

/** Parses `--redact`: a regular expression whose matches in command lines become `***`. */
const parseRedact = optionParser((text: string) => new RegExp(text, "g"));

/** `procpath metrics`: a Prometheus endpoint of process-tree groups, read at each scrape. */
export const metricsCommand = defineCommand({
  name: "metrics",
  summary: "Serve Prometheus metrics (OpenMetrics) of process-tree groups selected by JSONPath, " +
    "read from /proc at each scrape.",
  args: [],
  options: {
    group: groupOption,
    bind: bindOption,
    port: portOption(9800),
    procfileList: {
      ...SHARED.procfileList,
      help: "procfiles to read at each scrape: stat (always), io (read and written bytes), " +
        "fd (open files); each doubles the scrape's reads",
      default: ["stat"],
      defaultText: "stat",
    },
    perProcess: flag("--per-process", "also one series per process (pid and comm labels)"),
    maxProcesses: option({
      flags: "--max-processes <count>",
      help: "per-process series per group, the largest by RSS; the rest are counted",
      parse: parsePositiveInt,
      default: 100,
    }),
    ...SELECTION_OPTIONS,
    cmdline: flag("--cmdline", "command lines on procpath_process_info (they may hold secrets)"),
    redact: option({
      flags: "--redact <regex>",
      help: "replace what matches in command lines with ***; repeatable",
      parse: (text: string, previous: RegExp[]) => [...previous, parseRedact(text)],
      default: [] as RegExp[],
      repeatable: true,
    }),
    procfs: SHARED.procfs,
  },
  examples: [
    "procpath metrics -g web='$..children[?(@.stat.pid == 2610)]' -g db='$..children[?(@.stat.comm == \"postgres\")]'",
    "procpath metrics -p 9800 --per-process --max-processes 50 -g all",
    "procpath metrics --name postgres   # one group, postgres, of every postgres and its children",
  ],
  /** Serves `/metrics` until Ctrl+C. */
  async run(_args, options, { deps }) {
    // a shorthand adds one group, named for what it selects
    const selection = selectionOf(undefined, options);
    const shorthand: GroupSpec[] = selection.shorthand
      ? [{ name: groupNameOf(options), query: selection.query!, subtree: selection.subtree }]
      : [];
    if (shorthand.length > 0 && options.group.some((g) => g.name === shorthand[0]!.name)) {
      throw new OptionValueError(`group ${shorthand[0]!.name} is given twice`);
    }
    await requireShorthandMatch(
      selection,
      { procfs: options.procfs, procfsTarget: "process" },
      deps,
    );
    const [{ serveMetrics }, groups] = await Promise.all([
      import("../metrics/serve_metrics.ts"),
      compileGroups([...options.group, ...shorthand]),
    ]);
    const files = withSelectionFiles(
      ["stat", ...options.procfileList] as typeof options.procfileList,
      selection,
    );
    return await serveUntilStopped(
      deps,
      { bind: options.bind, port: options.port, exposes: "reads the process metrics" },
      () =>
        serveMetrics({
          hostname: options.bind,
          port: options.port,
          procfs: options.procfs,
          files,
          pid: deps.pid,
          collect: {
            groups,
            perProcess: Boolean(options.perProcess),
            maxProcesses: options.maxProcesses,
            cmdline: Boolean(options.cmdline),
            redact: options.redact.length > 0
              ? new RegExp(options.redact.map((r) => `(?:${r.source})`).join("|"), "g")
              : null,
          },
        }),
      (server) =>
        deps.log.info(
          `Serving metrics of ${groups.map((g) => g.name).join(", ")} at ${server.url}`,
        ),
    );
  },
});

/** `procpath backfill`: a recording as OpenMetrics text for promtool. */
export const backfillCommand = defineCommand({
  name: "backfill",
  summary: "Write a recording's group metrics as OpenMetrics text with timestamps, for " +
    "promtool tsdb create-blocks-from openmetrics.",
  args: [],
  options: {
    databaseFile: SHARED.recordingFile,
    group: groupOption,
    output: option({
      flags: "-o, --output <file>",
      help: "file to write instead of standard output",
      parse: (text: string) => text,
    }),
  },
  examples: [
    "procpath backfill -d out.sqlite -g web='$..children[?(@.stat.pid == 2610)]' -o web.om",
    "promtool tsdb create-blocks-from openmetrics web.om /var/lib/prometheus/metrics2",
  ],
  /** Streams the export; memory stays that of one sample. */
  async run(_args, options, { deps }) {
    const [{ backfill }, { openOutput }, groups] = await Promise.all([
      import("../metrics/backfill.ts"),
      import("../files/output_file.ts"),
      compileGroups(options.group),
    ]);
    const output = openOutput(options.output ?? "-", deps.writeOut);
    let written: { samples: number; points: number };
    try {
      written = await backfill(options.databaseFile, groups, output);
      output.commit();
    } catch (error) {
      output.abort();
      throw error;
    }
    deps.log.info(
      `Wrote ${written.samples} samples (${written.points} points) of ${
        groups.map((g) => g.name).join(", ")
      }`,
    );
    return EXIT.ok;
  },
});
