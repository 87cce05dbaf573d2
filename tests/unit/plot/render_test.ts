import { assertEquals, assertIncludes } from "../../_helpers/assert.ts";
import {
  escapeXml,
  formatIsoTime,
  formatRelativeTime,
  FORMATTERS,
  formatTimeLabels,
  linearScale,
  logScale,
  niceTicks,
  renderSvg,
  shapeSeries,
  timeTicks,
  toSeries,
} from "../../../src/plot/mod.ts";
import type { Series } from "../../../src/plot/mod.ts";
import { elements, parseXml } from "../../_helpers/xml.ts";

Deno.test("time labels are compact ISO and Python timedelta strings", () => {
  assertEquals(formatIsoTime(1662233880.5), "2022-09-03T19:38:00.5");
  assertEquals(formatIsoTime(1662233880), "2022-09-03T19:38:00");
  assertEquals(formatRelativeTime(0.2), "0:00:00.2");
  assertEquals(formatRelativeTime(93599.678), "1 day, 1:59:59.678");
  assertEquals(formatRelativeTime(2 * 86400 + 61), "2 days, 0:01:01");
  assertEquals(
    formatTimeLabels([1662233880, 1662233890, 1662320280], {}),
    ["2022-09-03T19:38:00", "19:38:10", "2022-09-04T19:38:00"],
  );
  assertEquals(formatTimeLabels([100, 100.2, 160], { relative: 100 }), [
    "0:00:00",
    "0:00:00.2",
    "0:01:00",
  ]);
});

Deno.test("scales pick round ticks", () => {
  assertEquals(niceTicks(0, 97, 5), [0, 20, 40, 60, 80, 100]);
  assertEquals(niceTicks(0.3, 0.71, 4), [0.2, 0.4, 0.6, 0.8]);
  const y = linearScale([0, 97], [400, 0]);
  assertEquals([y(0), y(100)], [400, 0]);
  assertEquals(logScale([3, 4000], [100, 0]).ticks, [1, 10, 100, 1000, 10000]);
  assertEquals(timeTicks(0, 60, 7), [0, 10, 20, 30, 40, 50, 60]);
  assertEquals(timeTicks(5, 5, 7), [5]);
});

Deno.test("formatters print integer, human readable and percent values", () => {
  assertEquals([
    FORMATTERS.integer(1234.6),
    FORMATTERS.human_readable(1234567),
    FORMATTERS.human_readable(950),
  ], ["1,235", "1.23M", "950"]);
  assertEquals(FORMATTERS.percent(12.345), "12.3%");
});

Deno.test("escapeXml() leaves no markup or control characters", () => {
  assertEquals(
    escapeXml(`<script>alert("1")</script> & 'x'\u0001`),
    "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt; &amp; &#39;x&#39;\ufffd",
  );
});

const series = (n: number, axis: 0 | 1 = 0, command = "sleep"): Series[] =>
  Array.from({ length: n }, (_, i) => ({
    title: `rss ${100 + i}`,
    label: String(100 + i),
    key: `pid:${100 + i}`,
    pid: 100 + i,
    command,
    axis,
    points: Array.from(
      { length: 20 },
      (_, k) => [1700000000 + k * 10, (i + 1) * (k % 5 + 1)] as [number, number],
    ),
  }));

