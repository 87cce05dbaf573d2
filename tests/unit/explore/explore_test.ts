import { assertEquals } from "../../_helpers/assert.ts";
import { syntheticRecording } from "../../_helpers/synthetic_recording.ts";
import { treeAt } from "../../../src/explore/tree_at.ts";
import { chartCatalogue, chartData } from "../../../src/explore/charts.ts";
import type { ChartData, Lifetime } from "../../../src/explore/charts.ts";
import { openTimeline } from "../../../src/store/timeline.ts";
import { openReadOnly } from "../../../src/store/explore_reads.ts";

/**
 * A recording of three samples 10 s apart: a parent (1) and a child (2) that burns a
 * second of CPU each interval; a third process (3) appears at the second sample.
 */
async function recording(): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/r.sqlite`;
  const db = syntheticRecording(path, ["stat", "cmdline"]);
  const insert = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_starttime, stat_utime, " +
      "stat_stime, stat_cutime, stat_cstime, stat_rss, cmdline) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
  );
  for (const [i, ts] of [1000, 1010, 1020].entries()) {
    insert.run(ts, 1, 0, "init", 1, 10, 0, 0, 0, 256, "init");
    insert.run(ts, 2, 1, "busy", 2, 100 * i, 0, 0, 0, 512 * (i + 1), "busy --loop");
    if (i > 0) insert.run(ts, 3, 1, "late", 3, 0, 0, 0, 0, 256, "");
  }
  db.close();
  return { path, dir };
}

Deno.test("treeAt: the tree of a sample with CPU since the one before and subtree totals", async () => {
  const { path, dir } = await recording();
  const timeline = openTimeline(path);
  try {
    const times = timeline.times();
    const first = treeAt(timeline, times, 1000);
    assertEquals([first.sample, first.rows.map((r) => r.pid)], [1, [1, 2]]);
    assertEquals(first.rows[1].cpu, 0); // no sample before the first
    const second = treeAt(timeline, times, 1015); // the sample at or before the moment
    assertEquals([second.ts, second.sample], [1010, 2]);
    assertEquals(second.rows.map((r) => [r.pid, r.depth]), [[1, 0], [2, 1], [3, 1]]);
    assertEquals(second.rows[1].cpu, 10); // 100 ticks in 10 s: 10 % of a core
    assertEquals(second.rows[1].rss, 4); // 1024 pages of 4 KiB
    assertEquals(second.rows[0].subtree, { processes: 3, rss: 6, cpu: 10, pss: null });
  } finally {
    timeline.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chartData: totals per pixel column, per-process lines, the process timeline", async () => {
  const { path, dir } = await recording();
  const db = openReadOnly(path);
  try {
    const ids = chartCatalogue(["stat", "cmdline"]).map((c) => c.id);
    assertEquals(ids.includes("rss") && ids.includes("timeline"), true);
    assertEquals(ids.includes("total_io"), false); // no io recorded
    const request = { width: 3, top: 5 };
    const rss = chartData(db, "total_rss", request, [1000, 1020], { clockTicks: 100 }) as ChartData;
    assertEquals(rss.series.map((s) => s.key), ["total_rss"]);
    assertEquals(rss.series[0].y, [3, 6, 8]); // MiB: 1+2, 1+4+1, 1+6+1
    const lines = chartData(db, "rss", request, [1000, 1020], { clockTicks: 100 }) as ChartData;
    assertEquals(lines.series[0].pid, 2); // the largest first
    assertEquals(lines.series[0].y, [2, 4, 6]);
    const lives = chartData(db, "timeline", request, [1000, 1020], {
      clockTicks: 100,
    }) as Lifetime[];
    assertEquals(lives.map((l) => [l.pid, l.first, l.last, l.cpu]), [
      [1, 1000, 1020, 0],
      [2, 1000, 1020, 10],
      [3, 1010, 1020, 0],
    ]);
  } finally {
    db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
