import { quoteInput } from "../text/visible.ts";
import { QuerySyntaxError } from "./errors.ts";

/** One selector inside brackets or after a dot. */
export type Selector =
  | { kind: "name"; name: string }
  | { kind: "index"; index: number }
  | { kind: "slice"; start: number | null; end: number | null; step: number | null }
  | { kind: "wildcard" }
  | { kind: "filter"; source: string }
  | { kind: "script"; source: string };

/** A step of a path: selectors applied to the current nodes, or to them and all descendants. */
export interface Step {
  recursive: boolean;
  /** More than one selector is a union (`[a,b]`). */
  selectors: Selector[];
}

/** A parsed path: the steps after `$`. */
export interface PathAst {
  steps: Step[];
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * Parses a JSONPath in the reference's dialect (`$`, `.name`, `['name']`, `..`, `*`,
 * `[a,b]`, `[i]`, `[start:end:step]`, `(expr)`, `?(expr)`) into steps. Filter and
 * script texts are returned as written, with the reference's escapes `\(`, `\)`,
 * `\@`, `\$` undone outside regex literals and runs of white space folded.
 * Throws `QuerySyntaxError` with the position of the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonPath } from "./parse_json_path.ts";
 * const ast = parseJsonPath("$..children[?(@.stat.pid == 1)]..pid");
 * assert(ast.steps.length === 3 && ast.steps[1].selectors[0].kind === "filter");
 * ```
 */
export function parseJsonPath(expression: string): PathAst {
  let at = 0;
  const fail = (expected: string): never => {
    throw new QuerySyntaxError(
      `Cannot parse query ${quoteInput(expression)}: expected ${expected} at position ${at}`,
      { expression, position: at },
    );
  };
  const skipSpaces = () => {
    while (expression[at] === " " || expression[at] === "\t") at++;
  };
  const readName = (): string => {
    const start = at;
    if (!NAME_START.test(expression[at] ?? "")) fail("a name");
    while (at < expression.length && NAME_PART.test(expression[at]!)) at++;
    return expression.slice(start, at);
  };
  const readInt = (): number | null => {
    const match = /^-?\d+/.exec(expression.slice(at));
    if (!match) return null;
    at += match[0].length;
    return Number(match[0]);
  };
  const readQuoted = (): string => {
    const quote = expression[at++];
    let value = "";
    while (at < expression.length && expression[at] !== quote) {
      if (expression[at] === "\\" && at + 1 < expression.length) at++;
      value += expression[at++];
    }
    if (expression[at] !== quote) fail(`a closing ${quote}`);
    at++;
    return value;
  };
  const readExpression = (): string => {
    const start = at;
    const text = scanExpression(expression, at);
    if (text === null) {
      at = start;
      fail('a closing ")"');
    }
    at = text!.end;
    return text!.source;
  };
  const readSelector = (): Selector => {
    skipSpaces();
    const char = expression[at];
    if (char === "*") {
      at++;
      return { kind: "wildcard" };
    }
    if (char === "'" || char === '"') return { kind: "name", name: readQuoted() };
    const start = readInt();
    if (expression[at] === ":") {
      at++;
      const end = readInt();
      let step: number | null = null;
      if (expression[at] === ":") {
        at++;
        step = readInt();
      }
      return { kind: "slice", start, end, step };
    }
    if (start !== null) return { kind: "index", index: start };
    if (NAME_START.test(char ?? "")) return { kind: "name", name: readName() };
    return fail("a name, an index, a slice, * or a filter");
  };
  const readBracket = (): Selector[] => {
    at++; // "["
    skipSpaces();
    let selectors: Selector[];
    if (expression.startsWith("?(", at)) {
      at += 1;
      selectors = [{ kind: "filter", source: readExpression() }];
    } else if (expression[at] === "(") {
      selectors = [{ kind: "script", source: readExpression() }];
    } else {
      selectors = [readSelector()];
      skipSpaces();
      while (expression[at] === ",") {
        at++;
        selectors.push(readSelector());
        skipSpaces();
      }
    }
    skipSpaces();
    if (expression[at] !== "]") fail('"]"');
    at++;
    return selectors;
  };

  skipSpaces();
  if (expression[at] !== "$") fail('"$"');
  at++;
  const steps: Step[] = [];
  while (true) {
    skipSpaces();
    if (at >= expression.length) break;
    if (expression.startsWith("..", at)) {
      at += 2;
      if (expression[at] === "[") steps.push({ recursive: true, selectors: readBracket() });
      else if (expression[at] === "*") {
        at++;
        steps.push({ recursive: true, selectors: [{ kind: "wildcard" }] });
      } else steps.push({ recursive: true, selectors: [{ kind: "name", name: readName() }] });
    } else if (expression[at] === ".") {
      at++;
      if (expression[at] === "*") {
        at++;
        steps.push({ recursive: false, selectors: [{ kind: "wildcard" }] });
      } else steps.push({ recursive: false, selectors: [{ kind: "name", name: readName() }] });
    } else if (expression[at] === "[") {
      steps.push({ recursive: false, selectors: readBracket() });
    } else {
      fail('".", ".." or "["');
    }
  }
  return { steps };
}

const ESCAPABLE = new Set(["(", ")", "@", "$"]);
const REGEX_FOLLOWS = new Set(["", "(", ",", "=", "~", "!", "&", "|", "[", ":", "?"]);

/**
 * Scans a parenthesised expression starting at `start` (which holds "(") and
 * returns its inner text, unescaped, and the index after the closing ")"; `null`
 * when it is not closed.
 */
function scanExpression(text: string, start: number): { source: string; end: number } | null {
  let depth = 0;
  let out = "";
  let lastSignificant = "";
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === "\\" && ESCAPABLE.has(text[i + 1]!)) {
      out += text[++i];
      lastSignificant = "x";
      continue;
    }
    if (char === "'" || char === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== char) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return null;
      out += text.slice(i, j + 1).replace(/\\([()@$])/g, "$1");
      i = j;
      lastSignificant = "x";
      continue;
    }
    if (char === "/" && REGEX_FOLLOWS.has(lastSignificant) && depth > 0) {
      let j = i + 1;
      while (j < text.length && text[j] !== "/") j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) return null;
      j++;
      while (/[a-z]/.test(text[j] ?? "")) j++;
      out += text.slice(i, j);
      i = j - 1;
      lastSignificant = "x";
      continue;
    }
    if (char === "(" || char === "[") depth++;
    if (char === ")" || char === "]") depth--;
    if (depth === 0) {
      if (char !== ")") return null;
      return { source: out.slice(1).trim(), end: i + 1 };
    }
    if (char === " " || char === "\t" || char === "\n") {
      if (!out.endsWith(" ")) out += " ";
      continue;
    }
    out += char;
    lastSignificant = /[\w@$.\])]/.test(char!) ? "x" : char!;
  }
  return null;
}
