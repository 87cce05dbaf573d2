import { compileFilter } from "./compile_filter.ts";
import type { FilterNode } from "./compile_filter.ts";
import { evaluateFilter, isTruthy, NoMatch } from "./evaluate_filter.ts";
import { parseJsonPath } from "./parse_json_path.ts";
import type { Selector } from "./parse_json_path.ts";

/** A selector ready to run: filter and script texts compiled to expression trees. */
type CompiledSelector =
  | Exclude<Selector, { kind: "filter" } | { kind: "script" }>
  | { kind: "filter" | "script"; filter: FilterNode };

interface CompiledStep {
  recursive: boolean;
  selectors: CompiledSelector[];
}

/** A path ready to run: parsed, with its filters compiled. */
export interface CompiledQuery {
  readonly expression: string;
  readonly steps: readonly CompiledStep[];
}

/**
 * Parses and compiles a JSONPath of the reference's dialect. Throws `QuerySyntaxError`
 * for a bad path or filter, before any data is touched.
 */
export function compileQuery(expression: string): CompiledQuery {
  const steps = parseJsonPath(expression).steps.map((step) => ({
    recursive: step.recursive,
    selectors: step.selectors.map((selector): CompiledSelector =>
      selector.kind === "filter" || selector.kind === "script"
        ? { kind: selector.kind, filter: compileFilter(selector.source) }
        : selector
    ),
  }));
  return { expression, steps };
}

type Data = Record<string, unknown>;

const isObject = (value: unknown): value is Data | unknown[] =>
  value !== null && typeof value === "object";

/** The members of a value in the reference's order: list items, or dict values by sorted key. */
function membersOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isObject(value)) return [];
  return Object.keys(value).sort().map((key) => (value as Data)[key]);
}

/** Whether a list or dict holds another list or dict (its members could match a step). */
function hasObjectMember(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isObject);
  if (!isObject(value)) return false;
  for (const key in value) if (isObject((value as Data)[key])) return true;
  return false;
}

/** Python's `list[index]` with negative indexes; `undefined` past either end. */
function at(list: unknown[], index: number): unknown {
  const i = index < 0 ? list.length + index : index;
  return i >= 0 && i < list.length ? list[i] : undefined;
}

/** Python's `list[start:end:step]`. */
function slice(list: unknown[], start: number | null, end: number | null, step: number | null) {
  const by = step ?? 1;
  if (by === 0) return [];
  const n = list.length;
  const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);
  const norm = (value: number) => (value < 0 ? value + n : value);
  const out: unknown[] = [];
  if (by > 0) {
    const from = start === null ? 0 : clamp(norm(start), 0, n);
    const to = end === null ? n : clamp(norm(end), 0, n);
    for (let i = from; i < to; i += by) out.push(list[i]);
  } else {
    const from = start === null ? n - 1 : clamp(norm(start), -1, n - 1);
    const to = end === null ? -1 : clamp(norm(end), -1, n - 1);
    for (let i = from; i > to; i += by) out.push(list[i]);
  }
  return out;
}

/** A member by name or index: a dict's own key, or a list's item. */
function member(value: unknown, key: unknown): unknown {
  if (Array.isArray(value)) {
    return typeof key === "number" && Number.isInteger(key) ? at(value, key) : undefined;
  }
  if (!isObject(value)) return undefined;
  const name = String(key);
  return Object.hasOwn(value, name) ? (value as Data)[name] : undefined;
}

function evaluate(filter: FilterNode, current: unknown, root: unknown): unknown {
  try {
    return evaluateFilter(filter, { current, root });
  } catch (error) {
    if (error instanceof NoMatch) return undefined;
    throw error;
  }
}

/** Applies one selector to one value, appending its matches to `out`. */
function select(selector: CompiledSelector, value: unknown, root: unknown, out: unknown[]): void {
  switch (selector.kind) {
    case "name": {
      if (Array.isArray(value) || !isObject(value)) return;
      if (Object.hasOwn(value, selector.name)) out.push((value as Data)[selector.name]);
      return;
    }
    case "index": {
      if (!Array.isArray(value)) return;
      const item = at(value, selector.index);
      if (item !== undefined) out.push(item);
      return;
    }
    case "slice":
      if (Array.isArray(value)) {
        for (const item of slice(value, selector.start, selector.end, selector.step)) {
          out.push(item);
        }
      }
      return;
    case "wildcard":
      for (const item of membersOf(value)) out.push(item);
      return;
    case "filter":
      for (const item of membersOf(value)) {
        if (isTruthy(evaluate(selector.filter, item, root))) out.push(item);
      }
      return;
    case "script": {
      const key = evaluate(selector.filter, value, root);
      if (key === undefined) return;
      const item = member(value, key);
      if (item !== undefined) out.push(item);
      return;
    }
  }
}

