export {
  columnsFor,
  CREATE_EVENT_TABLE_SQL,
  CREATE_META_TABLE_SQL,
  createRecordTableSql,
  EVENT_META_KEY,
} from "./schema.ts";
export type { Column, ProcessEventRow } from "./schema.ts";
export { flattenNodes, isProcessNode, RowFlattener, toSqlValue } from "./flatten.ts";
export type { Row, SqlValue } from "./flatten.ts";
export { openStore, SchemaMismatchError, SqlError } from "./open_store.ts";
export type { OpenStoreOptions, ResultValue, Store } from "./open_store.ts";
export { buildMeta, PROCPATH_VERSION } from "./meta.ts";
export type { MetaOptions } from "./meta.ts";
export { BUILTIN_QUERIES, createQuery, FILTER_CUT_LINE } from "./queries.ts";
export type { CreateQueryOptions, SeriesQuery } from "./queries.ts";
export { openRecording, QueryRequirementError } from "./open_recording.ts";
export type { ProcessFacts, Recording, SeriesFilter, SeriesRow } from "./open_recording.ts";
export { queryNodes } from "./query_nodes.ts";
export type { QueryNodesOptions } from "./query_nodes.ts";
