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
    const digits = exp!.replace(/^([+-])(\d)$/, "$10$2");
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

/** A list or dict being written, and how far the writer got. */
interface Open {
  list: readonly unknown[] | null;
  object: Record<string, unknown> | null;
  /** The dict's keys, sorted. */
  keys: string[] | null;
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
 * import assert from "node:assert/strict";
 * import { toPythonJson } from "./python_format.ts";
 * assert(toPythonJson({ b: [1, 18446744073709551615n], a: "é" }) === '{"a": "é", "b": [1, 18446744073709551615]}');
 * ```
 */
export function toPythonJson(value: unknown, indent?: number): string {
  // recursion is the fast path for ordinary trees; past a depth no tree of processes
  // reaches in practice, the rest is written with an explicit stack
  const write = (item: unknown, depth: number): string => {
    const text = scalar(item);
    if (text !== null) return text;
    if (depth >= RECURSION_LIMIT) return writeIteratively(item, indent, depth);
    const list = Array.isArray(item);
    const keys = list ? null : Object.keys(item as object).sort();
    const size = list ? (item as unknown[]).length : keys!.length;
    const [open, close] = list ? ["[", "]"] : ["{", "}"];
    if (size === 0) return open + close;
    const parts: string[] = new Array(size);
    for (let i = 0; i < size; i++) {
      parts[i] = list
        ? write((item as unknown[])[i], depth + 1)
        : quote(keys![i]!) + ": " + write((item as Record<string, unknown>)[keys![i]!], depth + 1);
    }
    if (indent === undefined) return open + parts.join(", ") + close;
    const pad = "\n" + " ".repeat(indent * (depth + 1));
    return open + pad + parts.join("," + pad) + "\n" + " ".repeat(indent * depth) + close;
  };
  return write(value, 0);
}

/** The byte writer's answer to a tree deeper than its recursion: the string writer takes it. */
class TooDeep extends Error {}

const utf8 = new TextEncoder();
// strings that need JSON escapes (or are not well formed) take the engine's JSON.stringify
// deno-lint-ignore no-control-regex -- control characters are what needs escaping
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * {@link toPythonJson} without indent, written straight to UTF-8 bytes: a whole tree's
 * JSON is a megabyte and more of small strings, and building them costs more (in time
 * and in collected garbage) than the bytes themselves — about 10 ms of a 3,000-process
 * `query`. Keys are encoded once each; plain strings go straight into the buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toPythonJson, toPythonJsonBytes } from "./python_format.ts";
 * const value = { b: [1, 2n ** 64n, "é\n"], a: null };
 * assert(new TextDecoder().decode(toPythonJsonBytes(value)) === toPythonJson(value));
 * ```
 */
export function toPythonJsonBytes(value: unknown): Uint8Array {
  let buffer = new Uint8Array(1 << 16), at = 0;
  const room = (n: number) => {
    if (at + n <= buffer.length) return;
    const grown = new Uint8Array(Math.max(buffer.length * 2, at + n));
    grown.set(buffer.subarray(0, at));
    buffer = grown;
  };
  const ascii = (text: string) => {
    room(text.length);
    for (let i = 0; i < text.length; i++) buffer[at++] = text.charCodeAt(i);
  };
  const byte = (b: number) => {
    room(1);
    buffer[at++] = b;
  };
  const keys = new Map<string, Uint8Array>();
  const write = (item: unknown, depth: number): void => {
    if (typeof item === "string") {
      if (NEEDS_ESCAPE.test(item)) {
        const quoted = quote(item);
        room(quoted.length * 3);
        at += utf8.encodeInto(quoted, buffer.subarray(at)).written;
        return;
      }
      room(item.length * 3 + 2);
      buffer[at++] = 34;
      at += utf8.encodeInto(item, buffer.subarray(at)).written;
      buffer[at++] = 34;
      return;
    }
    const text = scalar(item);
    if (text !== null) return ascii(text);
    if (depth >= RECURSION_LIMIT) throw new TooDeep();
    if (Array.isArray(item)) {
      byte(91);
      for (let i = 0; i < item.length; i++) {
        if (i > 0) ascii(", ");
        write(item[i], depth + 1);
      }
      return byte(93);
    }
    const names = Object.keys(item as object);
    for (let i = 1; i < names.length; i++) {
      if (names[i - 1]! > names[i]!) {
        names.sort();
        break;
      }
    }
    byte(123);
    for (let i = 0; i < names.length; i++) {
      let key = keys.get(names[i]!);
      if (!key) keys.set(names[i]!, key = utf8.encode(quote(names[i]!) + ": "));
      room(key.length + 2);
      if (i > 0) {
        buffer[at++] = 44;
        buffer[at++] = 32;
      }
      buffer.set(key, at);
      at += key.length;
      write((item as Record<string, unknown>)[names[i]!], depth + 1);
    }
    byte(125);
  };
  try {
    write(value, 0);
  } catch (error) {
    if (error instanceof TooDeep) return utf8.encode(toPythonJson(value));
    throw error;
  }
  return buffer.subarray(0, at);
}

/** How deep the recursive writer goes before the iterative one takes over. */
const RECURSION_LIMIT = 400;

/** {@link toPythonJson} with an explicit stack, for a value `depth` levels down. */
function writeIteratively(value: unknown, indent: number | undefined, base: number): string {
  let out = "";
  const stack: Open[] = [];
  const newline = (depth: number) => "\n" + " ".repeat((indent ?? 0) * (base + depth));
  // writes a scalar, or opens a container for its entries to follow
  const begin = (item: unknown): void => {
    const text = scalar(item);
    if (text !== null) {
      out += text;
      return;
    }
    if (Array.isArray(item)) {
      if (item.length === 0) out += "[]";
      else {
        out += "[";
        stack.push({ list: item, object: null, keys: null, next: 0, close: "]" });
      }
      return;
    }
    const object = item as Record<string, unknown>;
    const keys = Object.keys(object).sort();
    if (keys.length === 0) out += "{}";
    else {
      out += "{";
      stack.push({ list: null, object, keys, next: 0, close: "}" });
    }
  };
  begin(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const size = top!.list ? top!.list.length : top!.keys!.length;
    if (top!.next === size) {
      stack.pop();
      out += (indent === undefined ? "" : newline(stack.length)) + top!.close;
      continue;
    }
    const at = top!.next++;
    if (indent === undefined) {
      if (at > 0) out += ", ";
    } else out += (at > 0 ? "," : "") + newline(stack.length);
    if (top!.list) begin(top!.list[at]);
    else {
      const key = top!.keys![at];
      out += quote(key!) + ": ";
      begin(top!.object![key!]);
    }
  }
  return out;
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
