import { safeRegExp } from "./safe_regexp.ts";
import type { FilterNode } from "./compile_filter.ts";

/** Signals that a filter touched something absent or mistyped: the node does not match. */
export class NoMatch extends Error {}

const noMatch = (): never => {
  throw new NoMatch();
};

/** Python truthiness: `None`, `False`, zero, and empty strings, lists and dicts are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof RegExp) return true;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function isNumber(value: unknown): value is number | bigint | boolean {
  return typeof value === "number" || typeof value === "bigint" || typeof value === "boolean";
}

/** Python `==`: no coercion between strings and numbers; lists compare item by item. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) {
    const x = Number(a), y = Number(b);
    if (
      (typeof a !== "bigint" && typeof b !== "bigint") || !Number.isInteger(x) ||
      !Number.isInteger(y)
    ) {
      return x === y;
    }
    return BigInt(a) === BigInt(b);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => pyEquals(item, b[i]));
  }
  if (a instanceof RegExp || b instanceof RegExp) return a === b;
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && pyEquals((a as never)[k], (b as never)[k]));
  }
  return a === b;
}

function compare(operator: string, a: unknown, b: unknown): boolean {
  const bothNumbers = isNumber(a) && isNumber(b);
  const bothStrings = typeof a === "string" && typeof b === "string";
  if (!bothNumbers && !bothStrings) return noMatch();
  const x = a as number, y = b as number;
  switch (operator) {
    case "<":
      return x < y;
    case "<=":
      return x <= y;
    case ">":
      return x > y;
    default:
      return x >= y;
  }
}

function contains(container: unknown, item: unknown): boolean {
  if (typeof container === "string") {
    return typeof item === "string" ? container.includes(item) : noMatch();
  }
  if (Array.isArray(container)) return container.some((entry) => pyEquals(entry, item));
  if (container !== null && typeof container === "object") {
    return typeof item === "string" && Object.hasOwn(container, item);
  }
  return noMatch();
}

function arithmetic(operator: string, a: unknown, b: unknown): unknown {
  if (operator === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (typeof a !== "number" || typeof b !== "number") return noMatch();
  switch (operator) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? noMatch() : a / b;
    default:
      return b === 0 ? noMatch() : ((a % b) + b) % b;
  }
}

function toRegExp(value: unknown): RegExp {
  if (value instanceof RegExp) return value;
  if (typeof value === "string") return safeRegExp(value);
  return noMatch();
}

/** Reads an own property of plain data only: prototypes (`constructor`, `__proto__`) are never reached. */
function member(object: unknown, key: unknown): unknown {
  if (Array.isArray(object)) {
    if (typeof key !== "number" || !Number.isInteger(key)) return noMatch();
    const index = key < 0 ? object.length + key : key;
    return index >= 0 && index < object.length ? object[index] : noMatch();
  }
  if (object === null || typeof object !== "object" || object instanceof RegExp) return noMatch();
  const name = String(key);
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : noMatch();
}

function callMethod(name: string, target: unknown, args: unknown[]): unknown {
  if (name === "test") {
    return target instanceof RegExp && typeof args[0] === "string"
      ? target.test(args[0])
      : noMatch();
  }
  if (typeof target !== "string") return noMatch();
  const text = (i: number) => (typeof args[i] === "string" ? args[i] as string : noMatch());
  switch (name) {
    case "startswith":
    case "startsWith":
      return target.startsWith(text(0));
    case "endswith":
    case "endsWith":
      return target.endsWith(text(0));
    case "includes":
      return target.includes(text(0));
    case "lower":
    case "toLowerCase":
      return target.toLowerCase();
    case "upper":
    case "toUpperCase":
      return target.toUpperCase();
    case "strip":
    case "trim":
      return target.trim();
    case "lstrip":
      return target.trimStart();
    case "rstrip":
      return target.trimEnd();
    default: // match, search: a regex or pattern text; truthy when it matches
      return toRegExp(args[0]).test(target);
  }
}

/**
 * Evaluates a compiled filter against `current` (`@`) and `root` (`$`). Returns the
 * expression's value (use `isTruthy` for the verdict). Throws `NoMatch` when the
 * filter touches a missing key or mixes types, which callers treat as no match.
 */
export function evaluateFilter(
  node: FilterNode,
  scope: { current: unknown; root: unknown },
): unknown {
  const ev = (child: FilterNode) => evaluateFilter(child, scope);
  switch (node.type) {
    case "current":
      return scope.current;
    case "root":
      return scope.root;
    case "literal":
      return node.value;
    case "list":
      return node.items.map(ev);
    case "member":
      return member(
        ev(node.object),
        typeof node.property === "string" ? node.property : ev(node.property),
      );
    case "conditional":
      return isTruthy(ev(node.test)) ? ev(node.consequent) : ev(node.alternate);
    case "unary": {
      const value = ev(node.argument);
      if (node.operator === "not" || node.operator === "!") return !isTruthy(value);
      if (typeof value !== "number") return noMatch();
      return node.operator === "-" ? -value : value;
    }
    case "call": {
      const args = node.args.map(ev);
      if (node.target === null) {
        const [value] = args; // len()
        if (typeof value === "string" || Array.isArray(value)) return value.length;
        if (value !== null && typeof value === "object") return Object.keys(value).length;
        return noMatch();
      }
      return callMethod(node.name, ev(node.target), args);
    }
    case "binary": {
      const { operator } = node;
      if (operator === "and" || operator === "&&") {
        const left = ev(node.left);
        return isTruthy(left) ? ev(node.right) : left;
      }
      if (operator === "or" || operator === "||") {
        const left = ev(node.left);
        return isTruthy(left) ? left : ev(node.right);
      }
      const left = ev(node.left);
      const right = ev(node.right);
      switch (operator) {
        case "==":
        case "===":
          return pyEquals(left, right);
        case "!=":
        case "!==":
          return !pyEquals(left, right);
        case "is":
          return left === right;
        case "is not":
          return left !== right;
        case "in":
          return contains(right, left);
        case "not in":
          return !contains(right, left);
        case "=~":
          return typeof left === "string" ? toRegExp(right).test(left) : noMatch();
        case "!~":
          return typeof left === "string" ? !toRegExp(right).test(left) : noMatch();
        case "<":
        case "<=":
        case ">":
        case ">=":
          return compare(operator, left, right);
        default:
          return arithmetic(operator, left, right);
      }
    }
  }
}
