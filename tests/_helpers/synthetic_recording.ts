import { DatabaseSync } from "node:sqlite";
import type { ProcFileName } from "../../src/procfs/mod.ts";
import {
  buildMeta,
  columnsFor,
  CREATE_META_TABLE_SQL,
  createRecordTableSql,
} from "../../src/store/mod.ts";

/**
 * Creates an empty recording with the schema of `columnsFrom` (default: `files`) and
 * meta saying `files` were recorded (page size 4096, 100 clock ticks), and returns it
 * open for the caller's rows.
 */
export function syntheticRecording(
  path: string,
  files: readonly ProcFileName[],
  columnsFrom: readonly ProcFileName[] = files,
): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(createRecordTableSql(columnsFor(columnsFrom)));
  db.exec(CREATE_META_TABLE_SQL);
  const meta = buildMeta({
    system: {
      pageSize: 4096,
      clockTicks: 100,
      physicalPages: 4_000_000,
      cpuCount: 2,
      hostname: "synthetic",
      osRelease: "6",
    },
    files,
    procfsPath: "/proc",
    target: "process",
  });
  const insert = db.prepare("INSERT INTO meta VALUES (?, ?)");
  for (const [key, value] of Object.entries(meta)) insert.run(key, value);
  return db;
}
