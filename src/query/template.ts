/**
 * Substitutes `$NAME` and `${NAME}` with values from `vars`, as Python's
 * `string.Template.safe_substitute` does: unknown names and lone `$` (so `$..`
 * and `$.` in JSONPath) stay as they are, and `$$` becomes `$`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { substitute } from "./template.ts";
 * assert(substitute("$..[?(@.pid in [$C1])] $$ $X", { C1: "42" }) === "$..[?(@.pid in [42])] $ $X");
 * ```
 */
export function substitute(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(
    /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\})/g,
    (whole, dollar?: string, name?: string, braced?: string) => {
      if (dollar) return "$";
      const key = name ?? braced!;
      return Object.hasOwn(vars, key) ? vars[key]! : whole;
    },
  );
}
