import { needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { decodePng } from "../_helpers/png.ts";
import { CHROMIUM, withChromium } from "../_helpers/browser.ts";
import type { Page } from "../_helpers/browser.ts";
import { writeServiceRecording } from "../_helpers/service_recording.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { recordFixture } from "../_helpers/record_fixture.ts";

/** Opens an SVG file and waits until the document is the SVG itself. */
async function openSvg<T>(path: string, use: (page: Page) => Promise<T>): Promise<T> {
  return await withChromium(`file://${path}`, { width: 1200, height: 900 }, async (page) => {
    const loaded =
      "location.protocol === 'file:' && document.documentElement?.localName === 'svg'" +
      " && document.readyState === 'complete'";
    assertEquals(await page.waitFor(loaded), true, "the SVG document did not load");
    return await use(page);
  });
}

/** Counts pixels near a colour (`#rrggbb`) and pixels painted at all in a PNG. */
async function pixels(png: Uint8Array, colour: string) {
  const image = await decodePng(png);
  const [cr, cg, cb] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
  let painted = 0, matching = 0;
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const [r, g, b] = image.pixels.subarray(i, i + 3);
    if (r < 240 || g < 240 || b < 240) painted++;
    if (Math.abs(r - cr) < 20 && Math.abs(g - cg) < 20 && Math.abs(b - cb) < 20) matching++;
  }
  return { width: image.width, painted, matching };
}

Deno.test({
  ...needs(
    "a plot opened in headless Chromium paints, shows tooltips on hover and toggles series from the legend",
    { "chromium is not installed": CHROMIUM !== undefined },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/out.sqlite`, svg = `${dir}/rss.svg`;
      await recordFixture(db, ["-r", "4", "-i", "0.3"]);
      const plot = await runProcpath(
        ["plot", "-d", db, "-f", svg, "-q", "rss", "-q", "cpu", "-p", "1,100,106,109"],
      );
      assertEquals([plot.code, plot.stderr], [0, ""]);
      await openSvg(svg, async (page) => {
        assertEquals(await page.evaluate("document.querySelectorAll('.line').length"), 8);
        // one legend entry per process, for its lines on both axes
        assertEquals(await page.evaluate("document.querySelectorAll('.item').length"), 4);

        // hover the first vertex of systemd's RSS line: the tooltip names series, time and value
        const tip = await page.evaluate(`(() => {
        const path = document.querySelector('.line[data-title="rss 1 (systemd)"]');
        const [x, y] = path.getAttribute('d').slice(1).split(/[ L]/).map(Number);
        const point = document.documentElement.createSVGPoint(); point.x = x; point.y = y;
        const screen = point.matrixTransform(path.getScreenCTM());
        path.dispatchEvent(new MouseEvent('mousemove', { clientX: screen.x, clientY: screen.y, bubbles: true }));
        const tip = document.getElementById('tip');
        return [tip.style.display, [...tip.querySelectorAll('tspan')].map((t) => t.textContent)];
      })()`) as [string, string[]];
        assertEquals(tip[0], "block");
        assertEquals(tip[1][0], "rss 1 (systemd)");
        assertEquals(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(tip[1][1]), true, tip[1][1]);
        assertEquals(tip[1][2], "11.7");

        // clicking a legend entry hides the process's lines on both axes; clicking again shows them
        const toggled = await page.evaluate(`(() => {
        const item = document.querySelector('.item[data-key="pid:106"]');
        const groups = [...document.querySelectorAll('.series > g[data-key="pid:106"]')];
        item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        const hidden = groups.map((g) => g.style.display);
        item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        return [hidden, groups.map((g) => g.style.display), item.textContent];
      })()`);
        assertEquals(toggled, [["none", "none"], ["", ""], "106 Web Content106 Web Content"]);

        const shot = await pixels(await page.screenshot(), "#1f77b4");
        assertEquals(shot.width >= 900, true);
        assertEquals(shot.painted > 5000, true, `${shot.painted} painted pixels`);
        assertEquals(
          shot.matching > 50,
          true,
          `${shot.matching} pixels of the first series' colour`,
        );
      });
    }, "procpath-plot-");
  },
});

