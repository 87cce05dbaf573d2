/**
 * The expression grammar of JSONPath filters, parsed into a plain syntax tree: literals
 * (numbers, quoted strings, `/regex/flags`, `true`/`True`, `null`/`None`), names (`@`,
 * `$`), lists, member access, calls, unary and binary operators with JavaScript's
 * precedence plus Python's words (`or`, `and`, `not`, `in`, `not in`, `is`, `is not`)
 * and `=~`/`!~`, and the conditional `a ? b : c`. It replaces a library loaded through
 * Deno's npm layer, which cost every filtered query ~30 ms of start-up (README,
 * Performance). What a filter may *do* is decided afterwards, by `compile_filter.ts`.
 *
 * @module
 */

/** A node of the syntax tree. */
export type Expression =
  | { type: "Identifier"; name: string }
  | { type: "Literal"; value: string | number | boolean | null | RegExp }
  | { type: "ArrayExpression"; elements: (Expression | null)[] }
  | { type: "MemberExpression"; computed: boolean; object: Expression; property: Expression }
  | { type: "CallExpression"; callee: Expression; arguments: Expression[] }
  | { type: "UnaryExpression"; operator: string; argument: Expression }
  | { type: "BinaryExpression"; operator: string; left: Expression; right: Expression }
  | {
    type: "ConditionalExpression";
    test: Expression;
    consequent: Expression;
    alternate: Expression;
  };

/** A filter that is not an expression: what was expected, and where (0-based). */
export class ExpressionSyntaxError extends Error {
  constructor(readonly description: string, readonly index: number) {
    super(`${description} at character ${index}`);
    this.name = "ExpressionSyntaxError";
  }
}

/** Binary operators by precedence (higher binds tighter), as JavaScript's plus Python's words. */
const BINARY: ReadonlyMap<string, number> = new Map([
  ["||", 1],
  ["??", 1],
  ["or", 1],
  ["&&", 2],
  ["and", 2],
  ["|", 3],
  ["^", 4],
  ["&", 5],
  ["==", 6],
  ["!=", 6],
  ["===", 6],
  ["!==", 6],
  ["<", 7],
  [">", 7],
  ["<=", 7],
  [">=", 7],
  ["in", 7],
  ["not in", 7],
  ["is", 7],
  ["is not", 7],
  ["=~", 7],
  ["!~", 7],
  ["<<", 8],
  [">>", 8],
  [">>>", 8],
  ["+", 9],
  ["-", 9],
  ["*", 10],
  ["/", 10],
  ["%", 10],
  ["**", 11],
]);
const SYMBOLS = [...BINARY.keys()].filter((op) => !/^[a-z]/.test(op))
  .sort((a, b) => b.length - a.length);
const WORDS = /^(not\s+in|is\s+not|or|and|in|is)(?![\w$@\u0080-\uffff])/;
const UNARY_SYMBOLS = ["-", "!", "~", "+"];
const LITERALS: ReadonlyMap<string, boolean | null> = new Map([
  ["true", true],
  ["false", false],
  ["null", null],
  ["True", true],
  ["False", false],
  ["None", null],
]);
const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
};

const isIdentifierStart = (c: string) => /[$_@A-Za-z]/.test(c) || c.charCodeAt(0) >= 128;
const isIdentifierPart = (c: string) => isIdentifierStart(c) || (c >= "0" && c <= "9");
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/**
 * Parses one filter expression. Throws `ExpressionSyntaxError` naming what was
 * expected and where.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExpression } from "./parse_expression.ts";
 * const tree = parseExpression("@.stat.pid in [1, 2] and not @.cmdline =~ /sh$/");
 * assert(tree.type === "BinaryExpression" && tree.operator === "and");
 * ```
 */
