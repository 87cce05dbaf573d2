export { readSnapshot } from "./read_snapshot.ts";
export type { SnapshotContext, SnapshotSource } from "./read_snapshot.ts";
export { ReadWarnings, unreadProcfiles, unreadProcfilesWarning } from "./read_warnings.ts";
