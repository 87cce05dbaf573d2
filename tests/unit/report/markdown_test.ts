import assert from "node:assert/strict";
import MarkdownIt from "npm:markdown-it@15.0.3";
import { assertEquals } from "../../_helpers/assert.ts";
import { HAND_RUN_NOTED, handRun } from "../../_helpers/run_rows.ts";
import { markdownText, peakCell, renderMarkdown } from "../../../src/report/markdown.ts";
import { toReportData } from "../../../src/report/report_data.ts";
import { buildRun } from "../../../src/report/run_model.ts";
import { noEventsRun } from "./no_events_run.ts";

const decode = (html: string) =>
  html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** The tables of rendered Markdown: each a list of rows of cell texts (header first). */
function tables(markdown: string): string[][][] {
  const html = new MarkdownIt().render(markdown);
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) =>
    [...table!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
      [...row!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map(([, cell]) => decode(cell!))
    )
  );
}

Deno.test("renderMarkdown(): markdown-it reads a summary table and a programs table", () => {
  const markdown = renderMarkdown(toReportData(buildRun(handRun())), { limit: 25 });
  const [summary, programs, failures] = tables(markdown);
  assertEquals(summary![0], ["measure", "value"]);
  assertEquals(summary!.find((row) => row[0] === "wall time"), ["wall time", "1.20 s"]);
  assertEquals(summary!.find((row) => row[0] === "processes"), [
    "processes",
    "3 started, 1 failed",
  ]);
  assertEquals(programs!.map((row) => row.slice(0, 4)), [
    ["program", "CPU s", "peak RSS MiB (samples)", "processes"],
    // gcc's 0.20 s sampled; what it and ls used after its sample is not split; ls no
    // sample saw: its memory is unknown
    ["gcc", "0.20", "10.0", "1"],
    ["(exited, not split): gcc, ls", "0.15", "–", "0"],
    ["sh", "0.01", "0.4", "1"],
    ["ls", "0.00", "–", "1"],
  ]);
  assertEquals(failures!.slice(1), [["0.70", "12", "ls", "exit status 2", "ls /missing"]]);
  assert.match(
    new MarkdownIt().render(markdown),
    /<h3>procpath report: sh job\.sh — exit status 0<\/h3>/,
  );
});

Deno.test("renderMarkdown(): a command line can open no link, tag or cell of its own", () => {
  const rows = handRun();
  const hostile = "sh -c 'a | b' <script>x</script> [x](http://e) *y* `z` &amp; ~~s~~";
  rows.events![3] = { ...rows.events![3]!, cmdline: hostile };
  const markdown = renderMarkdown(toReportData(buildRun(rows)), { limit: 25 });
  const html = new MarkdownIt().render(markdown);
  assert.doesNotMatch(html, /<script>|<a |<em>|<code>|<s>/);
  const row = tables(markdown)[0]!.find((r) => r[0] === "largest process")!;
  assertEquals(row[1], `10.0 MiB, the most a sample saw of one process: ${hostile}`);
});

Deno.test("renderMarkdown(): --limit cuts the tables and says how many rows are left", () => {
  const markdown = renderMarkdown(toReportData(buildRun(handRun())), { limit: 1 });
  assertEquals(tables(markdown)[1]!.length, 2);
  assert.match(markdown, /… and 3 more programs/);
});

Deno.test("markdownText() cuts long text and keeps every character readable", () => {
  assertEquals(markdownText("abcdef", 4), "abc…");
  assertEquals(decode(new MarkdownIt().renderInline(markdownText("a_b*c|d\\e"))), "a_b*c|d\\e");
});

Deno.test("renderMarkdown() without events: the noted command in the title, no empty list of programs", () => {
  const markdown = renderMarkdown(toReportData(buildRun(noEventsRun())), { limit: 25 });
  assert.match(
    new MarkdownIt().render(markdown),
    /<h3>procpath report: sh job\.sh — exit status 3<\/h3>/,
  );
  const programs = tables(markdown)[1]!.map((row) => row[0]);
  assertEquals(programs.slice(1), ["children of sh", "spin", "sh"]);
  assert.doesNotMatch(markdown, /[^-]: \|/);
  // the note says what that row holds (not sh's subtree), whole
  assert.match(
    markdown,
    /A children of PROGRAM row is CPU that PROGRAM reaped from processes no exit event named, not counted in the programs listed\./,
  );
  assert.match(markdown, /those no sample saw at all\.\n/);
});

Deno.test("renderMarkdown(): a kernel's peak no sample saw is said to fall between samples, the tree's peak is the samples'", () => {
  const data = toReportData(buildRun(handRun(true, HAND_RUN_NOTED)));
  assertEquals(data.largest_process, {
    rss_bytes: 400 * 1024 * 1024,
    command: null,
    source: "kernel",
  });
  assertEquals(data.largest_sampled_process, { rss_bytes: 2560 * 4096, command: "gcc -c a.c" });
  const summary = new Map(tables(renderMarkdown(data, { limit: 25 }))[0]!.map(([k, v]) => [k, v]));
  assertEquals(
    summary.get("largest process"),
    "400.0 MiB, the kernel's count (getrusage ru_maxrss); the peak fell between samples " +
      "(no sample saw it), the most a sample saw of one process was 10.0 MiB: gcc -c a.c",
  );
  assert.doesNotMatch(summary.get("largest process")!, /lived between/);
  assert.match(
    summary.get("peak RSS")!,
    /^10\.4 MiB, the most the samples saw of the whole tree at once, at /,
  );
  // a run of one process: the kernel's figure is its
  const one = handRun(true, HAND_RUN_NOTED);
  const alone = [...one.samples()].filter((row) => row[1] === 10);
  const only = buildRun({
    ...one,
    samples: () => alone,
    events: one.events!.filter((e) => e.pid === 10),
  });
  assertEquals(toReportData(only).largest_process, {
    rss_bytes: 400 * 1024 * 1024,
    command: "sh job.sh",
    source: "kernel",
  });
});

Deno.test("peakCell(): a peak no sample saw is a dash, not a bound of 0", () => {
  const program = toReportData(buildRun(handRun())).programs[0]!;
  const mib = 1024 * 1024;
  assertEquals(peakCell({ ...program, peak_rss_bytes: 0, unsampled_processes: 2 }), "–");
  assertEquals(peakCell({ ...program, peak_rss_bytes: null, unsampled_processes: 0 }), "–");
  assertEquals(peakCell({ ...program, peak_rss_bytes: 3 * mib, unsampled_processes: 1 }), "≥ 3.0");
  assertEquals(peakCell({ ...program, peak_rss_bytes: 3 * mib, unsampled_processes: 0 }), "3.0");
});
