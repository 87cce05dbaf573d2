/**
 * Shorthands for everyday selections, shared by `query`, `top`, `record` and `inspect`:
 * `--name NAME` (as `pidof`) and `--match REGEX` (as `pgrep -f`). Each expands to the
 * JSONPath its help shows, so the engine stays one; a shorthand that selects nothing
 * exits 1, as `pgrep` and `pidof` do (a plain JSONPath keeps the reference's exit 0).
 *
 * @module
 */
import type { ProcfsTarget, ProcRoot } from "../procfs/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import { quoteInput } from "../text/visible.ts";
import { CommandError } from "./errors.ts";
import type { CliDeps } from "./deps.ts";
import { option, OptionValueError } from "./spec.ts";

/** The options, to spread into a command's table. */
export const SELECTION_OPTIONS = {
  name: option({
    flags: "--name <name>",
    help: "processes named exactly NAME (stat.comm, as pidof) with their subtrees: " +
      `'$..children[?(@.stat.comm == "NAME")]'`,
    parse: (text: string) => {
      if (text === "") throw new OptionValueError("expected a process name");
      return text;
    },
    dryRun: { onlyWhenSet: true },
  }),
  match: option({
    flags: "--match <regex>",
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
};

/** What a command's line selects: its query, and whether a shorthand made it. */
export interface Selection {
  query: string | undefined;
  /** A shorthand gave the query: selecting nothing is then exit 1. */
  shorthand: boolean;
  /** How the selection reads in a message (`--name nginx`). */
  label: string;
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
 * ```
 */
export function selectionOf(
  query: string | undefined,
  options: { name?: string; match?: string },
): Selection {
  const given = [options.name !== undefined, options.match !== undefined, query !== undefined]
    .filter(Boolean).length;
  if (given > 1) {
    throw new OptionValueError("give one selection: a JSONPath query, --name or --match");
  }
  if (options.name !== undefined) {
    return {
      query: `$..children[?(@.stat.comm == ${JSON.stringify(options.name)})]`,
      shorthand: true,
      label: `--name ${options.name}`,
    };
  }
  if (options.match !== undefined) {
    return {
      // a slash ends the literal: escape those the pattern does not escape itself
      query: `$..children[?(@.cmdline =~ /${options.match.replace(/(?<!\\)\//g, "\\/")}/)]`,
      shorthand: true,
      label: `--match ${options.match}`,
    };
  }
  return { query, shorthand: false, label: query ?? "" };
}

/**
 * Reads a stat-only snapshot and returns what `queryText` selects (everything when
 * absent) with every subtree, each process once; throws `CommandError` ("Cannot <verb>
 * …") when the JSONPath selects anything but whole process nodes.
 */
export async function selectLiveProcesses(
  verb: string,
  queryText: string | undefined,
  source: { procfs: ProcRoot; procfsTarget: ProcfsTarget },
  deps: CliDeps,
): Promise<ProcessNode[]> {
  const [{ compileQuery, selectProcesses }, { readSnapshot }] = await Promise.all([
    import("../query/mod.ts"),
    import("../snapshot/mod.ts"),
  ]);
  const compiled = queryText ? compileQuery(queryText) : null;
  const roots = readSnapshot(
    { ...source, procfileList: ["stat"] },
    { pid: deps.pid, warn: (m) => deps.log.warning(m) },
  );
  const { nodes, whole } = selectProcesses(compiled, roots);
  if (!whole) {
    throw new CommandError(
      `Cannot ${verb} ${quoteInput(queryText ?? "")}: the JSONPath must select whole process nodes`,
    );
  }
  return nodes;
}
