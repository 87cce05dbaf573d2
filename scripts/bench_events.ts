/**
 * What listening for process events costs: `procpath record -i 1` of a subtree that
 * forks about 100 short processes a second, with the connector (the default) and with
 * `--no-events`, each run's CPU (user + system of procpath and its threads, from
 * bash's `times`) over its wall time. The difference is the listener's share of a
 * core; the recording's `process_event` table gives the fork rate it handled.
 *
 *   deno task bench:events [SECONDS] [RUNS]      (defaults 20 and 3)
 */
import { DatabaseSync } from "node:sqlite";
import { median } from "./_bench_tree.ts";

const SECONDS = Number(Deno.args[0] ?? 20);
const RUNS = Number(Deno.args[1] ?? 3);
const here = new URL("..", import.meta.url).pathname;
const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-events-" });

/** About 100 forks a second: a short command and a 16 ms sleep (two forks). */
const workload = new Deno.Command("setsid", {
  args: ["sh", "-c", "while :; do /bin/true; sleep 0.016; done"],
  stdout: "null",
  stderr: "null",
}).spawn();

/** Runs one recording; returns its CPU as % of one core and the forks it stored per second. */
async function run(events: boolean, index: number): Promise<{ cpu: number; forks: number }> {
  const db = `${dir}/run-${events}-${index}.sqlite`;
  const started = performance.now();
  const args = [
    `${here}scripts/procpath`,
    "record",
    "-i",
    "1",
    "-r",
    String(SECONDS + 1),
    "-d",
    db,
    "-p",
    String(workload.pid),
    ...(events ? [] : ["--no-events"]),
  ].map((a) => `'${a}'`).join(" ");
  const out = await new Deno.Command("bash", {
    args: ["-c", `${args} 2>/dev/null; times`],
    stdout: "piped",
  }).output();
  const wall = (performance.now() - started) / 1000;
  const times = [...new TextDecoder().decode(out.stdout).matchAll(/(\d+)m([\d.]+)s/g)]
    .map((m) => Number(m[1]) * 60 + Number(m[2]));
  // bash's own line, then its children's (procpath): user and system
  const cpu = (times[2] + times[3]) / wall * 100;
  let forks = 0;
  if (events) {
    const sql = new DatabaseSync(db, { readOnly: true });
    forks = Number(
      (sql.prepare("SELECT COUNT(*) n FROM process_event WHERE kind = 'fork'").get() as {
        n: number;
      }).n,
    ) / SECONDS;
    sql.close();
  }
  return { cpu, forks };
}

try {
  const withEvents: number[] = [], without: number[] = [], rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await run(true, i);
    const b = await run(false, i);
    withEvents.push(a.cpu);
    without.push(b.cpu);
    rates.push(a.forks);
    console.log(
      `run ${i + 1}: ${a.forks.toFixed(0)} forks/s; record ${a.cpu.toFixed(2)} % of a core ` +
        `with events, ${b.cpu.toFixed(2)} % without: the listener ${(a.cpu - b.cpu).toFixed(2)} %`,
    );
  }
  const range = (xs: number[]) =>
    `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)} (median ${median(xs).toFixed(2)})`;
  const listener = withEvents.map((w, i) => w - without[i]);
  console.log(`forks/s handled: ${range(rates)}`);
  console.log(`record -i 1 with events: ${range(withEvents)} % of a core`);
  console.log(`record -i 1 --no-events: ${range(without)} % of a core`);
  console.log(`the listener: ${range(listener)} % of a core (target ≤ 1 %)`);
} finally {
  try {
    Deno.kill(-workload.pid, "SIGKILL");
  } catch { /* gone */ }
  await workload.status;
  Deno.removeSync(dir, { recursive: true });
}