Deno.test({
  ...needs(
    "a 315-process recording stays readable: a large chart, ten lines and others, distinct colours",
    { "chromium is not installed": CHROMIUM !== undefined },
  ),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/service.sqlite`;
      const service = writeServiceRecording(db);
      assertEquals(service.pids.length >= 250, true);
      for (const queries of [["-q", "rss"], ["-q", "rss", "-q", "cpu"]]) {
        const svg = `${dir}/${queries.length}.svg`;
        const plot = await runProcpath(["plot", "-d", db, "-f", svg, ...queries]);
        assertEquals([plot.code, plot.stderr], [0, ""]);
        await openSvg(svg, async (page) => {
          const facts = await page.evaluate(`(() => {
          const svg = document.documentElement.getBoundingClientRect();
          const area = document.querySelector('.area').getBoundingClientRect();
          const lines = [...document.querySelectorAll('.line')];
          const keys = new Map(lines.map((l) => [l.parentNode.getAttribute('data-key'), l.getAttribute('stroke')]));
          const texts = [...document.querySelectorAll('.item text')].map((t) => t.getBoundingClientRect());
          const overlaps = texts.filter((a, i) => texts.some((b, j) => i < j &&
            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)).length;
          return {
            share: area.width / svg.width,
            items: document.querySelectorAll('.item').length,
            lines: keys.size,
            colours: new Set(keys.values()).size,
            overlaps,
            others: document.querySelector('.item[data-key="others"] text').textContent,
          };
        })()`) as Record<string, number | string>;
          const label = queries.join(" ");
          assertEquals(
            (facts.share as number) >= 0.7,
            true,
            `${label}: chart ${facts.share} of the width`,
          );
          assertEquals(facts.items, 11, label); // the default top 10 and "others"
          assertEquals(facts.lines, 11, label);
          assertEquals(facts.colours, 11, `${label}: every line its own colour`);
          assertEquals(facts.overlaps, 0, `${label}: legend texts overlap`);
          assertIncludes(facts.others as string, "others");
          const shot = await pixels(await page.screenshot(), "#1f77b4");
          assertEquals(
            shot.matching > 200,
            true,
            `${shot.matching} pixels of the top line's colour`,
          );
        });
      }
    }, "procpath-plot-");
  },
});

Deno.test("procpath plot writes escaped, well-formed SVG for the README's commands", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/out.sqlite`;
    await recordFixture(db, ["-r", "3", "-i", "0"]);
    for (
      const args of [
        ["-q", "rss", "-e", "0.5", "-w", "10", "--top", "0"],
        ["-q", "rss", "-q", "cpu"],
        [
          "-q",
          "rss",
          "-q",
          "cpu",
          "-q",
          "wait",
          "-s",
          "-l",
          "--relative-time",
          "--style",
          "DarkStyle",
          "--formatter",
          "integer",
          "--no-dots",
        ],
      ]
    ) {
      const out = `${dir}/plot.svg`;
      const { code, stderr } = await runProcpath(["plot", "-d", db, "-f", out, ...args]);
      assertEquals(code, 0, args.join(" "));
      // -s over MiB and % says so: the smaller values flatten on one axis
      const warned = args.includes("-s")
        ? "WARNING procpath -s puts values of different units on one axis (MiB, %)"
        : "";
      assertEquals(stderr.includes(warned) && stderr.split("\n").length <= 2, true, stderr);
      const text = Deno.readTextFileSync(out);
      assertIncludes(text, '<svg xmlns="http://www.w3.org/2000/svg" viewBox=');
      // every process has its line with --top 0, its hostile name escaped
      if (args.includes("--top")) assertIncludes(text, "(a) b)");
    }
  });
});
