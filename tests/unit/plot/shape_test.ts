// plot's lines on a real-shaped recording (a 15-process service with 300 short-lived
// helpers): top N and others, the min-samples filter and each grouping, with every sum
// checked against SQL over the same rows.
import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../../_helpers/assert.ts";
import { writeServiceRecording } from "../../_helpers/service_recording.ts";
import { shapeSeries } from "../../../src/plot/mod.ts";
import type { Line, ShapeOptions } from "../../../src/plot/mod.ts";
import { BUILTIN_QUERIES, openRecording } from "../../../src/store/mod.ts";

const dir = Deno.makeTempDirSync();
const db = `${dir}/service.sqlite`;
const service = writeServiceRecording(db);
const MIB = 4096 / 1024 / 1024; // the rss query's MiB per page

function lines(options: Partial<ShapeOptions>, subtree = false): Line[] {
  const recording = openRecording(db);
  try {
    return shapeSeries(
      recording.series(BUILTIN_QUERIES.rss, {}),
      recording.processFacts({}, subtree),
      { grouping: { kind: "pid" }, top: 10, rankBy: "mean", minSamples: 1, ...options },
    );
  } finally {
    recording.close();
  }
}

/** `SELECT ts, SUM(stat_rss) … WHERE <where> GROUP BY ts` in MiB, by time. */
function sqlSums(where: string): Map<number, number> {
  const sql = new DatabaseSync(db, { readOnly: true });
  try {
    const rows = sql.prepare(
      `SELECT ts, SUM(stat_rss) rss FROM record WHERE ${where} GROUP BY ts ORDER BY ts`,
    ).all() as { ts: number; rss: number }[];
    return new Map(rows.map((r) => [r.ts, r.rss * MIB]));
  } finally {
    sql.close();
  }
}

function assertSums(line: Line | undefined, expected: Map<number, number>, what: string) {
  assertEquals(line !== undefined, true, `${what}: no line`);
  assertEquals(line!.points.length, expected.size, `${what}: sample count`);
  for (const [t, v] of line!.points) {
    assertEquals(
      Math.abs(v - expected.get(t)!) < 1e-9,
      true,
      `${what} at ${t}: ${v} ≠ ${expected.get(t)}`,
    );
  }
}

const find = (all: Line[], key: string) => all.find((l) => l.key === key);

Deno.test("by default: the ten largest processes by mean, the rest summed into others", () => {
  const all = lines({});
  assertEquals(all.length, 11);
  // the workers hold 10 MiB steps: 1014 is largest; the leader (19.5 MiB) is not in the top
  assertEquals(all.slice(0, 10).map((l) => l.pid), service.workers.slice(4).reverse());
  assertEquals(
    all.map((l) => l.measure).slice(0, 10).every((m, i, a) => i === 0 || m <= a[i - 1]),
    true,
  );
  const others = all[10];
  assertEquals([others.key, others.detail], ["others", `${service.pids.length - 10} processes`]);
  const top = all.slice(0, 10).map((l) => l.pid).join(",");
  assertSums(others, sqlSums(`stat_pid NOT IN (${top})`), "others");
  assertEquals(lines({ top: 0 }).length, service.pids.length);
});

Deno.test("--min-samples leaves short-lived processes out of every line, others included", () => {
  const all = lines({ minSamples: 3 });
  const top = all.slice(0, 10).map((l) => l.pid).join(",");
  assertSums(
    find(all, "others"),
    sqlSums(
      `stat_pid NOT IN (${top}) AND stat_pid IN ` +
        "(SELECT stat_pid FROM record GROUP BY stat_pid HAVING COUNT(*) >= 3)",
    ),
    "others of processes seen 3 times or more",
  );
  const kept = lines({ minSamples: 3, top: 0 }).length;
  assertEquals(kept < service.pids.length && kept > 15, true, `${kept} processes kept`);
});

Deno.test("--group-by comm sums each command name's processes", () => {
  const all = lines({ grouping: { kind: "comm" } });
  assertEquals(all[0].label, "gunicorn");
  assertEquals(all.map((l) => l.label).sort(), ["gunicorn", "gzip", "head", "sleep"]);
  for (const comm of ["gunicorn", "sleep", "gzip", "head"]) {
    assertSums(find(all, `comm:${comm}`), sqlSums(`stat_comm = '${comm}'`), comm);
  }
  assertEquals(find(all, "comm:gunicorn")!.detail, "15 processes");
});

Deno.test("--group-by cmdline:REGEX sums by the first group; unmatched processes keep their own lines", () => {
  const all = lines({ grouping: { kind: "cmdline", pattern: /gunicorn: (\w+)/ }, top: 3 });
  assertEquals(all.map((l) => l.key), [
    "cmdline:worker",
    "cmdline:master",
    "pid:" + all[2].pid,
    "others",
  ]);
  assertSums(find(all, "cmdline:worker"), sqlSums("cmdline LIKE 'gunicorn: worker%'"), "workers");
  assertSums(find(all, "cmdline:master"), sqlSums("cmdline LIKE 'gunicorn: master%'"), "master");
});

Deno.test("--group-by subtree: a root and its descendants at each sample, or each top-level process", () => {
  const worker = service.workers[3];
  const descendants = (ts: string) =>
    `stat_pid = ${worker} OR (stat_ppid = ${worker} AND ts = ${ts})`;
  const one = lines({ grouping: { kind: "subtree", roots: [worker] } }, true);
  assertEquals(one.map((l) => [l.key, l.label]), [[`subtree:${worker}`, `subtree ${worker}`]]);
  assertSums(one[0], sqlSums(`(${descendants("record.ts")})`), "one worker's subtree");
  // without roots, the leader is the one top-level process: its subtree is everything
  const whole = lines({ grouping: { kind: "subtree" } }, true);
  assertEquals(whole.map((l) => l.key), [`subtree:${service.leader}`]);
  assertSums(whole[0], sqlSums("1"), "the whole service");
  assertEquals(whole[0].detail, `gunicorn, ${service.pids.length} processes`);
});

Deno.test("--rank-by max and last rank by the peak and by the value at the last sample", () => {
  // every worker is steady, so max and mean agree; helpers alive at the end rank by last
  assertEquals(lines({ rankBy: "max" }).slice(0, 3).map((l) => l.pid), [1014, 1013, 1012]);
  const last = lines({ rankBy: "last", top: 0 });
  const end = service.times.at(-1)!;
  const gone = last.filter((l) => l.points.at(-1)![0] !== end);
  assertEquals(gone.every((l) => l.measure === 0), true);
});
