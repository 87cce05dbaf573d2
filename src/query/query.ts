import { JSONPath } from "jsonpath-plus";
import { compileFilter } from "./compile_filter.ts";
import type { FilterNode } from "./compile_filter.ts";
import { evaluateFilter, isTruthy, NoMatch } from "./evaluate_filter.ts";
import { QuerySyntaxError } from "./errors.ts";
import { parseJsonPath } from "./parse_json_path.ts";
import type { Selector } from "./parse_json_path.ts";

/** A path ready to run: the jsonpath-plus form, with filters compiled. */
export interface CompiledQuery {
  readonly expression: string;
  /** The canonical jsonpath-plus path; filters appear as `?(#n)` placeholders. */
  readonly path: string;
}

// jsonpath-plus hands filter code to the `eval` callback and caches it by text, so
// each distinct filter source gets one stable placeholder id for the process's life.
const filterIds = new Map<string, number>();
const filters: FilterNode[] = [];

function intern(source: string): number {
  let id = filterIds.get(source);
  if (id === undefined) {
    filters.push(compileFilter(source));
    id = filters.length - 1;
    filterIds.set(source, id);
  }
  return id;
}

function selectorText(selector: Selector, expression: string): string {
  switch (selector.kind) {
    case "name":
      if (/['\];]/.test(selector.name)) {
        throw new QuerySyntaxError(
          `Cannot parse query "${expression}": a name with ', ] or ; is not supported`,
          { expression, position: 0 },
        );
      }
      return `'${selector.name}'`;
    case "index":
      return selector.index >= 0
        ? String(selector.index)
        : `${selector.index}:${selector.index === -1 ? "" : selector.index + 1}`;
    case "slice":
      return `${selector.start ?? ""}:${selector.end ?? ""}` +
        (selector.step === null ? "" : `:${selector.step}`);
    case "wildcard":
      return "*";
    case "filter":
      return `?(#${intern(selector.source)})`;
    case "script":
      return `(#${intern(selector.source)})`;
  }
}

/**
 * Parses and compiles a JSONPath of the reference's dialect. Throws `QuerySyntaxError`
 * for a bad path or filter, before any data is touched.
 */
export function compileQuery(expression: string): CompiledQuery {
  const ast = parseJsonPath(expression);
  let path = "$";
  for (const step of ast.steps) {
    if (step.recursive) path += "..";
    path += `[${step.selectors.map((s) => selectorText(s, expression)).join(",")}]`;
  }
  return { expression, path };
}

interface Sandbox {
  _$_v: unknown;
  _$_root: unknown;
}

function evaluatePlaceholder(code: string, sandbox: Sandbox): unknown {
  const script = code.startsWith("(");
  const id = Number(code.slice(script ? 2 : 1, script ? -1 : undefined));
  try {
    const value = evaluateFilter(filters[id], { current: sandbox._$_v, root: sandbox._$_root });
    return script ? value : isTruthy(value);
  } catch (error) {
    if (error instanceof NoMatch) return script ? undefined : false;
    throw error;
  }
}

/**
 * Runs a compiled query against `document` and returns the matched values, in
 * document order (depth-first, children after the node itself). Always a list.
 *
 * @example
 * ```ts
 * import { compileQuery, runQuery } from "./query.ts";
 * const doc = { children: [{ stat: { pid: 1 }, children: [{ stat: { pid: 7 } }] }] };
 * const pids = runQuery(compileQuery("$..children[?(@.stat.pid > 1)].stat.pid"), doc);
 * console.assert(pids.join() === "7");
 * ```
 */
export function runQuery(query: CompiledQuery, document: object): unknown[] {
  return JSONPath({
    path: query.path,
    json: document,
    wrap: true,
    resultType: "value",
    eval: evaluatePlaceholder as never,
  }) as unknown[];
}
