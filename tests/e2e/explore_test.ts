// procpath explore end to end: the server a user starts, the page in headless Chromium,
// and the security rules — each checked from outside, as a browser or an attacker meets them.
import { needs } from "../_helpers/needs.ts";
import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { CHROMIUM, withChromium } from "../_helpers/browser.ts";
import { readUntil } from "../_helpers/processes.ts";
import type { Page } from "../_helpers/browser.ts";
import { decodePng } from "../_helpers/png.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { recordFixture } from "../_helpers/record_fixture.ts";

const ALL_FILES = "stat,cmdline,io,status,fd,smaps_rollup";

/** A running `explore`: its URL (token included), the parts of it, and a way to stop it. */
interface Running {
  url: string;
  base: string;
  token: string;
  child: Deno.ChildProcess;
  stop(): Promise<string>;
}

async function startExplore(db: string, ...extra: string[]): Promise<Running> {
  const child = spawnProcpath(["explore", "--no-browser", "-p", "0", "-d", db, ...extra]);
  const { match, rest } = await readUntil(child.stderr, /http:\/\/\S+#token=\w+/);
  const url = match[0];
  return {
    url,
    base: url.slice(0, url.indexOf("/#")),
    token: url.slice(url.indexOf("token=") + 6),
    child,
    async stop() {
      child.kill("SIGINT");
      const status = await child.status;
      await child.stdout.cancel();
      const text = await rest;
      assertEquals(status.code, 0, text);
      return text;
    },
  };
}

async function record(dir: string): Promise<string> {
  const db = `${dir}/rec.sqlite`;
  await recordFixture(db, ["-f", ALL_FILES, "-r", "5", "-i", "0.2"]);
  return db;
}

/**
 * Drags the mouse across an element's middle from `from` to `to` (fractions of its
 * width); with `moves: false`, a press and release where the pointer lands (a tap).
 */
async function drag(page: Page, selector: string, from: number, to: number, moves = true) {
  const box = await page.evaluate(`(() => {
    const target = document.querySelector(${JSON.stringify(selector)});
    target.scrollIntoView({ block: "center" });
    const r = target.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height];
  })()`) as number[];
  const y = box[1] + box[3] / 2;
  const at = (f: number) => box[0] + box[2] * f;
  const mouse = (type: string, x: number) =>
    page.send("Input.dispatchMouseEvent", { type, x, y, button: "left", clickCount: 1 });
  if (moves) await mouse("mouseMoved", at(from));
  await mouse("mousePressed", at(from));
  for (let k = 1; moves && k <= 5; k++) await mouse("mouseMoved", at(from + (to - from) * k / 5));
  await mouse("mouseReleased", at(to));
}

Deno.test({
  ...needs(
    "explore in headless Chromium: charts, legend toggle, zoom, the tree at a clicked time, SQL",
    { "chromium is not installed": CHROMIUM !== undefined },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      const db = await record(dir);
      const server = await startExplore(db);
      try {
        await withChromium("about:blank", { width: 1300, height: 1000 }, async (page) => {
          const requests: string[] = [];
          const errors: string[] = [];
          page.on(
            "Network.requestWillBeSent",
            (p) => requests.push((p.request as { url: string }).url),
          );
          page.on("Runtime.exceptionThrown", (p) => errors.push(JSON.stringify(p)));
          page.on("Runtime.consoleAPICalled", (p) => {
            if (p.type === "error") errors.push(JSON.stringify(p.args));
          });
          page.on("Log.entryAdded", (p) => {
            const entry = p.entry as { level: string; text: string };
            if (entry.level === "error") errors.push(entry.text);
          });
          await page.send("Network.enable");
          await page.send("Runtime.enable");
          await page.send("Log.enable");
          await page.send("Page.navigate", { url: server.url });
          assertEquals(await page.waitFor("document.body?.dataset.drawn !== undefined"), true);

          // the predefined charts: every built-in query the recording answers, and the extras
          const charts = await page.evaluate(
            "JSON.stringify([...procpathExplore.charts].map(([id, c]) => [id, c.series ? c.series.length - 1 : c.procpath.data.bars.length]))",
          ) as string;
          const counts = Object.fromEntries(JSON.parse(charts));
          assertEquals(Object.keys(counts).sort(), [
            "cpu",
            "cpu_total",
            "fd",
            "pss",
            "rbs",
            "rss",
            "swap",
            "timeline",
            "total_cpu",
            "total_io",
            "total_rss",
            "uss",
            "wait",
            "wbs",
          ]);
          // 22 processes: the top 10 and others; totals one line; disk IO read, write and I/O wait
          assertEquals([counts.rss, counts.total_rss, counts.total_io, counts.timeline], [
            11,
            1,
            3,
            22,
          ]);

          // what a new user noticed: every line chart's axis starts at 0, times read as ISO
          // dates (not the browser's locale), and no two lines of a chart share a colour
          const looks = JSON.parse(
            await page.evaluate(
              `JSON.stringify([...procpathExplore.charts].filter(([, c]) => c.series)
            .map(([id, c]) => ({ id, min: c.scales.y.min,
              strokes: c.series.slice(1).map((s) => s._stroke ?? s.stroke()),
              ticks: (c.axes[0]._values || []).join(" ") })))`,
            ) as string,
          ) as { id: string; min: number; strokes: string[]; ticks: string }[];
          for (const chart of looks) {
            assertEquals(chart.min, 0, chart.id);
            assertEquals(new Set(chart.strokes).size, chart.strokes.length, chart.id);
            assertEquals(
              /\d{4}-\d{2}-\d{2}/.test(chart.ticks),
              true,
              `${chart.id}: ${chart.ticks}`,
            );
            assertEquals(
              /\d{1,2}\/\d{1,2}/.test(chart.ticks),
              false,
              `${chart.id}: ${chart.ticks}`,
            );
          }

          // a legend entry hides its line and shows it again
          const legend = '[data-chart="rss"] .u-legend .u-series:nth-child(2) > th';
          const shown = async () =>
            await page.evaluate("procpathExplore.charts.get('rss').series[1].show");
          await page.evaluate(`document.querySelector('${legend}').click()`);
          assertEquals(await shown(), false);
          await page.evaluate(`document.querySelector('${legend}').click()`);
          assertEquals(await shown(), true);

          // dragging across the RSS chart zooms every chart into that window
          const span = JSON.parse(
            await page.evaluate("JSON.stringify(procpathExplore.meta.span)") as string,
          );
          await page.evaluate("delete document.body.dataset.drawn");
          await drag(page, '[data-chart="rss"] .u-over', 0.2, 0.7);
          assertEquals(await page.waitFor("document.body.dataset.drawn !== undefined"), true);
          const zoomed = JSON.parse(
            await page.evaluate("JSON.stringify(procpathExplore.window)") as string,
          );
          assertEquals(
            zoomed[0] > span[0] && zoomed[1] < span[1] && zoomed[0] < zoomed[1],
            true,
            `${zoomed}`,
          );
          assertEquals(await page.evaluate("document.getElementById('reset').disabled"), false);

          // a click on a chart opens the tree of that moment; its totals are SQL's over the same rows
          await drag(page, '[data-chart="total_rss"] .u-over', 0.5, 0.5, false);
          assertEquals(
            await page.waitFor("procpathExplore.tree !== null", 10_000),
            true,
            String(await page.evaluate("document.getElementById('status').textContent")),
          );
          const tree = JSON.parse(
            await page.evaluate(`JSON.stringify({
          ts: procpathExplore.tree.ts,
          rows: document.querySelectorAll('#tree-table tbody tr').length,
          rss: Number(document.getElementById('tree-totals').dataset.rss),
          firefox: Number(document.querySelector('#tree-table tr[data-pid="100"]').dataset.subtreeRss),
        })`) as string,
          );
          // the moment under the pointer: inside the zoomed window, not its first sample's edge
          assertEquals(tree.ts > span[0] && tree.ts <= zoomed[1], true, `${tree.ts} in ${zoomed}`);
          const sql = new DatabaseSync(db, { readOnly: true });
          const one = (q: string) => Object.values(sql.prepare(q).get(tree.ts)!)[0] as number;
          assertEquals(tree.rows, one("SELECT COUNT(*) FROM record WHERE ts = ?"));
          const mib = 4096 / 1048576;
          assertEquals(
            Math.abs(tree.rss - one("SELECT SUM(stat_rss) FROM record WHERE ts = ?") * mib) < 1e-6,
            true,
          );
          const subtree = one(
            `WITH RECURSIVE below(pid) AS (SELECT 100 UNION SELECT stat_pid FROM record, below
          WHERE stat_ppid = below.pid AND ts = ?1) SELECT SUM(stat_rss) FROM record WHERE ts = ?1
          AND stat_pid IN (SELECT pid FROM below)`,
          );
          assertEquals(
            Math.abs(tree.firefox - subtree * mib) < 1e-6,
            true,
            `${tree.firefox} vs ${subtree * mib}`,
          );
          sql.close();
          // search keeps the matches and their ancestors
          await page.evaluate(`(() => { const s = document.getElementById('tree-search');
          s.value = 'helper.py'; s.dispatchEvent(new Event('input')); })()`);
          const visible = await page.evaluate(
            "[...document.querySelectorAll('#tree-table tbody tr:not(.hidden)')].map((r) => r.dataset.pid).join()",
          );
          assertEquals(visible, "1,100,108,111");

          // the SQL editor runs a query with Ctrl+Enter and shows its rows
          await page.evaluate(`(() => { const t = document.getElementById('sql-text');
          t.value = 'SELECT stat_pid, COUNT(*) n FROM record GROUP BY stat_pid ORDER BY stat_pid'; t.focus(); })()`);
          await page.send("Input.dispatchKeyEvent", {
            type: "keyDown",
            key: "Enter",
            code: "Enter",
            windowsVirtualKeyCode: 13,
            modifiers: 2,
          });
          assertEquals(
            await page.waitFor("document.querySelectorAll('#sql-result tbody tr').length === 22"),
            true,
          );
          assertEquals(
            await page.evaluate("document.querySelector('#sql-result tbody tr').textContent"),
            "15",
          );

          // the PIDs box keeps only those processes' lines
          await page.evaluate(`(() => { delete document.body.dataset.drawn;
          const p = document.getElementById('pids'); p.value = '100,106'; p.dispatchEvent(new Event('change')); })()`);
          assertEquals(await page.waitFor("document.body.dataset.drawn !== undefined"), true);
          assertEquals(
            await page.evaluate(
              "procpathExplore.charts.get('rss').series.map((s) => s.label).slice(1).join()",
            ),
            "100 firefox,106 Web Content",
          );

          const png = await page.screenshot();
          await Deno.writeFile(`${dir}/explore.png`, png);
          const image = await decodePng(png);
          let painted = 0;
          for (let i = 0; i < image.pixels.length; i += image.channels) {
            const [r, g, b] = image.pixels.subarray(i, i + 3);
            if (r < 200 || g < 200 || b < 200) painted++;
          }
          assertEquals(painted > 20_000, true, `${painted} painted pixels`);

          assertEquals(errors, []);
          const elsewhere = requests.filter((url) =>
            !url.startsWith(server.base) && !url.startsWith("data:")
          );
          assertEquals(elsewhere, []);
          assertEquals(requests.length > 10, true);
        });
      } finally {
        await server.stop();
      }
    }, "procpath-explore-");
  },
});

