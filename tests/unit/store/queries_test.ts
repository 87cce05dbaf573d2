import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { syntheticRecording } from "../../_helpers/synthetic_recording.ts";
import {
  BUILTIN_QUERIES,
  createQuery,
  openRecording,
  QueryRequirementError,
  SqlError,
} from "../../../src/store/mod.ts";
import type { ProcFileName } from "../../../src/procfs/mod.ts";

/** A recording of two processes over three samples, 10 s apart, with known counters. */
function recording(
  files: ProcFileName[] = ["stat", "cmdline", "io", "fd", "smaps_rollup"],
): string {
  const path = Deno.makeTempFileSync({ suffix: ".sqlite" });
  // every column exists; meta says which procfiles were "recorded"
  const db = syntheticRecording(path, files, ["stat", "cmdline", "io", "fd", "smaps_rollup"]);
  const insert = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_comm, stat_utime, stat_stime, stat_rss, stat_delayacct_blkio_ticks, " +
      "io_read_bytes, io_write_bytes, fd_reg, fd_sock, smaps_rollup_pss, smaps_rollup_private_clean, " +
      "smaps_rollup_private_dirty, smaps_rollup_swap) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
  );
  for (const [i, ts] of [1000, 1010, 1020].entries()) {
    // pid 7 burns 50 ticks per 10 s (5 % of a core at 100 ticks/s); pid 9 is idle
    insert.run(
      ts,
      7,
      "busy",
      100 + 30 * i,
      20 * i,
      256 * (i + 1),
      10 * i,
      4096 * i,
      1000 * i,
      3,
      1,
      2048,
      512,
      512,
      0,
    );
    insert.run(ts, 9, "idle", 5, 5, 512, 0, 0, 0, 1, 0, 1024, 256, 0, 1024);
  }
  db.exec(
    "UPDATE record SET fd_anon = 0, fd_dir = 0, fd_chr = 0, fd_blk = 0, fd_fifo = 0, fd_lnk = 0",
  );
  db.close();
  return path;
}

const values = (path: string, name: string, filter = {}) => {
  const recording = openRecording(path);
  try {
    return recording.series(BUILTIN_QUERIES[name], filter).map((r) => [r.pid, r.ts, r.value]);
  } finally {
    recording.close();
  }
};

Deno.test("the built-in queries compute the reference's values", () => {
  const path = recording();
  assertEquals(values(path, "rss"), [[7, 1000, 1], [7, 1010, 2], [7, 1020, 3], [9, 1000, 2], [
    9,
    1010,
    2,
  ], [9, 1020, 2]]);
  assertEquals(values(path, "cpu"), [[7, 1010, 5], [7, 1020, 5], [9, 1010, 0], [9, 1020, 0]]);
  assertEquals(values(path, "wait"), [[7, 1010, 1], [7, 1020, 1], [9, 1010, 0], [9, 1020, 0]]);
  assertEquals(values(path, "rbs").slice(0, 2), [[7, 1010, 409.6], [7, 1020, 409.6]]);
  assertEquals(values(path, "wbs")[0], [7, 1010, 100]);
  assertEquals(values(path, "fd")[0], [7, 1000, 4]);
  assertEquals([values(path, "pss")[0], values(path, "uss")[3], values(path, "swap")[3]], [
    [7, 1000, 2],
    [9, 1000, 0.25],
    [9, 1000, 1],
  ]);
  Deno.removeSync(path);
});

Deno.test("series filters apply after the differences: after, before inclusive, exact pid match", () => {
  const path = recording();
  assertEquals(values(path, "cpu", { after: 1020 }), [[7, 1020, 5], [9, 1020, 0]]);
  assertEquals(values(path, "rss", { before: 1000, pids: [9] }), [[9, 1000, 2]]);
  assertEquals(values(path, "rss", { pids: [79] }), []);
  Deno.removeSync(path);
});

Deno.test("a query's requirements are checked against meta with the reference's messages", () => {
  const path = recording(["stat", "cmdline"]);
  const rec = openRecording(path);
  assertThrows(() => rec.series(BUILTIN_QUERIES.fd, {}), QueryRequirementError);
  assertThrows(
    () => rec.series({ ...createQuery("1", "X"), procfilesRequired: ["io", "fd"] }, {}),
    /'X' requires the following procfiles missing in the database: fd, io/,
  );
  assertThrows(
    () => rec.series({ ...createQuery("1", "Y"), minVersion: [99, 0] }, {}),
    /'Y' requires SQLite version >= \(99, 0\), installed \(3, /,
  );
  assertThrows(() => rec.series(createQuery("nope", "Z"), {}), SqlError);
  assertEquals(rec.processFacts({}, false).comm, new Map([[7, "busy"], [9, "idle"]]));
  rec.close();
  Deno.removeSync(path);
});
