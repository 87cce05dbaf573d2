export {
  branchPidsOf,
  compileQuery,
  ignoresProcfile,
  keysNamed,
  keysRead,
  runQuery,
} from "./query.ts";
export type { NamedKey } from "./query.ts";
export type { CompiledQuery } from "./query.ts";
export { substitute } from "./template.ts";
export { QuerySyntaxError } from "./errors.ts";
export { parseJsonPath } from "./parse_json_path.ts";
export type { PathAst, Selector, Step } from "./parse_json_path.ts";
export { compileFilter } from "./compile_filter.ts";
export type { FilterNode } from "./compile_filter.ts";
export { evaluateFilter, isTruthy } from "./evaluate_filter.ts";
export { selectProcesses } from "./select_processes.ts";
