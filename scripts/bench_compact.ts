/**
 * Benchmarks the compact layout (#35) on two real recordings made in the same run, each
 * copied into both layouts by `procpath convert` (so both hold the same rows, VACUUMed):
 *
 * - bytes per process-sample: a mostly idle branch of PROCESSES processes and the whole
 *   host, `record -i 1 -r SAMPLES`, each table's share, and beside them what other
 *   encodings take of the same data: the layouts as JSON lists of state ids (the first
 *   design, unrolled by `json_each`), and the plain file gzipped whole (atop's way; no
 *   SQL can read it);
 * - the time of `plot -q cpu`, explore's charts (every chart of the catalogue, as its
 *   server computes them) and `top -b --recording` (the whole replay), on the plain copy
 *   and the compact one, interleaved, RUNS times each: medians and the ratio.
 *
 *   deno run -A scripts/bench_compact.ts [PROCESSES] [SAMPLES] [RUNS]   (1000, 30, 5)
 */
import { median, procpathCommand, spawnTree } from "./_bench_tree.ts";
import { chartCatalogue, chartData } from "../src/explore/charts.ts";
import { openReadOnly } from "../src/store/explore_reads.ts";
import { openTimeline } from "../src/store/timeline.ts";
import { DatabaseSync } from "node:sqlite";

const PROCESSES = Number(Deno.args[0] ?? 1000);
const SAMPLES = Number(Deno.args[1] ?? 30);
const RUNS = Number(Deno.args[2] ?? 5);

const load = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
const [deno, ...run] = procpathCommand();

