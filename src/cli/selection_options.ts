/**
 * Shorthands for everyday selections, shared by `query`, `top`, `record`, `watch`,
 * `metrics` and `inspect`: `--pid PIDS`, `--name NAME` (as `pidof`) and `--match REGEX`
 * (as `pgrep -f`), each with the processes' subtrees unless `--no-subtree`, and
 * `-u/--user NAME|UID` (as `pgrep -u`: the effective user), alone or narrowing another
 * shorthand as `pgrep -u nobody sleep` does. Each expands
 * to the JSONPath its help shows, so the engine stays one; a shorthand that selects
 * nothing exits 1, as `pgrep` and `pidof` do (a plain JSONPath keeps the reference's
 * exit 0). `-n` and `-m` are free on all six commands (`play -n`, its dry run, is another
 * command's); `--pid` has no short form: `-p` is already `record -p` (branches to read),
 * `inspect -p` and `metrics -p` (its port).
 *
 * @module
 */
import type { ProcFileName, ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import { readUserNames } from "../procfs/user_names.ts";
import type { ProcessNode } from "../tree/types.ts";
import { quoteInput } from "../text/visible.ts";
import { CommandError } from "./errors.ts";
import type { CliDeps } from "./deps.ts";
import { flag, negatedFlag, option, OptionValueError } from "./spec.ts";
import { parsePidList } from "./options.ts";

/** The options, to spread into a command's table. */
export const SELECTION_OPTIONS = {
  pid: option({
    flags: "--pid <pids>",
    help: "processes with these PIDs (comma-separated) with their subtrees: " +
      "'$..children[?(@.stat.pid in [PIDS])]'",
    parse: parsePidList,
    dryRun: { onlyWhenSet: true },
  }),
  name: option({
    flags: "-n, --name <name>",
    help: "processes named exactly NAME (stat.comm, as pidof) with their subtrees: " +
      `'$..children[?(@.stat.comm == "NAME")]'`,
    parse: (text: string) => {
      if (text === "") throw new OptionValueError("expected a process name");
      return text;
    },
    dryRun: { onlyWhenSet: true },
  }),
  match: option({
    flags: "-m, --match <regex>",
    help: "processes whose command line matches REGEX (as pgrep -f) with their subtrees: " +
      "'$..children[?(@.cmdline =~ /REGEX/)]'",
    parse: (text: string) => {
      try {
        new RegExp(text);
      } catch (error) {
        throw new OptionValueError(`not a regular expression: ${(error as Error).message}`);
      }
      return text;
    },
    dryRun: { onlyWhenSet: true },
  }),
  user: option({
    flags: "-u, --user <user>",
    help: "processes whose effective user is NAME or UID (as pgrep -u), with their subtrees; " +
      "with --pid, --name or --match, only theirs: '$..children[?(@.status.uid[1] == UID)]'",
    parse: (text: string) => parseUser(text),
    dryRun: { onlyWhenSet: true, value: (user) => user?.text },
  }),
  subtree: negatedFlag(
    "--no-subtree",
    "only the selected processes, not what runs below them",
    { onlyWhenSet: true, value: (subtree) => !subtree },
  ),
};

/** A user as `-u` names it: the UID it selects, and how the line spelled it. */
export interface UserChoice {
  uid: number;
  text: string;
}

/**
 * Parses `-u`'s value: a UID, or a user name of this machine's `/etc/passwd` (as pgrep
 * resolves it); a name it lacks is refused here, before anything is read.
 */
export function parseUser(
  text: string,
  names: () => ReadonlyMap<number, string> = readUserNames,
): UserChoice {
  if (/^\d+$/.test(text)) return { uid: Number(text), text };
  for (const [uid, name] of names()) if (name === text) return { uid, text };
  throw new OptionValueError(`no user named ${JSON.stringify(text)} in /etc/passwd`);
}

/** `--ancestors`, for the commands that draw a tree (query, top). */
export const ANCESTORS_OPTION = flag(
  "--ancestors",
  "the selected processes under the chain of their ancestors up to PID 1, as pstree -s",
  { onlyWhenSet: true },
);

/** What a command's line selects: its query, and whether a shorthand made it. */
export interface Selection {
  query: string | undefined;
  /** A shorthand gave the query: selecting nothing is then exit 1. */
  shorthand: boolean;
  /** How the selection reads in a message (`--name nginx`). */
  label: string;
  /** Whether what runs below the selected processes belongs to the selection. */
  subtree: boolean;
  /** Procfiles the shorthand's filter reads besides `stat` (`status` for `-u`). */
  procfiles: readonly ProcFileName[];
}

/**
 * Returns the JSONPath a command runs: the positional query, or the one a shorthand
 * expands to. Throws `OptionValueError` when both, or two shorthands, are given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectionOf } from "./selection_options.ts";
 * assert.equal(selectionOf(undefined, { name: "nginx" }).query, '$..children[?(@.stat.comm == "nginx")]');
 * assert.equal(selectionOf(undefined, { match: "a/b" }).query, "$..children[?(@.cmdline =~ /a\\/b/)]");
 * assert.equal(
 *   selectionOf(undefined, { name: "sleep", user: { uid: 65534, text: "nobody" } }).query,
 *   '$..children[?(@.stat.comm == "sleep" and @.status.uid[1] == 65534)]',
 * );
 * ```
 */
export function selectionOf(
  query: string | undefined,
  options: {
    pid?: readonly number[] | undefined;
    name?: string | undefined;
    match?: string | undefined;
    user?: UserChoice | undefined;
    subtree?: boolean | undefined;
  },
): Selection {
  const plain = shorthandOf(query, options);
  const user = options.user;
  if (user === undefined) return plain;
  if (query !== undefined) {
    throw new OptionValueError("-u narrows --pid, --name or --match, not a JSONPath query");
  }
  // the effective UID, as pgrep -u (status's Uid line: real, effective, saved, filesystem)
  const test = `@.status.uid[1] == ${user.uid}`;
  const filter = plain.query === undefined
    ? test
    : `${plain.query.slice("$..children[?(".length, -")]".length)} and ${test}`;
  return {
    query: `$..children[?(${filter})]`,
    shorthand: true,
    label: plain.shorthand ? `${plain.label} --user ${user.text}` : `--user ${user.text}`,
    subtree: plain.subtree,
    procfiles: ["status"],
  };
}

/** The selection of the line without `-u`. */
function shorthandOf(
  query: string | undefined,
  options: {
    pid?: readonly number[] | undefined;
    name?: string | undefined;
    match?: string | undefined;
    subtree?: boolean | undefined;
  },
): Selection {
  const subtree = options.subtree ?? true;
  const procfiles: ProcFileName[] = [];
  const given = [
    options.pid !== undefined,
    options.name !== undefined,
    options.match !== undefined,
    query !== undefined,
  ].filter(Boolean).length;
  if (given > 1) {
    throw new OptionValueError("give one selection: a JSONPath query, --pid, --name or --match");
  }
  if (options.pid !== undefined) {
    return {
      query: `$..children[?(@.stat.pid in [${options.pid.join(", ")}])]`,
      shorthand: true,
      label: `--pid ${options.pid.join(",")}`,
      subtree,
      procfiles,
    };
  }
  if (options.name !== undefined) {
    return {
      query: `$..children[?(@.stat.comm == ${JSON.stringify(options.name)})]`,
      shorthand: true,
      label: `--name ${options.name}`,
      subtree,
      procfiles,
    };
  }
  if (options.match !== undefined) {
    return {
      // a slash ends the literal: escape those the pattern does not escape itself
      query: `$..children[?(@.cmdline =~ /${options.match.replace(/(?<!\\)\//g, "\\/")}/)]`,
      shorthand: true,
      label: `--match ${options.match}`,
      subtree,
      procfiles,
    };
  }
  return { query, shorthand: false, label: query ?? "", subtree, procfiles };
}

/**
 * Reads a stat-only snapshot and returns what `queryText` selects (everything when
 * absent) with every subtree, each process once — for the thread target, each selected
 * process's threads too (`status` is read for their process ID); throws `CommandError`
 * ("Cannot <verb> …") when the JSONPath selects anything but whole process nodes.
 */
export async function selectLiveProcesses(
  verb: string,
  queryText: string | undefined,
  source: { procfs: ProcRoot; procfsTarget: ProcfsTarget },
  deps: CliDeps,
  subtree = true,
): Promise<ProcessNode[]> {
  const [
    { compileQuery, selectProcesses },
    { readSnapshot },
    { withThreads },
    { unreadProcfiles },
  ] = await Promise.all([
    import("../query/mod.ts"),
    import("../snapshot/mod.ts"),
    import("../tree/thread_groups.ts"),
    import("../snapshot/read_warnings.ts"),
  ]);
  const compiled = queryText ? compileQuery(queryText) : null;
  const threads = source.procfsTarget === "thread";
  // what the filter reads is read too (status for -u): a filter on an unread procfile
  // would select nothing
  const files = new Set<ProcFileName>(["stat", ...(threads ? ["status" as const] : [])]);
  for (const file of compiled ? unreadProcfiles(compiled, [...files]) : []) files.add(file);
  const roots = readSnapshot(
    { ...source, procfileList: [...files] },
    { pid: deps.pid, warn: (m) => deps.log.warning(m) },
  );
  const { nodes, whole } = selectProcesses(compiled, roots, subtree);
  if (!whole) {
    throw new CommandError(
      `Cannot ${verb} ${quoteInput(queryText ?? "")}: the JSONPath must select whole process nodes`,
    );
  }
  return threads && compiled ? withThreads(nodes, roots, false) : nodes;
}

/**
 * For a command that keeps running (watch, metrics): a shorthand that selects nothing
 * at the start is exit 1, as it is for query and top; a JSONPath waits as it always has.
 */
export async function requireShorthandMatch(
  selection: Selection,
  source: { procfs: ProcRoot; procfsTarget: ProcfsTarget },
  deps: CliDeps,
): Promise<void> {
  if (!selection.shorthand) return;
  const nodes = await selectLiveProcesses("select", selection.query, source, deps);
  if (nodes.length === 0) throw new CommandError(`No process matches ${selection.label}`);
}

/**
 * The name a shorthand's metrics group gets: the process name (`--name nginx` →
 * `nginx`), else `match`, `pid` or the user `-u` names; characters a group name cannot hold become `_`.
 */
export function groupNameOf(
  options: {
    name?: string | undefined;
    match?: string | undefined;
    pid?: unknown;
    user?: UserChoice | undefined;
  },
): string {
  const raw = options.name ??
    (options.match !== undefined
      ? "match"
      : options.pid === undefined && options.user
      ? options.user.text
      : "pid");
  const safe = raw.replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z_]/.test(safe) ? safe : `_${safe}`;
}

/** `-f`'s procfiles with those the selection's filter reads (`status` for `-u`). */
export function withSelectionFiles<F extends ProcFileName>(
  files: readonly F[],
  selection: Selection,
): F[] {
  return [...new Set([...files, ...selection.procfiles as readonly F[]])];
}
