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

/**
 * Serialises a value as Python's `json.dumps` does with sorted keys: `", "` and
 * `": "` separators inline, or one item per line with `indent` spaces.
 */
export function toPythonJson(value: unknown, indent?: number): string {
  const write = (item: unknown, depth: number): string => {
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
    const entries: [string | null, unknown][] = Array.isArray(item)
      ? item.map((v) => [null, v])
      : Object.keys(item as object).sort().map((k) => [k, (item as Record<string, unknown>)[k]]);
    const [open, close] = Array.isArray(item) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return open + close;
    const parts = entries.map(([k, v]) =>
      (k === null ? "" : quote(k) + ": ") + write(v, depth + 1)
    );
    if (indent === undefined) return open + parts.join(", ") + close;
    const pad = "\n" + " ".repeat(indent * (depth + 1));
    return open + pad + parts.join("," + pad) + "\n" + " ".repeat(indent * depth) + close;
  };
  return write(value, 0);
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
