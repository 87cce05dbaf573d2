/**
 * A recording of a ten-minute build of 20,000 processes, as `record -i 1 -- make -j8`
 * with its events would write one: `make` runs 6,667 `cc` drivers, 8 at a time, each
 * running `cc1` and then `as`; one process in 150 fails. Deterministic.
 */
import { CREATE_EVENT_TABLE_SQL } from "../../src/store/mod.ts";
import { syntheticRecording } from "./synthetic_recording.ts";

/** Writes the recording at `path`; returns how many processes it holds and how many fail. */
export function writeBigBuild(
  path: string,
  processes = 20_000,
  seconds = 600,
): { processes: number; failures: number } {
  const db = syntheticRecording(path, ["stat", "cmdline"]);
  db.exec(CREATE_EVENT_TABLE_SQL);
  db.exec("BEGIN");
  const event = db.prepare(
    "INSERT INTO process_event (ts, kind, pid, ppid, comm, cmdline, exit_code) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const row = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_starttime, stat_utime, " +
      "stat_stime, stat_cutime, stat_cstime, stat_rss, cmdline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const start = 1_800_000_000, boot = start - 1000, make = 100;
  const spans: {
    pid: number;
    ppid: number;
    comm: string;
    cmd: string;
    from: number;
    to: number;
  }[] = [];
  spans.push({
    pid: make,
    ppid: 1,
    comm: "make",
    cmd: "make -j8",
    from: start,
    to: start + seconds,
  });
  const drivers = Math.ceil((processes - 1) / 3);
  const slot = seconds / (drivers / 8);
  let pid = 1000;
  for (let d = 0; d < drivers; d++) {
    const from = start + Math.floor(d / 8) * slot + (d % 8) * 0.01;
    const to = from + slot * 0.95;
    const name = `module_${String(d).padStart(5, "0")}`;
    const cc = pid++, cc1 = pid++, as = pid++;
    spans.push({
      pid: cc,
      ppid: make,
      comm: "cc",
      cmd: `cc -O2 -c -o build/${name}.o src/${name}.c`,
      from,
      to,
    });
    spans.push({
      pid: cc1,
      ppid: cc,
      comm: "cc1",
      cmd: `/usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet src/${name}.c -O2 -o /tmp/cc${d}.s`,
      from: from + 0.001,
      to: from + slot * 0.8,
    });
    spans.push({
      pid: as,
      ppid: cc,
      comm: "as",
      cmd: `as --64 -o build/${name}.o /tmp/cc${d}.s`,
      from: from + slot * 0.8,
      to: to - 0.001,
    });
  }
  const failing = (p: { pid: number }) => p.pid % 150 === 1;
  // the recorder writes events as the kernel sends them: in time order
  const events: [
    number,
    string,
    number,
    number | null,
    string | null,
    string | null,
    number | null,
  ][] = [];
  for (const p of spans) {
    events.push([p.from, "fork", p.pid, p.ppid, null, null, null]);
    events.push([p.from + 0.0005, "exec", p.pid, null, p.comm, p.cmd, null]);
    if (p.pid !== make) events.push([p.to, "exit", p.pid, p.ppid, null, null, failing(p) ? 1 : 0]);
  }
  events.push([start + seconds, "exit", make, 1, null, null, 0]);
  events.sort((a, b) => a[0] - b[0]);
  for (const e of events) event.run(...e);
  for (let t = 0; t < seconds; t++) {
    const ts = start + t + 0.5;
    for (const p of spans) {
      if (p.from > ts || p.to < ts) continue;
      const ticks = Math.floor((ts - p.from) * (p.comm === "cc1" ? 90 : 2));
      const rss = p.comm === "cc1" ? 20_000 : p.comm === "make" ? 600 : 900;
      row.run(
        ts,
        p.pid,
        p.ppid,
        p.comm,
        Math.round((p.from - boot) * 100),
        ticks,
        0,
        0,
        0,
        rss,
        p.cmd,
      );
    }
  }
  db.exec("COMMIT");
  db.close();
  return {
    processes: spans.length,
    failures: spans.filter((p) => p.pid !== make && failing(p)).length,
  };
}