Deno.test("explore refuses what it must: tokens, hosts, writes, runaways, big bodies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "procpath-explore-" });
  const db = await record(dir);
  const before = await Deno.readFile(db);
  const server = await startExplore(db, "--query-timeout", "1");
  const call = async (
    path: string,
    init: RequestInit & { token?: string | null; host?: string } = {},
  ) => {
    const headers = new Headers(init.headers);
    if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? server.token}`);
    const response = await fetch(`${server.base}${path}`, { ...init, headers });
    return {
      status: response.status,
      body: await response.json().catch(() => null),
      headers: response.headers,
    };
  };
  const query = (sql: string) =>
    call("/api/query", { method: "POST", body: JSON.stringify({ sql }) });
  try {
    assertEquals((await call("/api/meta", { token: null })).status, 401);
    assertEquals((await call("/api/meta", { token: "0".repeat(32) })).status, 401);
    const meta = await call("/api/meta");
    assertEquals(meta.status, 200);
    assertIncludes(meta.headers.get("content-security-policy") ?? "", "default-src 'none'");
    assertEquals(meta.headers.get("x-content-type-options"), "nosniff");
    assertEquals(meta.headers.get("access-control-allow-origin"), null);
    // DNS rebinding: a page of another name pointed at 127.0.0.1
    const rebinding = await new Promise<string>((resolve, reject) => {
      const port = new URL(server.base).port;
      const conn = Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      conn.then(async (c) => {
        await c.write(new TextEncoder().encode(
          `GET /api/meta HTTP/1.1\r\nHost: evil.example:${port}\r\nAuthorization: Bearer ${server.token}\r\nConnection: close\r\n\r\n`,
        ));
        const buffer = new Uint8Array(4096);
        const n = await c.read(buffer);
        c.close();
        resolve(new TextDecoder().decode(buffer.subarray(0, n ?? 0)));
      }, reject);
    });
    assertEquals(rebinding.startsWith("HTTP/1.1 421"), true, rebinding.slice(0, 80));

    for (
      const [sql, message] of [
        ["DELETE FROM record", "delete is not allowed"],
        ["ATTACH DATABASE 'x.db' AS x", "is not allowed"],
        ["PRAGMA query_only = 0", "is not allowed"],
        ["CREATE TEMP TABLE t (x)", "is not allowed"],
        ["SELECT 1; SELECT 2", "one statement at a time"],
      ]
    ) {
      const refused = await query(sql);
      assertEquals(refused.status, 400, sql);
      assertIncludes(refused.body.error.toLowerCase(), message);
    }

    // a runaway recursive CTE is killed at the limit while the server keeps answering
    let runawayEnded = false;
    const runaway = query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c",
    ).finally(() => runawayEnded = true);
    assertEquals((await call("/api/meta")).status, 200);
    assertEquals(runawayEnded, false, "meta waited for the runaway query");
    const stopped = await runaway;
    assertEquals(stopped.status, 503);
    assertIncludes(stopped.body.error, "ran longer than 1 s and was stopped");
    // the next query runs in a fresh process
    const after = await query("SELECT COUNT(*) FROM record");
    assertEquals([after.status, after.body.rows], [200, [[110]]]);

    const big = await call("/api/query", {
      method: "POST",
      body: JSON.stringify({ sql: `SELECT '${"x".repeat(2 << 20)}'` }),
    });
    assertEquals(big.status, 413);
    assertIncludes(big.body.error, "larger than 1048576 bytes");
  } finally {
    const log = await server.stop();
    assertEquals(log.includes("Serving"), true);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  assertEquals(before.length > 0, true);
});

Deno.test("explore's command line: the reference's flags, a wider bind warned, bad input one line", async () => {
  await withTempDir(async (dir) => {
    const db = await record(dir);
    const server = await startExplore(
      db,
      "--reinstall",
      "--build-url",
      "https://example.org/x.zip",
    );
    const log = await server.stop();
    assertIncludes(log, "WARNING procpath --reinstall and --build-url are ignored");
    assertIncludes(server.url, "http://127.0.0.1:");
    const missing = await runProcpath(["explore", "--no-browser", "-d", `${dir}/none.sqlite`]);
    assertEquals(missing.code, 1);
    assertIncludes(missing.stderr, "is not a readable recording");
    const none = await runProcpath(["explore", "--no-browser"]);
    assertEquals(none.code, 2);
    assertIncludes(none.stderr, "explore needs a recording: -d DATABASE-FILE");
  });
});
