/**
 * Benchmarks `procpath explore` on a 1,000,000-row recording (100 processes × 10,000
 * samples): the chart endpoint alone, and in headless Chromium the time from the page
 * request to the RSS chart drawn; the server's peak memory (VmHWM).
 *
 *   deno task bench:explore [PROCESSES] [SAMPLES]
 */
import { syntheticRecording } from "../tests/_helpers/synthetic_recording.ts";
import { CHROMIUM, withChromium } from "../tests/_helpers/browser.ts";
import { repoPath } from "../tests/_helpers/run_procpath.ts";
import { readUntil } from "../tests/_helpers/processes.ts";
import { median } from "./_bench_tree.ts";

const PROCESSES = Number(Deno.args[0] ?? 100);
const SAMPLES = Number(Deno.args[1] ?? 10_000);
const RUNS = 5;

const dir = Deno.makeTempDirSync({ prefix: "procpath-bench-explore-" });
const db = `${dir}/big.sqlite`;
const made = performance.now();
const recording = syntheticRecording(db, ["stat", "cmdline"]);
const insert = recording.prepare(
  "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_utime, stat_stime, stat_rss, " +
    "stat_starttime, cmdline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
recording.exec("BEGIN");
for (let s = 0; s < SAMPLES; s++) {
  for (let p = 0; p < PROCESSES; p++) {
    const pid = 1000 + p;
    insert.run(
      1_763_800_000 + s,
      pid,
      p === 0 ? 1 : 1000,
      `worker${p % 7}`,
      s * (p % 5),
      s,
      2560 + p * 64 + (s % 50),
      7,
      `worker ${p}`,
    );
  }
}
recording.exec("COMMIT");
recording.close();
console.log(
  `recording: ${(PROCESSES * SAMPLES).toLocaleString("en-US")} rows, ` +
    `${(Deno.statSync(db).size / 1e6).toFixed(1)} MB, written in ${
      ((performance.now() - made) / 1000).toFixed(1)
    } s`,
);

const child = new Deno.Command(repoPath("scripts/procpath"), {
  args: ["explore", "--no-browser", "-p", "0", "-d", db],
  stdout: "null",
  stderr: "piped",
}).spawn();
try {
  const url = (await readUntil(child.stderr, /http:\/\/\S+#token=\w+/)).match[0];
  const base = url.slice(0, url.indexOf("/#")), token = url.slice(url.indexOf("token=") + 6);

  const endpoint: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const response = await fetch(`${base}/api/chart?id=rss&width=1200`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.json();
    endpoint.push(performance.now() - t0);
  }
  console.log(
    `GET /api/chart?id=rss (1200 px)          median ${
      median(endpoint).toFixed(0)
    } ms of ${RUNS}: ${endpoint.map((t) => t.toFixed(0)).join(", ")}`,
  );

  if (CHROMIUM) {
    const drawn: number[] = [];
    for (let i = 0; i < 3; i++) {
      await withChromium(url, { width: 1300, height: 1000 }, async (page) => {
        await page.waitFor("performance.getEntriesByName('chart:rss').length > 0", 60_000);
        drawn.push(
          await page.evaluate("performance.getEntriesByName('chart:rss')[0].startTime") as number,
        );
        // let the other charts finish, so the next run meets an idle server
        await page.waitFor("document.body.dataset.drawn !== undefined", 300_000);
      });
    }
    console.log(
      `page request → RSS chart drawn (Chromium)  median ${median(drawn).toFixed(0)} ms of 3: ${
        drawn.map((t) => t.toFixed(0)).join(", ")
      }`,
    );
  } else {
    console.log("Chromium not installed: the page timing is skipped");
  }
  const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
  console.log(`explore server peak memory (VmHWM)        ${hwm.toFixed(0)} MiB`);
} finally {
  child.kill("SIGINT");
  await child.status;
  Deno.removeSync(dir, { recursive: true });
}
