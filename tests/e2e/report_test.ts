// `procpath report` on real runs recorded by the test: Markdown read back by
// markdown-it, JSON checked against the kernel's own count of the job's CPU, the HTML
// page opened in headless Chromium (what a person sees, the timeline drawn, failures
// marked, no console error, no request), a 20,000-process build within 3 MB, and bad
// input.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import MarkdownIt from "npm:markdown-it@15.0.3";
import { assertEquals } from "../_helpers/assert.ts";
import { writeBigBuild } from "../_helpers/big_run.ts";
import { CHROMIUM, withChromium } from "../_helpers/browser.ts";
import type { Page } from "../_helpers/browser.ts";
import { badInputs, ciRecordings, recordJob, writeCProject } from "../_helpers/ci_recordings.ts";
import { needs } from "../_helpers/needs.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { syntheticRecording } from "../_helpers/synthetic_recording.ts";

const withBrowser = (name: string) => ({
  ...needs(name, { "chromium is not installed": CHROMIUM !== undefined }),
  sanitizeResources: false,
  sanitizeOps: false,
});

/** Writes the HTML report of `recording` and returns its path; `withoutEvents` expects the warning. */
async function htmlReport(recording: string, withoutEvents = false): Promise<string> {
  const out = `${recording}.${crypto.randomUUID()}.html`;
  const result = await runProcpath(["report", "-d", recording, "-o", out]);
  assertEquals(result.code, 0, result.stderr);
  if (withoutEvents) assert.match(result.stderr, /has no process events/);
  else assertEquals(result.stderr, "");
  return out;
}

/**
 * Opens `path` in Chromium and runs `use` once the timeline is drawn; fails on any
 * console message, exception, or request for anything but the page itself.
 */
async function openReport<T>(path: string, use: (page: Page) => Promise<T>): Promise<T> {
  return await withChromium("about:blank", { width: 1280, height: 1000 }, async (page) => {
    const problems: string[] = [];
    await page.send("Runtime.enable");
    await page.send("Network.enable");
    page.on("Runtime.exceptionThrown", (p) => problems.push(JSON.stringify(p)));
    page.on("Runtime.consoleAPICalled", (p) => problems.push(JSON.stringify(p)));
    page.on("Network.requestWillBeSent", (p) => {
      const url = (p.request as { url: string }).url;
      if (url !== `file://${path}`) problems.push(`request: ${url}`);
    });
    await page.send("Page.navigate", { url: `file://${path}` });
    assert.ok(
      await page.waitFor(
        "document.readyState === 'complete' && " +
          "document.getElementById('timeline-note')?.textContent.length > 0",
      ),
      "the timeline was not drawn",
    );
    const result = await use(page);
    assertEquals(problems, []);
    return result;
  });
}

/** Pixels of the timeline's canvas near a colour (`#rrggbb`), and pixels painted at all. */
const CANVAS_PIXELS = (colour: string) =>
  `(() => {
  const c = document.getElementById('timeline');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const [r, g, b] = [1, 3, 5].map((i) => parseInt('${colour}'.slice(i, i + 2), 16));
  let painted = 0, near = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240)) painted++;
    if (Math.abs(d[i] - r) < 30 && Math.abs(d[i + 1] - g) < 30 && Math.abs(d[i + 2] - b) < 30) near++;
  }
  return [painted, near];
})()`;

Deno.test("report --format markdown: markdown-it reads the build's summary and programs", async () => {
  const { build } = await ciRecordings();
  const result = await runProcpath(["report", "-d", build, "--format", "markdown"]);
  assertEquals([result.code, result.stderr], [0, ""]);
  const html = new MarkdownIt().render(result.stdout);
  assert.match(html, /<h3>procpath report: \/usr\/bin\/make -j2 -s — exit status 0<\/h3>/);
  const rows = [...html.matchAll(/<tr>\s*<td>([^<]*)<\/td>/g)].map((m) => m[1]);
  assert.ok(rows.includes("wall time") && rows.includes("CPU") && rows.includes("peak RSS"));
  assert.ok(rows.includes("cc1") && rows.includes("make") && rows.includes("as"), rows.join());
  // the forks the kernel reported, counted by SQLite
  const db = new DatabaseSync(build, { readOnly: true });
  const forks = db.prepare("SELECT count(*) n FROM process_event WHERE kind = 'fork'").get();
  db.close();
  assert.match(html, new RegExp(`<td>processes</td>\\s*<td>${forks!.n} started, 0 failed</td>`));
});

