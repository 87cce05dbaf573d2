import { PlaybookSyntaxError, splitMultiline } from "./parse_ini.ts";
import type { Ini } from "./parse_ini.ts";

/** The commands a playbook section can run: the last `:`-separated part of its name. */
export const PLAYABLE = ["query", "record", "plot", "watch"] as const;

/** One of {@link PLAYABLE}. */
export type Playable = typeof PLAYABLE[number];

/** How a command's options map from playbook keys to its command line. */
export interface CommandSpec {
  /** Keys given as positional arguments, in order. */
  positional: string[];
  /** Keys that are flags (`--no-dots`), read as booleans. */
  flags: string[];
  /** Keys that repeat (`--environment` once per line), accumulated over the inheritance chain. */
  repeatable: string[];
  /** Every other key the command accepts. */
  options: string[];
}

/** Returns the command a section runs, or `null` for a section that only holds options. */
export function commandOf(section: string): Playable | null {
  const last = section.split(":").at(-1) as Playable;
  return (PLAYABLE as readonly string[]).includes(last) ? last : null;
}

/** Section names matching an `fnmatch` pattern (`*`, `?`, `[seq]`), in file order. */
export function matchSections(ini: Ini, pattern: string): string[] {
  let regex = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") regex += ".*";
    else if (c === "?") regex += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) regex += "\\[";
      else {
        const body = pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\");
        regex += `[${body}]`;
        i = end;
      }
    } else regex += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  const re = new RegExp(`^${regex}$`, "s");
  return [...ini.keys()].filter((name) => re.test(name));
}

/**
 * Returns the section and its ancestors in C3 order (Python's MRO), following the
 * multi-line `extends` key. Throws `PlaybookSyntaxError` for an unknown parent or an
 * inconsistent hierarchy.
 */
export function linearize(
  ini: Ini,
  section: string,
  seen: string[] = [],
  // each section is linearised once: a diamond-shaped hierarchy would otherwise
  // repeat the work of its shared ancestors at every path to them (exponential)
  memo = new Map<string, readonly string[]>(),
): string[] {
  const known = memo.get(section);
  if (known) return [...known];
  if (seen.includes(section)) {
    throw new PlaybookSyntaxError(
      `Section '${section}' extends itself (${[...seen, section].join(" → ")})`,
    );
  }
  const values = ini.get(section);
  if (!values) {
    throw new PlaybookSyntaxError(`Section '${seen.at(-1)}' extends unknown section '${section}'`);
  }
  const parents = splitMultiline(values.get("extends") ?? "").flatMap((line) => line.split(/\s+/))
    .filter(Boolean);
  const sequences = [
    ...parents.map((p) => linearize(ini, p, [...seen, section], memo)),
    [...parents],
  ];
  const result = [section];
  while (sequences.some((s) => s.length > 0)) {
    const head = sequences.map((s) => s[0]).find((candidate) =>
      candidate !== undefined && sequences.every((s) => !s.slice(1).includes(candidate))
    );
    if (head === undefined) {
      throw new PlaybookSyntaxError(
        `Cannot create a consistent method resolution order for section '${section}'`,
      );
    }
    result.push(head);
    for (const s of sequences) if (s[0] === head) s.shift();
  }
  memo.set(section, result);
  return [...result];
}

const TRUE = ["1", "yes", "true", "on"], FALSE = ["0", "no", "false", "off"];

/**
 * Builds the command line of a section: `-o` overrides, then the section, then its
 * parents in C3 order give each scalar option (first found wins); repeatable options
 * accumulate lines parents first, then the section, then the override.
 */
export function sectionArgv(
  ini: Ini,
  section: string,
  spec: CommandSpec,
  overrides: ReadonlyMap<string, string>,
): string[] {
  const chain = linearize(ini, section);
  const known = new Set([
    ...spec.positional,
    ...spec.flags,
    ...spec.repeatable,
    ...spec.options,
    "extends",
  ]);
  const argv: string[] = [];
  const flag = (key: string) => "--" + key.replace(/_/g, "-");
  // the override, else the first section of the chain that sets the key
  const lookup = (key: string): string | undefined => {
    if (overrides.has(key)) return overrides.get(key);
    for (const name of chain) {
      const value = ini.get(name)!.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const unknown = [
    ...new Set(chain.flatMap((name) => [...ini.get(name)!.keys()]).concat([...overrides.keys()])),
  ]
    .filter((key) => !known.has(key));
  if (unknown.length > 0) {
    const words = unknown.flatMap((key) => [flag(key), lookup(key)!]);
    throw new PlaybookSyntaxError(`Invalid section: unrecognized arguments: ${words.join(" ")}`);
  }
  for (const key of spec.options) {
    const value = lookup(key);
    if (value !== undefined) argv.push(flag(key), splitMultiline(value).join("\n"));
  }
  for (const key of spec.flags) {
    const value = lookup(key)?.trim().toLowerCase();
    if (value === undefined) continue;
    if (TRUE.includes(value)) argv.push(flag(key));
    else if (!FALSE.includes(value)) throw new PlaybookSyntaxError(`Not a boolean: ${value}`);
  }
  for (const key of spec.repeatable) {
    const lines = [...chain].reverse().flatMap((name) =>
      splitMultiline(ini.get(name)!.get(key) ?? "")
    );
    if (overrides.has(key)) lines.push(...splitMultiline(overrides.get(key)!));
    for (const line of lines) argv.push(flag(key), line);
  }
  if (spec.positional.length > 0) argv.push("--");
  for (const key of spec.positional) argv.push(splitMultiline(lookup(key) ?? "").join("\n"));
  return argv;
}