export function parseExpression(source: string): Expression {
  let i = 0;
  const fail = (description: string, at = i): never => {
    throw new ExpressionSyntaxError(description, at);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i]!)) i++;
  };
  const peek = () => {
    skipSpace();
    return source[i];
  };
  const expect = (char: string, what: string) => {
    if (peek() !== char) fail(`Expected ${char} ${what}`);
    i++;
  };

  /** The binary operator at the cursor, normalised (`not  in` → `not in`), without consuming it. */
  const binaryOperator = (): string | undefined => {
    skipSpace();
    const word = WORDS.exec(source.slice(i, i + 16));
    if (word) return word[1]!.replace(/\s+/, " ");
    return SYMBOLS.find((op) => source.startsWith(op, i));
  };
  const operatorLength = (op: string): number =>
    op.includes(" ") ? WORDS.exec(source.slice(i, i + 16))![1]!.length : op.length;

  const expression = (): Expression => {
    const test = binary();
    if (peek() !== "?" || source[i + 1] === "?" || source[i + 1] === ".") return test;
    i++;
    const consequent = expression();
    expect(":", "in conditional expression");
    return { type: "ConditionalExpression", test, consequent, alternate: expression() };
  };

  // precedence climbing; left-associative, except `**`
  const binary = (minPrecedence = 1): Expression => {
    let left = unary();
    for (;;) {
      const op = binaryOperator();
      const precedence = op === undefined ? 0 : BINARY.get(op)!;
      if (op === undefined || precedence < minPrecedence) return left;
      const at = i;
      i += operatorLength(op);
      if (peek() === undefined) fail(`Expected expression after ${op}`, at + op.length);
      const right = binary(op === "**" ? precedence : precedence + 1);
      left = { type: "BinaryExpression", operator: op, left, right };
    }
  };

  const unary = (): Expression => {
    const c = peek();
    if (c === undefined) return fail("Expected expression");
    const word = /^not(?![\w$@\u0080-\uffff])/.exec(source.slice(i, i + 4));
    if (word && !/^not\s+in(?![\w$@\u0080-\uffff])/.test(source.slice(i, i + 16))) {
      i += 3;
      return { type: "UnaryExpression", operator: "not", argument: unary() };
    }
    if (UNARY_SYMBOLS.includes(c) && !(c === "!" && source[i + 1] === "=")) {
      i++;
      if (peek() === undefined) fail(`Expected expression after ${c}`);
      return { type: "UnaryExpression", operator: c, argument: unary() };
    }
    return postfix(primary());
  };

  const postfix = (start: Expression): Expression => {
    let node = start;
    for (;;) {
      const c = peek();
      if (c === "." && !isDigit(source[i + 1])) {
        i++;
        skipSpace();
        const at = i;
        if (!isIdentifierStart(source[i] ?? "")) fail("Expected a property name after .");
        while (i < source.length && isIdentifierPart(source[i]!)) i++;
        node = {
          type: "MemberExpression",
          computed: false,
          object: node,
          property: { type: "Identifier", name: source.slice(at, i) },
        };
      } else if (c === "[") {
        i++;
        const property = expression();
        expect("]", "after the index");
        node = { type: "MemberExpression", computed: true, object: node, property };
      } else if (c === "(") {
        i++;
        node = { type: "CallExpression", callee: node, arguments: list(")", false) };
      } else {
        return node;
      }
    }
  };

  /** Comma-separated expressions up to `close`; empty items are `null` where allowed. */
  const list = (close: string, allowEmpty: boolean): (Expression | null)[] & Expression[] => {
    const items: (Expression | null)[] = [];
    if (peek() === close) {
      i++;
      return items as Expression[];
    }
    for (;;) {
      const c = peek();
      if (c === "," || c === close) {
        if (!allowEmpty) fail(`Unexpected "${c}"`);
        items.push(null);
      } else {
        items.push(expression());
      }
      const next = peek();
      if (next === ",") {
        i++;
        if (peek() === close) {
          if (allowEmpty) items.push(null);
          i++;
          return items as Expression[];
        }
        continue;
      }
      if (next === close) {
        i++;
        return items as Expression[];
      }
      return fail(next === undefined ? `Expected ${close}` : `Unexpected "${next}"`);
    }
  };

  const primary = (): Expression => {
    const c = peek();
    const start = i;
    if (isDigit(c) || (c === "." && isDigit(source[i + 1]))) return number();
    if (c === '"' || c === "'") return string(c);
    if (c === "/") return regex();
    if (c === "[") {
      i++;
      return { type: "ArrayExpression", elements: list("]", true) };
    }
    if (c === "(") {
      i++;
      const inner = expression();
      expect(")", "to close the parenthesis");
      return inner;
    }
    if (c !== undefined && isIdentifierStart(c)) {
      while (i < source.length && isIdentifierPart(source[i]!)) i++;
      const name = source.slice(start, i);
      return LITERALS.has(name)
        ? { type: "Literal", value: LITERALS.get(name)! }
        : { type: "Identifier", name };
    }
    return fail(c === undefined ? "Expected expression" : `Unexpected "${c}"`);
  };

  const number = (): Expression => {
    const match = /^(\d*\.?\d*)(?:[eE][+-]?\d+)?/.exec(source.slice(i))!;
    i += match[0].length;
    if (isIdentifierStart(source[i] ?? "")) {
      fail(`Variable names cannot start with a number (${match[0]}${source[i]})`);
    }
    return { type: "Literal", value: Number(match[0]) };
  };

  const string = (quote: string): Expression => {
    const start = i++;
    let value = "";
    while (i < source.length && source[i] !== quote) {
      const c = source[i++];
      if (c === "\\" && i < source.length) {
        const escaped = source[i++];
        value += ESCAPES[escaped!] ?? escaped;
      } else {
        value += c;
      }
    }
    if (i >= source.length) {
      fail(`Unclosed quote after "${source.slice(start, start + 20)}"`, start);
    }
    i++;
    return { type: "Literal", value };
  };

  const regex = (): Expression => {
    const start = i++;
    let inClass = false;
    while (i < source.length) {
      const c = source[i];
      if (c === "\\") i += 2;
      else if (c === "[") inClass = true, i++;
      else if (c === "]" && inClass) inClass = false, i++;
      else if (c === "/" && !inClass) break;
      else i++;
    }
    if (i >= source.length) fail("Unclosed regex", start);
    const pattern = source.slice(start + 1, i++);
    const flags = /^[a-z]*/.exec(source.slice(i))![0];
    i += flags.length;
    try {
      return { type: "Literal", value: new RegExp(pattern, flags) };
    } catch (error) {
      return fail(`Invalid regex /${pattern}/${flags}: ${(error as Error).message}`, start);
    }
  };

  const tree = expression();
  if (peek() !== undefined) fail(`Unexpected "${source[i]}"`);
  return tree;
}