Deno.test("report --format json: the job's CPU is what the kernel counted for it", async () => {
  const { dir } = await ciRecordings();
  const project = `${dir}/oracle`;
  Deno.mkdirSync(project);
  // compiles of about a second each, as a real project's: the samples see them, so the
  // report can rank cc1 (one that lives between samples is reaped unsplit from its `as`)
  writeCProject(project, 6, 400);
  const recording = `${dir}/oracle.sqlite`;
  // the shell reaps make, which reaped every compiler: its cutime and cstime, read once
  // the build is over (and samples have seen it, even late ones under load), are the
  // build's CPU by the kernel
  const printed = await recordJob(recording, [
    "sh",
    "-c",
    "make -j2 -s; sleep 2.5; cat /proc/$$/stat",
  ], { cwd: project });
  const fields = printed.slice(printed.lastIndexOf(")") + 2).trim().split(" ").map(Number);
  // after the name: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (proc(5))
  const kernel = (fields[13 - 2]! + fields[14 - 2]! + fields[15 - 2]! + fields[16 - 2]!) / 100;
  const result = await runProcpath(["report", "-d", recording, "--format", "json"]);
  assertEquals(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.ok(kernel > 0.3, `the build used ${kernel} s`);
  assert.ok(
    Math.abs(json.cpu_s - kernel) <= Math.max(0.05, kernel * 0.05),
    `${json.cpu_s} vs ${kernel}`,
  );
  assertEquals(json.programs[0].program, "cc1", JSON.stringify(json.programs.slice(0, 3)));
  assertEquals([json.exit_status, json.failures, json.process_events], [0, 0, true]);
});

Deno.test(
  withBrowser("report -o report.html: a person sees the summary, the timeline, the tables"),
  async () => {
    const { build } = await ciRecordings();
    await openReport(await htmlReport(build), async (page) => {
      const text = await page.evaluate("document.body.innerText") as string;
      for (
        const seen of [
          "procpath report: /usr/bin/make -j2 -s",
          "exit status 0",
          "Timeline of every process",
          "CPU and RSS by program",
          "The tree at peak memory",
        ]
      ) assert.ok(text.includes(seen), seen);
      const programs = await page.evaluate(
        "[...document.querySelectorAll('#programs tbody tr td:first-child')].map((td) => td.textContent)",
      ) as string[];
      assert.ok(programs.includes("cc1") && programs.includes("make"), programs.join());
      const [painted] = await page.evaluate(CANVAS_PIXELS("#000000")) as number[];
      assert.ok(painted > 1000, `the timeline painted ${painted} pixels`);
      // hovering make's bar at the first row's left end, above the inset of the bars in it
      const tip = await page.evaluate(`(() => {
      const c = document.getElementById('timeline');
      c.dispatchEvent(new MouseEvent('mousemove', { clientX: c.getBoundingClientRect().left + 2,
        clientY: c.getBoundingClientRect().top + 1.5, bubbles: true }));
      const tip = document.getElementById('timeline-tip');
      return [tip.hidden, tip.textContent];
    })()`) as [boolean, string];
      assertEquals(tip[0], false);
      assert.match(tip[1], /^make — PID \d+/);
      assertEquals(
        await page.evaluate("document.querySelectorAll('svg.stack polygon').length > 0"),
        true,
      );
    });
  },
);

Deno.test(
  withBrowser("report -o report.html: the failing ls is outlined in red and listed"),
  async () => {
    const { script } = await ciRecordings();
    await openReport(await htmlReport(script), async (page) => {
      const [, red] = await page.evaluate(CANVAS_PIXELS("#dd0000")) as number[];
      assert.ok(red > 4, `${red} red pixels`);
      const failed = await page.evaluate(
        "[...document.querySelectorAll('#failures tbody tr')].map((tr) => tr.children[3].textContent)",
      );
      assertEquals(failed, ["exit status 2"]);
    });
  },
);

Deno.test(
  withBrowser("report: a 20,000-process build is one file under 3 MB that Chromium draws"),
  async () => {
    const { dir } = await ciRecordings();
    const recording = `${dir}/big.sqlite`;
    const { processes, failures } = writeBigBuild(recording);
    const page = await htmlReport(recording);
    const size = Deno.statSync(page).size;
    assert.ok(size <= 3 * 1024 * 1024, `${size} bytes`);
    await openReport(page, async (p) => {
      const note = await p.evaluate(
        "document.getElementById('timeline-note').textContent",
      ) as string;
      // the many processes narrower than a pixel are said so, not silently dropped
      assert.match(
        note,
        new RegExp(`of the ${processes} processes in view are shorter than a pixel`),
      );
      assertEquals(
        await p.evaluate("document.querySelectorAll('#failures tbody tr').length"),
        failures,
      );
    });
  },
);

Deno.test(
  withBrowser("report: a timeline of more rows than fit scrolls, and draws the rows in view"),
  async () => {
    const { dir } = await ciRecordings();
    const recording = `${dir}/wide.sqlite`;
    // 120 sleepers side by side under one shell: a row each, as on a busy machine
    const db = syntheticRecording(recording, ["stat", "cmdline"]);
    const insert = db.prepare(
      "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_starttime, stat_rss, cmdline) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const ts of [1_800_000_000, 1_800_000_001, 1_800_000_002]) {
      insert.run(ts, 10, 1, "sh", 100, 100, "sh");
      for (let pid = 11; pid <= 130; pid++) {
        insert.run(ts, pid, 10, "sleep", 100 + pid, 50, "sleep 9");
      }
    }
    db.close();
    await openReport(await htmlReport(recording, true), async (page) => {
      const note = () => page.evaluate("document.getElementById('timeline-note').textContent");
      assert.match(await note() as string, /Rows 1–25 of 120 shown/);
      await page.evaluate(
        "(() => { const box = document.getElementById('timeline-box'); box.scrollTop = box.scrollHeight; })()",
      );
      assert.ok(
        await page.waitFor(
          "/Rows 9[56]–120 of 120/.test(document.getElementById('timeline-note').textContent)",
        ),
      );
      const [painted] = await page.evaluate(CANVAS_PIXELS("#000000")) as number[];
      assert.ok(painted > 1000, `${painted} pixels painted after the scroll`);
    });
  },
);

Deno.test("report: a recording without events says what it lacks, in the page and on stderr", async () => {
  const { dir } = await ciRecordings();
  const { noEvents } = await badInputs(await Deno.makeTempDir({ dir }));
  const markdown = await runProcpath(["report", "-d", noEvents]);
  assertEquals(markdown.code, 0);
  assert.match(markdown.stdout, /> This recording has no process events/);
  assert.match(markdown.stderr, /has no process events/);
  assertEquals(markdown.stderr.trim().split("\n").length, 1);
  const out = `${noEvents}.html`;
  const html = await runProcpath(["report", "-d", noEvents, "-o", out]);
  assertEquals(html.code, 0);
  assert.match(Deno.readTextFileSync(out), /This recording has no process events/);
});

Deno.test("report: bad input gets one line and exit 1 or 2, and leaves -o as it was", async () => {
  const { dir, build } = await ciRecordings();
  const bad = await badInputs(await Deno.makeTempDir({ dir }));
  const out = `${dir}/kept.html`;
  Deno.writeTextFileSync(out, "kept");
  const cases: [string[], number, RegExp][] = [
    [["-d", bad.empty, "-o", out], 1, /not a procpath recording/],
    [["-d", bad.foreign, "-o", out], 1, /not a procpath recording/],
    [["-d", bad.noSamples, "-o", out], 1, /holds no sample/],
    [["-d", `${dir}/missing.sqlite`, "-o", out], 1, /Cannot read/],
    [["-d", build, "--format", "pdf"], 2, /format/],
    [["-d", build, "--limit", "0"], 2, /limit/],
    [["-d", build, "-o", dir], 1, /Cannot write .*directory/],
    [["-d", build, "-o", "/dev/full"], 1, /Cannot write "\/dev\/full"/],
  ];
  for (const [args, code, message] of cases) {
    const result = await runProcpath(["report", ...args]);
    assertEquals(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  assertEquals(Deno.readTextFileSync(out), "kept");
  // a device is written as a device, not replaced (the output-path rules)
  assertEquals((await runProcpath(["report", "-d", build, "-o", "/dev/null"])).code, 0);
});
