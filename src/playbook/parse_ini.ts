/** A playbook syntax error, in configparser's words, on one line. */
export class PlaybookSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "PlaybookSyntaxError";
  }
}

/** Sections in file order; each maps lower-cased keys to raw (possibly multi-line) values. */
export type Ini = Map<string, Map<string, string>>;

/**
 * Parses INI text the way the reference's `RawConfigParser` is set up: only `:`
 * separates a key from its value, `#` starts a comment line, keys are lower-cased,
 * lines indented deeper than their key continue its value, and there is no DEFAULT
 * section. `file` names the source in error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIni } from "./parse_ini.ts";
 * const ini = parseIni("[a:query]\n# comment\nEnvironment:\n  X=echo 1\n  Y=echo 2\n", "p.ini");
 * assert(ini.get("a:query")?.get("environment") === "\nX=echo 1\nY=echo 2");
 * ```
 */
export function parseIni(text: string, file: string): Ini {
  const ini: Ini = new Map();
  const errors: string[] = [];
  let section: Map<string, string> | null = null;
  let sectionName = "";
  let key: string | null = null;
  let keyIndent = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const stripped = raw.trim();
    if (stripped.startsWith("#")) return;
    if (stripped === "") {
      if (section && key !== null) section.set(key, section.get(key)! + "\n");
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (section && key !== null && indent > keyIndent) {
      section.set(key, section.get(key)! + "\n" + stripped);
      return;
    }
    const header = /^\[(.+)\]$/.exec(stripped);
    if (header) {
      sectionName = header[1]!;
      if (ini.has(sectionName)) {
        throw new PlaybookSyntaxError(
          `While reading from '${file}' ${at(lineNumber)}: section '${sectionName}' already exists`,
        );
      }
      section = new Map();
      ini.set(sectionName, section);
      key = null;
      return;
    }
    if (section === null) {
      throw new PlaybookSyntaxError(
        `File contains no section headers. file: '${file}', line: ${lineNumber} ${
          JSON.stringify(raw + "\n")
        }`,
      );
    }
    const option = /^(.*?)\s*:\s*(.*)$/.exec(stripped);
    if (!option || option[1] === "") {
      errors.push(`${at(lineNumber)}: ${JSON.stringify(raw + "\n")}`);
      key = null;
      return;
    }
    key = option[1]!.toLowerCase();
    if (section.has(key)) {
      throw new PlaybookSyntaxError(
        `While reading from '${file}' ${at(lineNumber)}: option '${key}' in section ` +
          `'${sectionName}' already exists`,
      );
    }
    keyIndent = indent;
    section.set(key, option[2]!);
  });
  if (errors.length > 0) {
    throw new PlaybookSyntaxError(`Source contains parsing errors: '${file}' ${errors.join(" ")}`);
  }
  for (const values of ini.values()) {
    for (const [k, v] of values) values.set(k, v.replace(/\n+$/, ""));
  }
  return ini;
}

/** A line number as configparser's messages show it: `[line  7]`. */
function at(lineNumber: number): string {
  return `[line ${String(lineNumber).padStart(2)}]`;
}

/** The error shlex would raise splitting `line` (POSIX mode), or `null`. */
function shlexError(line: string): string | null {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === "\\") {
      if (i === line.length - 1) return quote ? "No closing quotation" : "No escaped character";
      i++;
    } else if (quote === '"') {
      if (c === '"') quote = null;
    } else if (c === "'" || c === '"') {
      quote = c;
    }
  }
  return quote ? "No closing quotation" : null;
}

/**
 * Splits a multi-line value into its lines as the reference does: empty lines are
 * dropped, and a line ending in a lone `\` is joined with the next (the `\` removed).
 * Throws `PlaybookSyntaxError` on a dangling continuation or an unclosed quote.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitMultiline } from "./parse_ini.ts";
 * const lines = splitMultiline("\nL=docker ps -q | xargs -- \\\ndocker inspect\nM=true");
 * assert(lines.join("|") === "L=docker ps -q | xargs -- docker inspect|M=true");
 * ```
 */
export function splitMultiline(value: string): string[] {
  const out: string[] = [];
  let pending: string | null = null;
  for (const line of value.split("\n")) {
    if (line === "") continue;
    const candidate: string = pending === null ? line : pending + line;
    const error = shlexError(candidate);
    if (error === "No escaped character") {
      pending = candidate.slice(0, -1);
      continue;
    }
    if (error) throw new PlaybookSyntaxError(error);
    out.push(candidate);
    pending = null;
  }
  if (pending !== null) throw new PlaybookSyntaxError("Line continuation end expected");
  return out;
}