/** A step's selectors over a whole list: every match of the first selector, then the next. */
function applyStep(step: CompiledStep, values: readonly unknown[], root: unknown, out: unknown[]) {
  for (const selector of step.selectors) {
    for (const value of values) select(selector, value, root, out);
  }
}

/**
 * `..X` as the reference runs it: X over the whole list, then, for each value of the
 * list in order, the same over its members. An explicit stack instead of recursion,
 * so a chain of processes as deep as the kernel allows cannot overflow the call stack.
 */
function applyRecursive(step: CompiledStep, values: unknown[], root: unknown): unknown[] {
  const out: unknown[] = [];
  const pending: unknown[][] = [values];
  while (pending.length > 0) {
    const list = pending.pop()!;
    applyStep(step, list, root, out);
    for (let i = list.length - 1; i >= 0; i--) {
      // members that are all plain values match nothing at any step: skip them before
      // paying for the sorted order (a stat record has some fifty of them)
      if (!hasObjectMember(list[i])) continue;
      pending.push(membersOf(list[i]));
    }
  }
  return out;
}

/**
 * Runs a compiled query against `document` and returns the matched values, in the
 * reference's order: a union yields all matches of its first selector, then of the
 * next; `..` yields the matches among a list of siblings before anything below them;
 * dict members come in sorted key order. Always a list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileQuery, runQuery } from "./query.ts";
 * const node = (pid: number, children?: unknown[]) => ({ stat: { pid }, ...(children && { children }) });
 * const doc = { children: [node(1, [node(10, [node(11), node(12)]), node(20)])] };
 * assert(runQuery(compileQuery("$..stat.pid"), doc).join() === "1,10,20,11,12");
 * assert(runQuery(compileQuery("$..children[0,1].stat.pid"), doc).join() === "1,10,11,20,12");
 * ```
 */
export function runQuery(query: CompiledQuery, document: object): unknown[] {
  let values: unknown[] = [document];
  for (const step of query.steps) {
    if (step.recursive) values = applyRecursive(step, values, document);
    else {
      const out: unknown[] = [];
      applyStep(step, values, document, out);
      values = out;
    }
  }
  return values;
}

/** Every node of a query's filters (and scripts), each once, in no particular order. */
function* filterNodes(query: CompiledQuery): Generator<FilterNode> {
  const pending: FilterNode[] = [];
  for (const step of query.steps) {
    for (const selector of step.selectors) {
      if (selector.kind === "filter" || selector.kind === "script") pending.push(selector.filter);
    }
  }
  while (pending.length > 0) {
    const node = pending.pop()!;
    yield node;
    switch (node.type) {
      case "member":
        pending.push(node.object);
        if (typeof node.property !== "string") pending.push(node.property);
        break;
      case "list":
        pending.push(...node.items);
        break;
      case "unary":
        pending.push(node.argument);
        break;
      case "binary":
        pending.push(node.left, node.right);
        break;
      case "conditional":
        pending.push(node.test, node.consequent, node.alternate);
        break;
      case "call":
        if (node.target) pending.push(node.target);
        pending.push(...node.args);
        break;
    }
  }
}

/** The key a member node reads literally (`@.x`, `@['x']`), `null` for a computed one. */
const literalKey = (node: FilterNode & { type: "member" }) =>
  typeof node.property === "string"
    ? node.property
    : node.property.type === "literal"
    ? String(node.property.value)
    : null;

/**
 * Returns the keys a query reads from process nodes: names in its path
 * (`$..status.vmrss` → `status`) and the first member a filter or script takes of
 * `@` (`@.io.read_bytes` → `io`). The caller compares them with the procfiles read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileQuery, keysRead } from "./query.ts";
 * const keys = keysRead(compileQuery("$..children[?(@.status.vmrss > 1 and @['io'])].stat.pid"));
 * assert([...keys].sort().join() === "children,io,pid,stat,status");
 * ```
 */
export function keysRead(query: CompiledQuery): Set<string> {
  const keys = new Set<string>();
  for (const step of query.steps) {
    for (const selector of step.selectors) {
      if (selector.kind === "name") keys.add(selector.name);
    }
  }
  for (const node of filterNodes(query)) {
    if (node.type !== "member" || node.object.type !== "current") continue;
    const key = literalKey(node);
    if (key !== null) keys.add(key);
  }
  return keys;
}

/** A key a query names literally, with the key it is taken from (`null`: from a node). */
export interface NamedKey {
  parent: string | null;
  key: string;
}

