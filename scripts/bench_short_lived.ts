/**
 * How much of what lives between samples procpath counts, on real fork storms:
 * - a shell loop of short children recorded with `record -i 0.5` (its subtree): the `cpu_total`
 *   query's CPU (time-weighted) over the kernel's own count (the loop's utime + stime +
 *   cutime + cstime), and the reference's `cpu` query over the same;
 * - `record -- bash -c '…; times'`: the summary's CPU over bash's own `times`;
 * - a loop of distinct `/bin/true` runs under `record --`: commands named in
 *   `process_event` over commands exec'd.
 *
 *   deno task bench:short-lived [RUNS]      (default 3)
 */
import { DatabaseSync } from "node:sqlite";
import { BUILTIN_QUERIES } from "../src/store/queries.ts";

const RUNS = Number(Deno.args[0] ?? 3);
const here = new URL("..", import.meta.url).pathname;
const procpath = `${here}scripts/procpath`;
const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-short-" });

const storm = (seconds: number) =>
  `end=$(($(date +%s) + ${seconds})); while [ $(date +%s) -lt $end ]; do ` +
  `sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'; done`;

async function run(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  if (!out.success) throw new Error(`${command} ${args.join(" ")}: ${decode(out.stderr)}`);
  return { stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** A query's values summed per sample, averaged with each interval weighted by its length. */
function average(db: DatabaseSync, name: string): number {
  const rows = db.prepare(BUILTIN_QUERIES[name].sql).all({
    after: null,
    before: null,
    pid_list: null,
  }) as { ts: number; value: number }[];
  const byTs = new Map<number, number>();
  for (const { ts, value } of rows) byTs.set(ts, (byTs.get(ts) ?? 0) + value);
  const times = (db.prepare("SELECT DISTINCT ts FROM record ORDER BY ts").all() as { ts: number }[])
    .map((r) => r.ts);
  let weighted = 0;
  for (let i = 1; i < times.length; i++) {
    weighted += (byTs.get(times[i]) ?? 0) * (times[i] - times[i - 1]);
  }
  return weighted / (times.at(-1)! - times[0]);
}

const timesOf = (stdout: string) =>
  [...stdout.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (s, m) => s + Number(m[1]) * 60 + Number(m[2]),
    0,
  );

const totals: number[] = [],
  references: number[] = [],
  summaries: number[] = [],
  named: number[] = [];
try {
  for (let run_ = 0; run_ < RUNS; run_++) {
    // 1. the storm, recorded by PID
    const loop = new Deno.Command("setsid", {
      args: ["sh", "-c", storm(30)],
      stdout: "null",
      stderr: "null",
    }).spawn();
    const db = `${dir}/storm-${run_}.sqlite`;
    // the subtree alone: -p would keep its ancestors too
    await run(procpath, [
      "record",
      "-i",
      "0.5",
      "-r",
      "13",
      "-d",
      db,
      `$..children[?(@.stat.pid == ${loop.pid})]`,
    ]);
    Deno.kill(-loop.pid, "SIGKILL");
    await loop.status;
    const sql = new DatabaseSync(db, { readOnly: true });
    const at = (f: string) =>
      sql.prepare(
        `SELECT ts, stat_utime + stat_stime + stat_cutime + stat_cstime t FROM record ` +
          `WHERE stat_pid = ${loop.pid} AND ts = (SELECT ${f}(ts) FROM record)`,
      ).get() as { ts: number; t: number };
    const [first, last] = [at("MIN"), at("MAX")];
    const ticks = Number(
      (sql.prepare("SELECT value FROM meta WHERE key = 'clock_ticks'").get() as {
        value: string;
      }).value,
    );
    const truth = (last.t - first.t) / ticks / (last.ts - first.ts) * 100;
    totals.push(average(sql, "cpu_total") / truth);
    references.push(average(sql, "cpu") / truth);
    sql.close();

    // 2. record -- COMMAND's summary against bash's own count
    const tree = await run(procpath, [
      "record",
      "-i",
      "1",
      "-d",
      `${dir}/run-${run_}.sqlite`,
      "--",
      "bash",
      "-c",
      `(${storm(3)}) & (${storm(3)}) & wait; times`,
    ]);
    summaries.push(Number(/CPU +([\d.]+) s/.exec(tree.stderr)![1]) / timesOf(tree.stdout));

    // 3. names of short commands
    const script = `${dir}/names.sh`;
    Deno.writeTextFileSync(
      script,
      `end=$(($(date +%s) + 5)); n=0\nwhile [ $(date +%s) -lt $end ]; do /bin/true "cmd-$n"; ` +
        `n=$((n+1)); done\necho "$n" > ${dir}/count\n`,
    );
    const names = `${dir}/names-${run_}.sqlite`;
    await run(procpath, ["record", "-i", "1", "-d", names, "--", "sh", script]);
    const events = new DatabaseSync(names, { readOnly: true });
    const count = Number(
      (events.prepare(
        "SELECT COUNT(DISTINCT cmdline) n FROM process_event WHERE kind = 'exec' AND " +
          "cmdline LIKE '/bin/true cmd-%'",
      ).get() as { n: number }).n,
    );
    events.close();
    named.push(count / Number(Deno.readTextFileSync(`${dir}/count`)));
    console.log(
      `run ${run_ + 1}: cpu_total/kernel ${totals.at(-1)!.toFixed(3)}, cpu/kernel ${
        references.at(-1)!.toFixed(3)
      }, summary/times ${summaries.at(-1)!.toFixed(3)}, named ${
        (named.at(-1)! * 100).toFixed(1)
      } %`,
    );
  }
  const range = (xs: number[], scale = 1, digits = 3) =>
    `${(Math.min(...xs) * scale).toFixed(digits)}–${(Math.max(...xs) * scale).toFixed(digits)}`;
  console.log(`storm, cpu_total / the kernel's count: ${range(totals)}`);
  console.log(`storm, the reference's cpu / the kernel's count: ${range(references)}`);
  console.log(`record -- COMMAND, summary CPU / bash times: ${range(summaries)}`);
  console.log(`commands named / exec'd: ${range(named, 100, 1)} %`);
} finally {
  Deno.removeSync(dir, { recursive: true });
}
