export { columnsFor, CREATE_META_TABLE_SQL, createRecordTableSql } from "./schema.ts";
export type { Column } from "./schema.ts";
export { flattenNodes, isProcessNode, toSqlValue } from "./flatten.ts";
export type { Row, SqlValue } from "./flatten.ts";
export { openStore, SchemaMismatchError, SqlError } from "./open_store.ts";
export type { OpenStoreOptions, ResultValue, Store } from "./open_store.ts";
export { buildMeta, PROCPATH_VERSION } from "./meta.ts";
export type { MetaOptions } from "./meta.ts";
