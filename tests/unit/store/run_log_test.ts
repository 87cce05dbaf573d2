import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../_helpers/assert.ts";
import { noteRun, parseRuns, RUNS_META_KEY } from "../../../src/store/run_log.ts";
import type { RecordedRun } from "../../../src/store/run_log.ts";

const RUN: RecordedRun = {
  start: 100,
  end: 103.5,
  command: "make -j2",
  exitCode: 0,
  userSeconds: 1.25,
  systemSeconds: 0.5,
  maxRssKib: 410564,
};

Deno.test("noteRun() appends each run to the meta value, which parseRuns() reads back in order", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/r.sqlite`;
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)");
    db.exec("INSERT INTO meta VALUES ('clock_ticks', '100')");
    db.close();
    noteRun(path, RUN);
    noteRun(path, { ...RUN, start: 200, end: 201, command: null, userSeconds: null });
    const read = new DatabaseSync(path, { readOnly: true });
    const value = read.prepare("SELECT value FROM meta WHERE key = ?").get(RUNS_META_KEY)!;
    // snake_case keys, for json_extract in SQL
    const first = read.prepare(
      "SELECT json_extract(value, '$[0].max_rss_kib') v FROM meta " +
        "WHERE key = 'runs'",
    ).get()!;
    const ticks = read.prepare("SELECT value FROM meta WHERE key = 'clock_ticks'").get()!;
    read.close();
    assertEquals(first.v, 410564);
    assertEquals(ticks.value, "100");
    const runs = parseRuns(value.value as string);
    assertEquals(runs, [RUN, { ...RUN, start: 200, end: 201, command: null, userSeconds: null }]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parseRuns() takes a missing or foreign value as no runs, and skips what is not a run", () => {
  assertEquals(parseRuns(undefined), []);
  assertEquals(parseRuns("not json"), []);
  assertEquals(parseRuns('{"start": 1}'), []);
  const runs = parseRuns(
    '[{"start": 5, "end": 4}, "x", {"start": 1, "end": 2, "user_seconds": "1"}]',
  );
  assert.equal(runs.length, 1);
  assertEquals(runs[0]!.userSeconds, null);
});
