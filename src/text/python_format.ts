/**
 * Output in the shape Python's `json.dumps(…, sort_keys=True, ensure_ascii=False)`
 * and `str()` give, so scripts written against the reference's output keep working.
 * Integers and floats stay distinct: bigints (SQLite integers) print as integers,
 * numbers that are whole print with ".0" only when they came from a float column.
 *
 * @module
 */

/** A number known to be a float (SQLite REAL), printed with Python's float repr. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Formats a float as Python's `repr(float)`: `2648.0`, `0.1`, `1e+16`, `1e-05`. */
export function formatPythonFloat(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 16) {
    const [mantissa, exp] = value.toExponential().split("e");
    const digits = exp.replace(/^([+-])(\d)$/, "$10$2");
    return `${mantissa}e${digits}`;
  }
  const text = String(value);
  return text.includes(".") || text.includes("e") ? text : text + ".0";
}

function quote(text: string): string {
  return JSON.stringify(text);
}

function scalar(item: unknown): string | null {
  if (item === null || item === undefined) return "null";
  if (item instanceof PyFloat) return formatPythonFloat(item.value);
  switch (typeof item) {
    case "boolean":
      return item ? "true" : "false";
    case "bigint":
      return String(item);
    case "number":
      return Number.isInteger(item) ? String(item) : formatPythonFloat(item);
    case "string":
      return quote(item);
  }
  return null;
}

/** A list or dict being written: its entries and how far the writer got. */
interface Open {
  entries: [string | null, unknown][];
  next: number;
  close: string;
}

/**
 * Serialises a value as Python's `json.dumps` does with sorted keys: `", "` and
 * `": "` separators inline, or one item per line with `indent` spaces. Integers
 * print exactly at any size (bigints as their decimal). Iterative, so a process
 * chain as deep as the kernel allows prints without overflowing the call stack.
 *
 * @example
 * ```ts
 * import { toPythonJson } from "./python_format.ts";
 * console.assert(toPythonJson({ b: [1, 18446744073709551615n], a: "é" }) === '{"a": "é", "b": [1, 18446744073709551615]}');
 * ```
 */
export function toPythonJson(value: unknown, indent?: number): string {
  const out: string[] = [];
  const stack: Open[] = [];
  const newline = (depth: number) => "\n" + " ".repeat((indent ?? 0) * depth);
  // writes a scalar, or opens a container and returns it for its entries to follow
  const begin = (item: unknown): void => {
    const text = scalar(item);
    if (text !== null) return void out.push(text);
    const list = Array.isArray(item);
    const entries: [string | null, unknown][] = list
      ? item.map((v) => [null, v])
      : Object.keys(item as object).sort().map((k) => [k, (item as Record<string, unknown>)[k]]);
    const [open, close] = list ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return void out.push(open + close);
    out.push(open);
    stack.push({ entries, next: 0, close });
  };
  begin(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.next === top.entries.length) {
      stack.pop();
      out.push((indent === undefined ? "" : newline(stack.length)) + top.close);
      continue;
    }
    const [key, item] = top.entries[top.next];
    const separator = top.next === 0 ? "" : ",";
    out.push(
      indent === undefined ? (top.next === 0 ? "" : ", ") : separator + newline(stack.length),
    );
    top.next++;
    if (key !== null) out.push(quote(key) + ": ");
    begin(item);
  }
  return out.join("");
}

/** Formats one item as Python's `str()` would for scalars; objects and lists print as JSON. */
export function toPythonStr(item: unknown): string {
  if (item === null || item === undefined) return "None";
  if (item === true) return "True";
  if (item === false) return "False";
  if (item instanceof PyFloat) return formatPythonFloat(item.value);
  if (typeof item === "string") return item;
  if (typeof item === "number" || typeof item === "bigint") return toPythonJson(item);
  return toPythonJson(item);
}
