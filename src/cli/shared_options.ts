import { LIVE_PROCFS, liveRoot } from "../procfs/mod.ts";
import { PROC_FILE_NAMES } from "../procfs/types.ts";
import type { EnvironmentSpec } from "../shell/mod.ts";
import {
  collectEnvironment,
  DEFAULT_PROCFILES,
  parseMomentOption,
  parsePositiveInt,
  parseProcfileList,
  parseProcRoot,
  parseTarget,
} from "./options.ts";
import { option } from "./spec.ts";

/** `-e` as the reference's kwargs show it: pairs, or `null` when none. */
const environmentKwarg = (list: EnvironmentSpec[]) =>
  list.length > 0 ? list.map((e) => [e.name, e.command]) : null;

/**
 * The options several commands share, declared once; a command may give one its own
 * help text (`{ ...SHARED.environment, help: "…" }`).
 */
export const SHARED = {
  procfileList: option({
    flags: "-f, --procfile-list <procfile-list>",
    help: `procfiles to read: ${PROC_FILE_NAMES.join(", ")}`,
    parse: parseProcfileList,
    default: parseProcfileList(DEFAULT_PROCFILES),
    defaultText: DEFAULT_PROCFILES,
  }),
  environment: option({
    flags: "-e, --environment <environment>",
    help: "NAME='shell command' whose output substitutes $NAME in the queries; repeatable",
    parse: collectEnvironment,
    default: [] as EnvironmentSpec[],
    repeatable: true,
    dryRun: { value: environmentKwarg },
  }),
  procfs: option({
    flags: "--procfs <procfs>",
    help: "procfs root to read",
    parse: parseProcRoot,
    default: liveRoot(),
    defaultText: JSON.stringify(LIVE_PROCFS),
    dryRun: { value: (root) => root.given },
  }),
  /** The recording `plot` and `diff` read. */
  recordingFile: option({
    flags: "-d, --database-file <database-file>",
    help: "SQLite database made by procpath record",
    parse: (text: string) => text,
    required: true,
  }),
  /** `--run`: which run of a recording `report` and `export` read. */
  recordingRun: option({
    flags: "--run <n>",
    help: "which run of a recording that holds several (record -d appended to it), from 1",
    parse: parsePositiveInt,
  }),
  /** `-o`: where `report` and `export` write, by the output-path rules. */
  artifactOutput: option({
    flags: "-o, --output <file>",
    help: "where to write (- for standard output)",
    parse: (text: string) => text,
    default: "-",
    defaultText: "-",
  }),
  /** `--at`: which sample of a recording `query` and `top` read. */
  at: (help: string) =>
    option({
      flags: "--at <moment>",
      help,
      parse: parseMomentOption,
      dryRun: { onlyWhenSet: true, value: () => "moment" },
    }),
  procfsTarget: option({
    flags: "--procfs-target <procfs-target>",
    help: "process or thread",
    parse: parseTarget,
    default: "process" as const as "process" | "thread",
    defaultText: '"process"',
  }),
};
