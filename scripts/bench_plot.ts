/**
 * Benchmarks `procpath plot` on synthetic recordings of the sizes, timing the
 * whole command (Deno start included) and reporting the SVG size, against the
 * reference's figures for the same work measured on this machine's kind.
 *
 *   deno task bench:plot
 */
import { syntheticRecording } from "../tests/_helpers/synthetic_recording.ts";
import { median, procpathCommand, timeCommand } from "./_bench_tree.ts";

const REFERENCE = { seconds: 11, megabytes: 11 }; // Procpath 1.14: 30,000 rows, -q rss -q cpu (issue #4)

/** Writes a recording of `processes` × `samples` rows with plausible RSS and CPU drift. */
function makeRecording(path: string, processes: number, samples: number): void {
  const db = syntheticRecording(path, ["stat", "cmdline"]);
  const insert = db.prepare(
    "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_utime, stat_stime, stat_rss, cmdline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  db.exec("BEGIN");
  for (let s = 0; s < samples; s++) {
    for (let p = 0; p < processes; p++) {
      const pid = 1000 + p;
      const wave = Math.sin((s + p) / 37);
      insert.run(
        1_700_000_000 + s,
        pid,
        1,
        `worker-${p % 50}`,
        s * (p % 7) + (s * p) % 3,
        s,
        2000 + p * 3 + Math.round(500 * wave),
        `worker --id ${p}`,
      );
    }
  }
  db.exec("COMMIT");
  db.close();
}

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-plot-" });
try {
  const cases: [string, number, number, string[]][] = [
    // every process drawn, as the reference draws them: the like-for-like comparison
    ["3,000 processes × 10 samples, -q rss -q cpu --top 0", 3000, 10, [
      "-q",
      "rss",
      "-q",
      "cpu",
      "--top",
      "0",
    ]],
    ["3,000 processes × 10 samples, -q rss -q cpu (top 10)", 3000, 10, ["-q", "rss", "-q", "cpu"]],
    ["50 processes × 10,000 samples, -q rss -q cpu -e 1 -w 10", 50, 10_000, [
      "-q",
      "rss",
      "-q",
      "cpu",
      "-e",
      "1",
      "-w",
      "10",
    ]],
    ["50 processes × 10,000 samples, -q rss -q cpu (no -e/-w)", 50, 10_000, [
      "-q",
      "rss",
      "-q",
      "cpu",
    ]],
  ];
  for (const [name, processes, samples, args] of cases) {
    const db = `${dir}/${processes}x${samples}.sqlite`;
    try {
      Deno.statSync(db);
    } catch {
      makeRecording(db, processes, samples);
    }
    const svg = `${dir}/out.svg`;
    const [deno, ...run] = procpathCommand();
    const times = timeCommand(deno, [...run, "plot", "-d", db, "-f", svg, ...args], 5);
    const mb = Deno.statSync(svg).size / 1e6;
    const seconds = median(times) / 1000;
    const versus = args.includes("--top")
      ? `  ${(REFERENCE.seconds / seconds).toFixed(1)}× faster, ${
        (REFERENCE.megabytes / mb).toFixed(1)
      }× smaller than the reference's ${REFERENCE.seconds} s / ${REFERENCE.megabytes} MB`
      : "";
    console.log(
      `${name.padEnd(58)} ${(processes * samples).toLocaleString("en-US").padStart(8)} rows  ${
        seconds.toFixed(2)
      } s  ${mb.toFixed(2)} MB${versus}`,
    );
  }
} finally {
  Deno.removeSync(dir, { recursive: true });
}
