// procpath feeding a real Prometheus (Debian's prometheus and promtool; `.ci/run` installs
// them when root, and these tests are ignored without them): a scraped endpoint over a
// spawned tree, a remote-written recording run, and a backfilled recording. Loopback only.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { readUntil, spawnGroup, waitFor } from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { recordFixture } from "../_helpers/record_fixture.ts";

const PROMETHEUS = installed("prometheus") && installed("promtool");

/** A free TCP port on loopback. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts Prometheus on loopback with `scrape` (a YAML list of scrape configs) or none. */
async function startPrometheus(dir: string, scrape = "", data = `${dir}/data`) {
  const port = freePort();
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n${
      scrape ? `scrape_configs:\n${scrape}` : ""
    }`,
  );
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${data}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--storage.tsdb.retention.time=100y",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const base = `http://127.0.0.1:${port}`;
  const ready = await waitFor(() => {
    try {
      const out = new Deno.Command("curl", { args: ["-sf", `${base}/-/ready`] }).outputSync();
      return out.success;
    } catch {
      return false;
    }
  }, 20_000);
  assertEquals(ready, true, "prometheus did not start");
  return {
    base,
    /** An instant query's vector: each result's labels and value. */
    async query(
      expression: string,
      time?: number,
    ): Promise<{ metric: Record<string, string>; value: number }[]> {
      const params = new URLSearchParams({ query: expression });
      if (time !== undefined) params.set("time", String(time));
      const body = await (await fetch(`${base}/api/v1/query?${params}`)).json();
      assertEquals(body.status, "success", JSON.stringify(body));
      return body.data.result.map((
        r: { metric: Record<string, string>; value: [number, string] },
      ) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/** Polls `check` every 500 ms for up to `ms`. */
async function eventually<T>(check: () => Promise<T | null>, ms: number): Promise<T | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== null) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

Deno.test({
  ...needs(
    "Prometheus scrapes procpath metrics: a group's RSS as procpath reads it, CPU seconds of a busy loop at ~1/s",
    { "prometheus and promtool are not installed": PROMETHEUS },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      const tree = spawnGroup(["sh", "-c", "sleep 300 & (while :; do :; done) & wait"]);
      const group = `tree=$..children[?(@.stat.pid == ${tree.pid})]`;
      const metrics = spawnProcpath(["metrics", "-p", "0", "-g", group]);
      const served = await readUntil(metrics.stderr, /http:\/\/([^/\s]+)\/metrics/);
      const target = served.match[1];
      const prometheus = await startPrometheus(
        dir,
        `  - job_name: procpath\n    static_configs:\n      - targets: ["${target}"]\n`,
      );
      try {
        // the first scrape comes a few seconds after start
        const rss = await eventually(async () => {
          const result = await prometheus.query(
            'procpath_group_resident_memory_bytes{group="tree"}',
          );
          return result.length > 0 ? result[0].value : null;
        }, 25_000);
        assertEquals(rss !== null, true, "no scrape within 25 s");
        const own = await runProcpath(["query", `$..children[?(@.stat.pid == ${tree.pid})]`]);
        const pages = [...own.stdout.matchAll(/"rss": (\d+)/g)].reduce(
          (s, m) => s + Number(m[1]),
          0,
        );
        const bytes = pages * 4096;
        assertEquals(Math.abs(rss! - bytes) / bytes < 0.1, true, `${rss} vs procpath's ${bytes}`);
        // one busy loop: CPU seconds grow by about one a second — as much as the loop really
        // ran, which on a busy machine (the suite runs in parallel on two cores) is less
        const loop = Number(
          new TextDecoder().decode(
            new Deno.Command("pgrep", { args: ["-P", String(tree.pid), "-x", "sh"] }).outputSync()
              .stdout,
          ).trim().split("\n")[0],
        );
        const ticks = () => {
          const fields = Deno.readTextFileSync(`/proc/${loop}/stat`).split(") ")[1].split(" ");
          return Number(fields[11]) + Number(fields[12]);
        };
        await new Promise((r) => setTimeout(r, 3000));
        const [t0, start] = [ticks(), Date.now()];
        await new Promise((r) => setTimeout(r, 6000));
        const ran = (ticks() - t0) / 100 / ((Date.now() - start) / 1000);
        const rate = await eventually(async () => {
          const result = await prometheus.query(
            'sum(rate(procpath_group_cpu_seconds_total{group="tree"}[6s]))',
            start / 1000 + 6,
          );
          return result.length > 0 ? result[0].value : null;
        }, 10_000);
        // under load (two busy loops beside the suite) the loop may get a quarter of a core
        assertEquals(ran > 0.1, true, `the loop ran ${ran} of a core`);
        assertEquals(
          rate !== null && Math.abs(rate - ran) < Math.min(0.3, Math.max(0.1, ran / 2)),
          true,
          `Prometheus: ${rate} CPU seconds per second; the loop ran ${ran}`,
        );
        const processes = await prometheus.query('procpath_group_processes{group="tree"}');
        assertEquals(processes[0].value, 3);
        const info = await prometheus.query("procpath_build_info");
        assertEquals(info.length, 1);
      } finally {
        await prometheus.stop();
        metrics.kill("SIGINT");
        await metrics.status;
        await served.rest;
        await metrics.stdout.cancel();
        await tree.kill();
      }
    }, "procpath-prom-");
  },
});

Deno.test({
  ...needs(
    "record --remote-write pushes a run to Prometheus, with its labels, and it queries back",
    { "prometheus and promtool are not installed": PROMETHEUS },
  ),
  async fn() {
    await withTempDir(async (dir) => {
      const prometheus = await startPrometheus(dir);
      try {
        const run = await runProcpath([
          "record",
          "--procfs",
          fixture("browser"),
          "-d",
          `${dir}/run.sqlite`,
          "-r",
          "4",
          "-i",
          "0.3",
          "--remote-write",
          `${prometheus.base}/api/v1/write`,
          "--remote-label",
          "job=ci",
          "--remote-label",
          "run=42",
        ]);
        // no warning from the push (a loaded machine may overrun an interval: that one is fine)
        const warnings = run.stderr.split("\n").filter((line) =>
          line.includes("WARNING") && !line.includes("Iteration took longer")
        );
        assertEquals([run.code, warnings], [0, []], run.stderr);
        const pushed = await eventually(async () => {
          const result = await prometheus.query('procpath_group_processes{job="ci",run="42"}');
          return result.length > 0 ? result : null;
        }, 10_000);
        assertEquals(pushed?.[0].value, 22);
        assertEquals(pushed?.[0].metric.group, "record");
        const samples = await prometheus.query(
          'count_over_time(procpath_group_processes{job="ci"}[1m])',
        );
        assertEquals(samples[0].value, 4);
      } finally {
        await prometheus.stop();
      }
    }, "procpath-prom-");
  },
});

Deno.test({
  ...needs(
    "a recording backfilled with promtool answers queries at its own times; a failing receiver only warns",
    { "prometheus and promtool are not installed": PROMETHEUS },
  ),
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/r.sqlite`;
      // nothing listens there: the recording goes on, with warnings
      const recorded = await recordFixture(db, [
        "-r",
        "3",
        "-i",
        "0.5",
        "--remote-write",
        `http://127.0.0.1:${freePort()}/api/v1/write`,
      ]);
      assertIncludes(recorded.stderr, "remote write: cannot reach");
      assertIncludes(recorded.stderr, "samples could not be sent before the end");
      const exported = await runProcpath([
        "backfill",
        "-d",
        db,
        "-g",
        "all",
        "-g",
        "firefox=$..children[?(@.stat.pid == 100)]",
        "-o",
        `${dir}/r.om`,
      ]);
      assertEquals(exported.code, 0, exported.stderr);
      const text = await Deno.readTextFile(`${dir}/r.om`);
      assertEquals(text.endsWith("# EOF\n"), true);
      const blocks = new Deno.Command("promtool", {
        args: ["tsdb", "create-blocks-from", "openmetrics", `${dir}/r.om`, `${dir}/data`],
        stdout: "piped",
        stderr: "piped",
      }).outputSync();
      assertEquals(blocks.success, true, new TextDecoder().decode(blocks.stderr));
      const last = Number(
        /procpath_group_processes\{group="all"\} \d+ ([\d.]+)\n(?!procpath_group_processes\{group="all"\})/
          .exec(text)![1],
      );
      const prometheus = await startPrometheus(dir, "", `${dir}/data`);
      try {
        const result = await prometheus.query("procpath_group_processes", last);
        const byGroup = Object.fromEntries(result.map((r) => [r.metric.group, r.value]));
        assertEquals(byGroup, { all: 22, firefox: 16 });
      } finally {
        await prometheus.stop();
      }
    }, "procpath-prom-");
  },
});
