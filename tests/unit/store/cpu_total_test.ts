// cpu_total, the SQL twin of model/cpu.ts: against a simulated tree's own CPU count
// (the truth, independent of both) and against the model, row by row.
import { assertEquals } from "../../_helpers/assert.ts";
import { simulate } from "../../_helpers/process_simulation.ts";
import type { SimSample } from "../../_helpers/process_simulation.ts";
import { syntheticRecording } from "../../_helpers/synthetic_recording.ts";
import { ReapedCpuTracker } from "../../../src/model/cpu.ts";
import { RateTracker } from "../../../src/model/rates.ts";
import { BUILTIN_QUERIES, openRecording } from "../../../src/store/mod.ts";
import { BOOT_TIME_META_KEY } from "../../../src/store/queries.ts";
import { DatabaseSync } from "node:sqlite";
import { openTimeline } from "../../../src/store/timeline.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";

const HZ = 100;
const BOOT = 1_700_000_000;

/** Writes samples into a recording (ts: unix seconds), `keep` deciding which processes each holds. */
function write(
  samples: readonly SimSample[],
  keep: (pid: number, tick: number) => boolean = () => true,
  bounded = false,
): string {
  const path = Deno.makeTempFileSync({ suffix: ".sqlite" });
  const db = syntheticRecording(path, ["stat"]);
  // the simulated machine has the CPUs its tree needs (an interval is at least what the
  // recorded CPUs need for its CPU: a test below has them)
  if (!bounded) db.exec("DELETE FROM meta WHERE key = 'cpu_count'");
  const insert = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_starttime, stat_utime, " +
      "stat_stime, stat_cutime, stat_cstime, stat_rss) VALUES (?,?,?,?,?,?,?,?,?,0)",
  );
  db.exec("BEGIN");
  for (const { tick, processes } of samples) {
    for (const p of processes) {
      if (!keep(p.pid, tick)) continue;
      insert.run(
        BOOT + tick / HZ,
        p.pid,
        p.ppid,
        p.comm,
        p.starttime,
        p.utime,
        p.stime,
        p.cutime,
        p.cstime,
      );
    }
  }
  db.exec("COMMIT");
  db.close();
  return path;
}

/** cpu_total's rows: ticks per (ts, pid). */
function sqlTicks(path: string): Map<string, number> {
  const recording = openRecording(path);
  try {
    const ticks = new Map<string, number>();
    const times = openTimeline(path).times();
    const previous = new Map(times.map((t, i) => [t, times[i - 1]!]));
    for (const row of recording.series(BUILTIN_QUERIES.cpu_total!, {})) {
      const value = Number(row.value) / 100 * HZ * (row.ts - previous.get(row.ts)!);
      ticks.set(`${row.ts}/${row.pid}`, Math.round(value * 1e6) / 1e6);
    }
    return ticks;
  } finally {
    recording.close();
  }
}

/** The model over the same recording: ticks per (ts, pid). */
function modelTicks(path: string): Map<string, number> {
  const timeline = openTimeline(path);
  try {
    const tracker = new ReapedCpuTracker(HZ, timeline.bootAt());
    const ticks = new Map<string, number>();
    let first = true;
    for (const { ts, roots } of timeline.samples()) {
      const nodes: ProcessNode[] = [];
      const walk = (n: ProcessNode) => {
        nodes.push(n);
        n.children?.forEach(walk);
      };
      roots.forEach(walk);
      const used = tracker.next(nodes, ts);
      if (first) {
        first = false;
        continue;
      }
      for (const [pid, c] of used) {
        ticks.set(`${ts}/${pid}`, c.userOwn + c.systemOwn + c.userReaped + c.systemReaped);
      }
    }
    return ticks;
  } finally {
    timeline.close();
  }
}

const byTs = (ticks: Map<string, number>) => {
  const sums = new Map<number, number>();
  for (const [key, value] of ticks) {
    const ts = Number(key.split("/")[0]);
    sums.set(ts, (sums.get(ts) ?? 0) + value);
  }
  return sums;
};

for (const seed of [11, 12, 13]) {
  Deno.test(`cpu_total sums to a simulated tree's CPU in every interval and agrees with the model row by row (seed ${seed}, #31)`, () => {
    const { samples, usedBy } = simulate({ seed, ticks: 2000, every: 50 });
    const path = write(samples);
    try {
      const sql = sqlTicks(path), model = modelTicks(path);
      assertEquals(sql, model);
      const sums = byTs(sql);
      for (const { tick } of samples.slice(1)) {
        assertEquals(Math.round(sums.get(BOOT + tick / HZ) ?? 0), usedBy.get(tick), `tick ${tick}`);
      }
    } finally {
      Deno.removeSync(path);
    }
  });
}