/** Runs procpath with `args`; returns its wall time, ms. Throws on a non-zero exit. */
async function procpath(args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(deno, { args: [...run, ...args], stdout: "null" }).output();
  if (!out.success) {
    throw new Error(`procpath ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return performance.now() - t0;
}

/** Rows, samples, each table's bytes and what other encodings of the same rows take. */
function figures(plain: string, compact: string) {
  const db = new DatabaseSync(compact, { readOnly: true });
  const get = (sql: string) => Number(Object.values(db.prepare(sql).get()!)[0] ?? 0);
  const rows = get("SELECT COUNT(*) FROM record");
  const samples = get("SELECT COUNT(*) FROM record_sample");
  const states = get("SELECT COUNT(*) FROM record_state");
  const layouts = get("SELECT COUNT(DISTINCT layout_id) FROM record_run");
  const runs = get("SELECT COUNT(*) FROM record_run");
  const tables = Object.fromEntries(
    (db.prepare("SELECT name, SUM(pgsize) bytes FROM dbstat GROUP BY name").all() as {
      name: string;
      bytes: number;
    }[]).map((t) => [t.name, Number(t.bytes)]),
  );
  // the first design: each layout a JSON list of its state ids ("[1,2,…]" in a row)
  const jsonList = get(
    "SELECT SUM(LENGTH(u.first_state + o.n) + 1) FROM record_run u " +
      "JOIN record_ordinal o ON o.n < u.count",
  ) + layouts * 6;
  db.close();
  const plainDb = new DatabaseSync(plain, { readOnly: true });
  const plainRecord = Number(
    (plainDb.prepare("SELECT SUM(pgsize) b FROM dbstat WHERE name = 'record'").get()!).b,
  );
  plainDb.close();
  const size = Deno.statSync(compact).size;
  return {
    rows,
    samples,
    states,
    layouts,
    runs,
    tables,
    plain: Deno.statSync(plain).size,
    plainRecord,
    compactRecord: ["record_state", "record_run", "record_sample", "record_ordinal"]
      .reduce((sum, t) => sum + (tables[t] ?? 0), 0),
    compact: size,
    jsonList: size - (tables.record_run ?? 0) - (tables.record_ordinal ?? 0) + jsonList,
  };
}

async function gzipped(path: string): Promise<number> {
  const stream = (await Deno.open(path)).readable.pipeThrough(new CompressionStream("gzip"));
  let bytes = 0;
  for await (const chunk of stream) bytes += chunk.length;
  return bytes;
}

/** Interleaved timings of `task` on each file: medians in ms. */
async function timed(
  files: Record<string, string>,
  task: (file: string) => Promise<number> | number,
): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, file] of Object.entries(files)) (times[name] ??= []).push(await task(file));
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** Every chart explore's catalogue offers, computed as its server does; ms. */
function exploreCharts(file: string): number {
  const timeline = openTimeline(file);
  const times = timeline.times();
  const files = timeline.files;
  const clockTicks = Number(timeline.meta.clock_ticks ?? 100);
  timeline.close();
  const db = openReadOnly(file);
  const t0 = performance.now();
  for (const chart of chartCatalogue(files)) {
    chartData(db, chart.id, { width: 1200, top: 10 }, [times[0]!, times.at(-1)!], { clockTicks });
  }
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-compact-" });
const tree = await spawnTree(dir, PROCESSES);
try {
  console.log(`load before recording: ${load()}`);
  const recordings = { idle: `${dir}/idle.sqlite`, host: `${dir}/host.sqlite` };
  // both at once: the same 30 seconds of this host
  await Promise.all([
    procpath([
      "record",
      "-i",
      "1",
      "-r",
      String(SAMPLES),
      "-p",
      String(tree.rootPid),
      "-d",
      recordings.idle,
    ]),
    procpath(["record", "-i", "1", "-r", String(SAMPLES), "-d", recordings.host]),
  ]);
  console.log(`load after recording: ${load()}`);
  for (const [name, raw] of Object.entries(recordings)) {
    const compact = raw.replace(".sqlite", ".compact.sqlite");
    const plain = raw.replace(".sqlite", ".plain.sqlite");
    await procpath(["convert", raw, compact]);
    await procpath(["convert", "--plain", compact, plain]);
    const f = figures(plain, compact);
    const per = (bytes: number) => (bytes / f.rows).toFixed(1);
    console.log(
      `\n${name === "idle" ? `${PROCESSES}-process mostly idle branch` : "whole host"}: ` +
        `${f.rows} process-samples in ${f.samples} samples ` +
        `(${f.states} states, ${f.layouts} layouts of ${f.runs} runs)`,
    );
    console.log(`  plain (VACUUM)                      ${per(f.plain)} bytes a process-sample`);
    console.log(
      `  compact (VACUUM)                    ${per(f.compact)} (` +
        ["record_state", "record_run", "record_sample", "record_ordinal", "process_event"]
          .map((t) => `${t} ${per(f.tables[t] ?? 0)}`).join(", ") +
        ")",
    );
    console.log(`  compact, layouts as JSON lists      ${per(f.jsonList)}`);
    console.log(
      `  the record rows alone (no meta, no process_event): plain ${per(f.plainRecord)}, ` +
        `compact ${per(f.compactRecord)}`,
    );
    console.log(`  plain gzipped whole (no SQL)        ${per(await gzipped(plain))}`);
  }
  const host = {
    plain: `${dir}/host.plain.sqlite`,
    compact: `${dir}/host.compact.sqlite`,
  };
  const svg = `${dir}/cpu.svg`;
  const report = (what: string, t: Record<string, number>) =>
    console.log(
      `  ${what.padEnd(34)} plain ${t.plain!.toFixed(0)} ms, compact ${
        t.compact!.toFixed(0)
      } ms: ` +
        `${(t.compact! / t.plain!).toFixed(2)}× (load ${load()})`,
    );
  console.log(`\nwhole-host recording, medians of ${RUNS} interleaved runs:`);
  report(
    "plot -q cpu",
    await timed(host, (f) => procpath(["plot", "-d", f, "-q", "cpu", "-f", svg])),
  );
  report("explore's charts (in process)", await timed(host, exploreCharts));
  report(
    "top -b --recording (every sample)",
    await timed(host, (f) => procpath(["top", "-b", "--recording", f])),
  );
} finally {
  await tree.kill();
  Deno.removeSync(dir, { recursive: true });
}