Deno.test("renderSvg() writes valid XML with a viewBox, axes, one line and legend entry per series", () => {
  const svg = renderSvg([
    ...series(3),
    ...series(3, 1).map((s) => ({ ...s, title: s.title.replace("rss", "cpu") })),
  ], {
    title: "Resident Set Size, MiB vs CPU Usage, %",
    axisTitles: ["Resident Set Size, MiB", "CPU Usage, %"],
  });
  const doc = parseXml(svg);
  const root = doc.documentElement!;
  assertEquals(root.getAttribute("viewBox")?.startsWith("0 0 1200 "), true);
  assertEquals(root.getAttribute("width"), "100%");
  const lines = elements(doc, "path").filter((p) => p.getAttribute("class") === "line");
  assertEquals(lines.length, 6);
  assertEquals(lines.filter((p) => p.getAttribute("data-axis") === "1").length, 3);
  assertEquals(lines[0].getAttribute("stroke"), lines[3].getAttribute("stroke")); // one colour per PID on both axes
  // one legend entry per process, with a solid and a dashed swatch for its two axes
  const items = elements(doc, "g").filter((g) => g.getAttribute("class") === "item");
  assertEquals(items.length, 3);
  assertEquals(elements(items[0], "path").map((p) => p.getAttribute("stroke-dasharray")), [
    null,
    "3 2",
  ]);
  const texts = elements(doc, "text").map((t) => t.textContent);
  assertEquals(texts.includes("Resident Set Size, MiB vs CPU Usage, %"), true);
  assertEquals(
    texts.filter((t) => /^2023-11-14T22:13:20$|^22:1\d:\d0$/.test(t ?? "")).length > 3,
    true,
    texts.join("|"),
  );
  assertEquals(
    elements(doc, "text").filter((t) => t.getAttribute("class") === "m yl").length > 4,
    true,
  );
  assertEquals(elements(doc, "script").length, 1);
  assertEquals(elements(doc, "path").filter((p) => p.getAttribute("class") === "dots").length, 6);
});

Deno.test("renderSvg() renders hostile process names as text", () => {
  const svg = renderSvg(series(1, 0, `<script>alert(1)</script>"&'`), {
    title: "<b>t</b>",
    axisTitles: ["a"],
  });
  const doc = parseXml(svg);
  assertEquals(elements(doc, "script").length, 1); // only procpath's own
  assertEquals(elements(doc, "b").length, 0);
  assertIncludes(svg, "&lt;script&gt;alert(1)&lt;/script&gt;");
  const legend = elements(doc, "g").filter((g) => g.getAttribute("class") === "item")[0];
  assertIncludes(legend.textContent ?? "", "<script>alert(1)");
  const line = elements(doc, "path").find((p) => p.getAttribute("class") === "line")!;
  assertEquals(line.getAttribute("data-title"), `rss 100 (<script>alert(1)</script>"&')`);
});

Deno.test("renderSvg() skips values ≤ 0 on a logarithmic axis and draws no dots with dots: false", () => {
  const data = series(1);
  data[0].points[0][1] = 0;
  const svg = renderSvg(data, { title: "t", axisTitles: ["a"], logarithmic: true, dots: false });
  const doc = parseXml(svg);
  assertEquals(elements(doc, "path").filter((p) => p.getAttribute("class") === "dots").length, 0);
  const d = elements(doc, "path").find((p) => p.getAttribute("class") === "line")!.getAttribute(
    "d",
  )!;
  assertEquals(d.split(/[ML]/).filter(Boolean).length, 19);
});

Deno.test("shapeSeries() and toSeries() group rows by pid, apply the moving average, then RDP", () => {
  const rows = [
    { ts: 1, pid: 5, value: 1 },
    { ts: 2, pid: 5, value: 3 },
    { ts: 3, pid: 5, value: 5 },
    { ts: 4, pid: 5, value: 7 },
    { ts: 1, pid: 9, value: 2 },
    { ts: 2, pid: 9, value: null },
  ];
  const lines = shapeSeries(rows, { comm: new Map([[5, "bash"]]), cmdline: new Map() }, {
    grouping: { kind: "pid" },
    top: 10,
    rankBy: "mean",
    minSamples: 1,
  });
  const out = toSeries(lines, { name: "№1", axis: 0, movingAverageWindow: 2, epsilon: 0.1 });
  // 9's one point is shorter than the window: its line is empty, and ranks last
  assertEquals(out.map((s) => [s.title, s.command, s.points]), [
    ["№1 5", "bash", [[2, 2], [4, 6]]],
    ["№1 9", "", []],
  ]);
});

Deno.test("renderSvg() names a line's legend entry by its first query's series", () => {
  const others = (axis: 0 | 1, command: string): Series => ({
    title: "x others",
    label: "others",
    key: "others",
    pid: null,
    command,
    axis,
    points: [[1, 1], [2, 2]],
  });
  const svg = renderSvg([...series(2), others(0, "183 processes"), others(1, "68 processes")], {
    title: "t",
    axisTitles: ["a", "b"],
  });
  const items = elements(parseXml(svg), "g").filter((g) => g.getAttribute("class") === "item");
  const text = items.map((g) => elements(g, "text")[0].textContent);
  assertEquals(text.at(-1), "others 183 processes");
});
