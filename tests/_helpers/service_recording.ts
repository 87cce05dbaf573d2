import { syntheticRecording } from "./synthetic_recording.ts";

/** The shape of a generated service recording. */
export interface ServiceRecording {
  /** The service's leader: the root of its subtree. */
  leader: number;
  /** The long-lived workers, children of the leader. */
  workers: number[];
  /** Every PID recorded. */
  pids: number[];
  /** Sample times, unix seconds. */
  times: number[];
}

/**
 * Writes a recording of a service as `record -i 1 -p <leader>` sees one for two
 * minutes: a leader, 14 workers with steady memory and CPU, and short-lived helpers
 * (`sleep`, `head`, `gzip`) that each live one to three samples — 250+ PIDs in all.
 * Deterministic: the same rows every run.
 */
export function writeServiceRecording(path: string, samples = 120): ServiceRecording {
  const db = syntheticRecording(path, ["stat", "cmdline"]);
  const insert = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_rss, stat_utime, stat_stime, " +
      "cmdline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const leader = 1000, workers = Array.from({ length: 14 }, (_, i) => 1001 + i);
  const start = 1_763_800_000;
  const times: number[] = [];
  const pids = new Set<number>();
  let nextHelper = 5000;
  const helpers: { pid: number; ppid: number; comm: string; from: number; to: number }[] = [];
  for (let s = 0; s < samples; s++) {
    // two or three helpers start every sample, each living 1–3 samples
    for (let k = 0; k < 2 + (s % 2); k++) {
      const life = 1 + ((s + k) % 3);
      helpers.push({
        pid: nextHelper++,
        ppid: workers[(s + k) % workers.length],
        comm: ["sleep", "head", "gzip"][(s + k) % 3],
        from: s,
        to: s + life - 1,
      });
    }
  }
  db.exec("BEGIN");
  for (let s = 0; s < samples; s++) {
    const ts = start + s;
    times.push(ts);
    const row = (
      pid: number,
      ppid: number,
      comm: string,
      rssPages: number,
      ticks: number,
      cmd: string,
    ) => {
      pids.add(pid);
      insert.run(ts, pid, ppid, comm, rssPages, ticks, 0, cmd);
    };
    row(leader, 1, "gunicorn", 5000, s * 2, "gunicorn: master [app]");
    workers.forEach((pid, i) =>
      // worker i holds (i + 1) × 2560 pages (10 MiB per step) and uses i % 5 ticks a second
      row(pid, leader, "gunicorn", (i + 1) * 2560, s * (i % 5), `gunicorn: worker [app] ${i}`)
    );
    for (const helper of helpers) {
      if (helper.from <= s && s <= helper.to) {
        row(helper.pid, helper.ppid, helper.comm, 100, s - helper.from, `${helper.comm} 1`);
      }
    }
  }
  db.exec("COMMIT");
  db.close();
  return { leader, workers, pids: [...pids].sort((a, b) => a - b), times };
}
