export { readSnapshot } from "./read_snapshot.ts";
export type { SnapshotContext, SnapshotSource } from "./read_snapshot.ts";
export { queryWarnings, ReadWarnings } from "./read_warnings.ts";
// recorded_snapshot.ts is imported directly where a recording is read: it loads SQLite