/**
 * Returns the keys a query names literally, each once, with the key each is taken from
 * where the query says it (`$..stat.pdi` and `@.stat.pdi` → `pdi` from `stat`), so the
 * caller can check them against the fields procfiles have.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileQuery, keysNamed } from "./query.ts";
 * assert.deepEqual(keysNamed(compileQuery("$..chilren[?(@.stat.pdi == 1)]")), [
 *   { parent: null, key: "chilren" },
 *   { parent: "stat", key: "pdi" },
 *   { parent: null, key: "stat" },
 * ]);
 * ```
 */
export function keysNamed(query: CompiledQuery): NamedKey[] {
  const found = new Map<string, NamedKey>();
  const add = (parent: string | null, key: string) => {
    const id = `${parent}\0${key}`;
    if (!found.has(id)) found.set(id, { parent, key });
  };
  let previous: string | null = null;
  for (const step of query.steps) {
    const only = step.selectors.length === 1 ? step.selectors[0] : null;
    for (const selector of step.selectors) {
      if (selector.kind === "name") add(step.recursive ? null : previous, selector.name);
    }
    previous = only?.kind === "name" ? only.name : null;
  }
  for (const node of filterNodes(query)) {
    if (node.type !== "member") continue;
    const key = literalKey(node);
    if (key === null) continue;
    if (node.object.type === "current") add(null, key);
    else if (node.object.type === "member" && node.object.object.type === "current") {
      const parent = literalKey(node.object);
      if (parent !== null) add(parent, key);
    }
  }
  return [...found.values()];
}

/**
 * Whether a query can do without procfile `file` altogether: its results are the
 * values of named keys (its last step picks names, neither `children` nor `file`), and
 * no step or filter can reach `file` (filters name every key literally and never read
 * the root). `$..children[?(@.stat.pid == 1)]..pid` needs no `cmdline`; `$..children`
 * and `[?(@['cmd' + 'line'])]` do.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileQuery, ignoresProcfile } from "./query.ts";
 * assert(ignoresProcfile(compileQuery("$..children[?(@.stat.pid == 1)]..pid"), "cmdline"));
 * assert(!ignoresProcfile(compileQuery("$..children[?(@.stat.pid == 1)]"), "cmdline"));
 * ```
 */
export function ignoresProcfile(query: CompiledQuery, file: string): boolean {
  const last = query.steps.at(-1);
  if (!last || !last.selectors.every((s) => s.kind === "name" && s.name !== "children")) {
    return false;
  }
  for (const step of query.steps) {
    if (step.selectors.some((s) => s.kind === "name" && s.name === file)) return false;
  }
  for (const node of filterNodes(query)) {
    if (node.type === "root") return false;
    if (node.type === "member") {
      const key = literalKey(node);
      if (key === null || key === file) return false;
    }
  }
  return true;
}

const isStatPid = (node: FilterNode) =>
  node.type === "member" && node.property === "pid" && node.object.type === "member" &&
  node.object.property === "stat" && node.object.object.type === "current";
const integerLiteral = (node: FilterNode) =>
  node.type === "literal" && typeof node.value === "number" && Number.isInteger(node.value)
    ? node.value
    : null;

/**
 * The PIDs a query selects branches by, when its first step is a recursive filter on
 * `stat.pid` alone — `$..children[?(@.stat.pid == N)]` or `… in [A, B]`, with any
 * steps after — so only those branches need reading; `null` for any other shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { branchPidsOf, compileQuery } from "./query.ts";
 * assert(branchPidsOf(compileQuery("$..children[?(@.stat.pid in [7, 9])]..pid"))?.join() === "7,9");
 * assert(branchPidsOf(compileQuery("$..children[?(@.stat.ppid == 7)]")) === null);
 * ```
 */
export function branchPidsOf(query: CompiledQuery): number[] | null {
  const [first, second] = query.steps;
  if (
    !first?.recursive || first.selectors.length !== 1 || first.selectors[0]!.kind !== "name" ||
    first.selectors[0]!.name !== "children" || !second || second.recursive ||
    second.selectors.length !== 1 || second.selectors[0]!.kind !== "filter"
  ) return null;
  const filter = second.selectors[0]!.filter;
  if (filter.type !== "binary") return null;
  if (filter.operator === "==" || filter.operator === "===") {
    const value = isStatPid(filter.left)
      ? integerLiteral(filter.right)
      : isStatPid(filter.right)
      ? integerLiteral(filter.left)
      : null;
    return value === null ? null : [value];
  }
  if (filter.operator === "in" && isStatPid(filter.left) && filter.right.type === "list") {
    const values = filter.right.items.map(integerLiteral);
    return values.every((v) => v !== null) ? values as number[] : null;
  }
  return null;
}