Deno.test("cpu_total credits nothing to a process re-entering a filtered selection, as the model (#31)", () => {
  const { samples } = simulate({ seed: 21, ticks: 2000, every: 50, exitChance: 0.002 });
  // every other sample leaves the odd PIDs out, as a filter that stops and starts matching
  const path = write(samples, (pid, tick) => pid % 2 === 0 || pid === 1 || tick % 100 === 0);
  try {
    const sql = sqlTicks(path), model = modelTicks(path);
    assertEquals(sql, model);
    // a process back in the selection after a sample without it, born before that
    // sample, used its CPU of the interval unseen: it is credited nothing
    let reentries = 0;
    for (const { tick, processes } of samples) {
      if (tick === 0 || tick % 100 !== 0) continue;
      for (const p of processes) {
        if (p.pid % 2 === 0 || p.pid === 1 || p.starttime > tick - 50 - 25) continue;
        assertEquals(sql.get(`${BOOT + tick / HZ}/${p.pid}`), 0, `${p.pid} at ${tick}`);
        reentries++;
      }
    }
    assertEquals(reentries > 20, true, `${reentries} re-entries`);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("cpu_total takes an old process first entering mid-recording as entered where the recording has btime (#31)", () => {
  // PID 5 started 500 s after boot with 1,000 s of CPU; a filter matches it from the third
  // sample on, beside PID 2 (started at 10 s); nothing younger is ever recorded
  const old = (pid: number, utime: number) => ({
    pid,
    ppid: 1,
    starttime: pid === 5 ? 50_000 : 1_000,
    utime,
    stime: 0,
    cutime: 0,
    cstime: 0,
    comm: `p${pid}`,
  });
  const samples: SimSample[] = [0, 50, 100, 150].map((k, i) => ({
    tick: 200_000 + k,
    processes: i < 2 ? [old(2, 10)] : [old(2, 10), old(5, 100_000 + i)],
  }));
  const path = write(samples);
  try {
    const entered = () => sqlTicks(path).get(`${BOOT + 2001}/5`);
    // the samples alone cannot tell: PID 5 is the youngest thing they show
    assertEquals(entered(), 100_002);
    const db = new DatabaseSync(path);
    db.prepare("INSERT INTO meta VALUES (?, ?)").run(BOOT_TIME_META_KEY, String(BOOT));
    db.close();
    assertEquals(entered(), 0);
    assertEquals(sqlTicks(path), modelTicks(path));
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("cpu_total's intervals are at least what the recording's CPUs need for their CPU, as the replay's (a late-read sample, #31)", () => {
  // three busy processes read 0.5 s of stamps apart used 277 ticks: 2 CPUs need 1.385 s
  const busy = (pid: number, utime: number) => ({
    pid,
    ppid: 1,
    starttime: 10,
    utime,
    stime: 0,
    cutime: 0,
    cstime: 0,
    comm: `p${pid}`,
  });
  const samples: SimSample[] = [
    { tick: 1000, processes: [busy(2, 0), busy(3, 0), busy(4, 0)] },
    { tick: 1050, processes: [busy(2, 100), busy(3, 100), busy(4, 77)] },
    { tick: 1100, processes: [busy(2, 120), busy(3, 120), busy(4, 97)] },
  ];
  const path = write(samples, undefined, true);
  const recording = openRecording(path);
  try {
    const percent = new Map<number, number>();
    for (const row of recording.series(BUILTIN_QUERIES.cpu_total!, {})) {
      percent.set(row.ts, (percent.get(row.ts) ?? 0) + Number(row.value));
    }
    assertEquals(Math.round(percent.get(BOOT + 10.5)! * 1e6) / 1e6, 200);
    // 60 ticks in 0.5 s fit 2 CPUs: the stamps stand
    assertEquals(Math.round(percent.get(BOOT + 11)! * 1e6) / 1e6, 120);
    const timeline = openTimeline(path);
    try {
      const rates = new RateTracker({ pageSize: 4096, clockTicks: HZ, cpus: 2 }, {
        bootAt: timeline.bootAt(),
      });
      const total = (ts: number) => {
        const nodes = timeline.forestAt(ts).flatMap((r) => [r, ...(r.children ?? [])]);
        return rates.next(nodes as ProcessNode[], ts * 1000).reduce(
          (sum, r) => sum + r.userPercent + r.systemPercent + r.reapedPercent,
          0,
        );
      };
      total(BOOT + 10);
      assertEquals(Math.round(total(BOOT + 10.5) * 1e6) / 1e6, 200);
      assertEquals(Math.round(total(BOOT + 11) * 1e6) / 1e6, 120);
    } finally {
      timeline.close();
    }
  } finally {
    recording.close();
    Deno.removeSync(path);
  }
});
