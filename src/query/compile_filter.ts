import { quoteInput } from "../text/visible.ts";
import { ExpressionSyntaxError, parseExpression } from "./parse_expression.ts";
import type { Expression } from "./parse_expression.ts";
import { backreferenceError, hasBackreference } from "./safe_regexp.ts";
import { QuerySyntaxError } from "./errors.ts";

/**
 * The filter language: Python's spelling as the reference's filters use it
 * (`and`, `or`, `not`, `in`, `not in`, `is`, `True`, `None`, string methods) and
 * JavaScript's (`&&`, `||`, `!`, `===`), plus `=~` for a regex test. Filters are parsed
 * into this tree and evaluated by `evaluate_filter.ts`; nothing is ever run as code.
 */
export type FilterNode =
  | { type: "current" }
  | { type: "root" }
  | { type: "literal"; value: string | number | boolean | null | RegExp }
  | { type: "list"; items: FilterNode[] }
  | { type: "member"; object: FilterNode; property: FilterNode | string }
  | { type: "unary"; operator: string; argument: FilterNode }
  | { type: "binary"; operator: string; left: FilterNode; right: FilterNode }
  | { type: "conditional"; test: FilterNode; consequent: FilterNode; alternate: FilterNode }
  | { type: "call"; name: string; target: FilterNode | null; args: FilterNode[] };

/** Methods a filter may call on a string (Python and JavaScript names). */
export const STRING_METHODS = new Set([
  "startswith",
  "endswith",
  "startsWith",
  "endsWith",
  "includes",
  "lower",
  "upper",
  "toLowerCase",
  "toUpperCase",
  "strip",
  "lstrip",
  "rstrip",
  "trim",
  "match",
  "search",
]);
/** Free functions a filter may call. */
export const FUNCTIONS = new Set(["len"]);

// Python binds `not` looser than comparisons (`not a == b` is `not (a == b)`), the
// expression grammar (as JavaScript's `!`) tighter; lifting a leading `not` over any non-boolean operator restores Python's reading.
const BOOLEAN_OPERATORS = new Set(["and", "or", "&&", "||", "??"]);

/**
 * Parses a filter expression into a `FilterNode` tree, rejecting anything outside
 * the language (assignments, unknown names, calls to functions off the whitelist).
 * Throws `QuerySyntaxError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFilter } from "./compile_filter.ts";
 * const node = compileFilter("not @.stat.pid in [1, 2] and 'sh' in @.cmdline");
 * assert(node.type === "binary" && node.operator === "and");
 * ```
 */
export function compileFilter(source: string): FilterNode {
  try {
    return convert(parseExpression(source), source);
  } catch (error) {
    if (error instanceof RangeError) reject(source, "nested too deeply");
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    throw new QuerySyntaxError(
      `Cannot parse filter ${quoteInput(source)}: ${error.description} at position ${error.index}`,
      { expression: source, position: error.index },
    );
  }
}

function reject(source: string, reason: string): never {
  throw new QuerySyntaxError(`Cannot parse filter ${quoteInput(source)}: ${reason}`, {
    expression: source,
    position: 0,
  });
}

function convert(node: Expression, source: string): FilterNode {
  const c = (child: Expression) => convert(child, source);
  switch (node.type) {
    case "Identifier": {
      const name = node.name;
      if (name === "@") return { type: "current" };
      if (name === "$") return { type: "root" };
      return reject(source, `unknown name "${name}" (use @ for the node, $ for the root)`);
    }
    case "Literal": {
      const value = node.value;
      if (value instanceof RegExp && hasBackreference(value.source)) {
        throw backreferenceError(value.source);
      }
      return { type: "literal", value: value as string };
    }
    case "ArrayExpression":
      return {
        type: "list",
        items: node.elements.map((e) =>
          e ? c(e) : reject(source, "a list has an empty item (did a variable evaluate empty?)")
        ),
      };
    case "MemberExpression": {
      const member = node;
      const property = member.computed
        ? c(member.property)
        : (member.property as { name: string }).name;
      return { type: "member", object: c(member.object), property };
    }
    case "UnaryExpression": {
      const unary = node;
      if (!["not", "!", "-", "+"].includes(unary.operator)) {
        return reject(source, `operator "${unary.operator}" is not allowed`);
      }
      return { type: "unary", operator: unary.operator, argument: c(unary.argument) };
    }
    case "BinaryExpression": {
      const binary = node;
      if (["|", "^", "&", "<<", ">>", ">>>", "**"].includes(binary.operator)) {
        return reject(source, `operator "${binary.operator}" is not allowed`);
      }
      const left = c(binary.left);
      const right = c(binary.right);
      if (
        left.type === "unary" && left.operator === "not" && !BOOLEAN_OPERATORS.has(binary.operator)
      ) {
        return {
          type: "unary",
          operator: "not",
          argument: { type: "binary", operator: binary.operator, left: left.argument, right },
        };
      }
      return { type: "binary", operator: binary.operator, left, right };
    }
    case "ConditionalExpression": {
      const cond = node;
      return {
        type: "conditional",
        test: c(cond.test),
        consequent: c(cond.consequent),
        alternate: c(cond.alternate),
      };
    }
    case "CallExpression": {
      const call = node;
      const args = call.arguments.map(c);
      if (call.callee.type === "Identifier") {
        const name = call.callee.name;
        if (!FUNCTIONS.has(name)) return reject(source, `function "${name}" is not allowed`);
        return { type: "call", name, target: null, args };
      }
      if (call.callee.type === "MemberExpression") {
        const callee = call.callee;
        const name = callee.computed ? null : (callee.property as { name: string }).name;
        if (name === null || !(STRING_METHODS.has(name) || name === "test")) {
          return reject(source, `method "${name ?? "[…]"}" is not allowed`);
        }
        return { type: "call", name, target: c(callee.object), args };
      }
      return reject(source, "only whitelisted functions and string methods can be called");
    }
  }
}
