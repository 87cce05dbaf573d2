/**
 * A run's report as one self-contained HTML page for a CI artifact: styles, the
 * timeline's script and its data inline, and a content security policy that lets the
 * page load nothing at all. It shows the summary, a timeline of every process (nested
 * under its parent, coloured by program, failures outlined), CPU and RSS stacked by
 * program, the programs table, the failed processes and the tree at peak memory.
 *
 * @module
 */
import timelineJs from "./timeline.js" with { type: "text" };
import { assignLanes } from "./lanes.ts";
import {
  cpuText,
  endedText,
  largestText,
  PEAK_NOTE,
  peakCell,
  processesText,
  programText,
  treePeakText,
} from "./markdown.ts";
import { toReportData } from "./report_data.ts";
import { renderStackChart } from "./stack_chart.ts";
import { escapeHtml, scriptJson } from "./html_text.ts";
import type { Run } from "./run_model.ts";

/** Bands of the stacked charts named one by one; the rest are summed as "other programs". */
const STACKED_PROGRAMS = 9;
/** Rows of the failures table and of the tree at peak memory. */
const TABLE_ROWS = 500;
/** A command line's characters kept in the timeline's data (the page's size is bounded). */
const COMMAND_CHARS = 120;

const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#59a14f",
  "#b07aa1",
  "#76b7b2",
  "#edc948",
  "#9c755f",
  "#ff9da7",
  "#bab0ac",
  "#86bcb6",
];

/** The colour of the `k`th program (programs ordered by CPU). */
export function programColor(k: number): string {
  return PALETTE[k] ?? `hsl(${Math.round((k * 137.508) % 360)}, 55%, 60%)`;
}

const MIB = 1024 * 1024;
const mib = (bytes: number) => (bytes / MIB).toFixed(1);
const s2 = (seconds: number) => seconds.toFixed(2);

/** Returns the page (pure). */
export function renderHtml(run: Run): string {
  const data = toReportData(run);
  const title = data.command === null
    ? `procpath report: ${data.recording}`
    : `procpath report: ${data.command}`;
  const colorOf = new Map(run.programs.map((p, k) => [p.program, programColor(k)]));
  const summaryRows: [string, string][] = [
    ["command", data.command === null ? "(not recorded)" : data.command],
    ["ended", endedText(data.exit_status, data.exit_signal)],
    ["wall time", `${s2(data.wall_s)} s`],
    [
      "CPU",
      cpuText(data),
    ],
  ];
  const treePeak = treePeakText(data);
  if (treePeak !== null) summaryRows.push(["peak RSS", treePeak]);
  const largest = largestText(data);
  if (largest !== null) summaryRows.push(["largest process", largest]);
  if (data.runs > 1) {
    summaryRows.push(["run", `${data.run} of the ${data.runs} this recording holds (--run)`]);
  }
  summaryRows.push(
    ["processes", processesText(data)],
    ["recording", `${data.recording}, from ${data.start}`],
    [
      "samples",
      `${data.samples}, every ${data.interval_s.toFixed(2)} s; process events ${
        data.process_events ? "recorded" : "not recorded"
      }`,
    ],
  );
  const lacking = data.process_events ? "" : `<p class="warning">This recording has no process ` +
    "events (recorded with <code>--no-events</code>, by an older procpath, or where the kernel " +
    "refused them): the timeline shows only processes a sample saw, from the first sample " +
    "that saw them to the last, and no exit status.</p>";
  const legend =
    run.programs.slice(0, 12).map((p) =>
      `<span class="key"><i style="background:${colorOf.get(p.program)}"></i>${
        escapeHtml(p.program)
      }</span>`
    ).join("") + (run.programs.length > 12
      ? ` <span class="key">… ${run.programs.length - 12} more</span>`
      : "");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<section id="summary"><h2>Summary</h2>
<table class="summary">${
    summaryRows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
      .join("")
  }</table></section>
<section id="timeline-section"><h2>Timeline of every process</h2>
${lacking}<p class="legend">${legend}</p>
<div class="timeline-box" id="timeline-box"><div id="timeline-space"><canvas id="timeline"></canvas>` +
    `<pre id="timeline-tip" hidden></pre></div></div>
<div id="timeline-axis"></div>
<p id="timeline-note" class="note"></p></section>
<section id="charts"><h2>CPU and RSS by program</h2>
${stackCharts(run, colorOf)}</section>
<section id="programs"><h2>Programs</h2>
${programsTable(run, colorOf)}</section>
${failuresTable(run)}
<section id="peak-tree"><h2>The tree at peak memory${
      data.peak_rss_at ? `, ${escapeHtml(data.peak_rss_at.slice(11, 19))} UTC` : ""
    }</h2>
${peakTree(run)}</section>
<script id="timeline-data" type="application/json">${
      scriptJson(timelineData(run, colorOf))
    }</script>
<script>
${timelineJs}
timeline(JSON.parse(document.getElementById("timeline-data").textContent));
</script>
</body>
</html>
`;
}

/** The timeline's data: per-process columns, times in ms from the run's start. */
function timelineData(run: Run, colorOf: Map<string, string>) {
  const origin = run.summary.start;
  const programs = run.programs.map((p) => p.program);
  const index = new Map(programs.map((name, k) => [name, k]));
  const ms = (seconds: number) => Math.round(seconds * 10000) / 10;
  const spans = run.processes.map((p) => ({
    start: ms(p.start - origin),
    end: ms(Math.max(p.start, p.end) - origin),
    parent: p.parent,
  }));
  const layout = assignLanes(spans);
  const commands: string[] = [];
  const commandIndex = new Map<string, number>();
  const commandOf = (text: string) => {
    const cut = text.length > COMMAND_CHARS ? `${text.slice(0, COMMAND_CHARS - 1)}…` : text;
    let k = commandIndex.get(cut);
    if (k === undefined) {
      commandIndex.set(cut, k = commands.length);
      commands.push(cut);
    }
    return k;
  };
  const ps = run.processes;
  const cmd = ps.map((p) => commandOf(p.command));
  return {
    span: ms(run.summary.end - origin),
    lanes: layout.heads.length,
    programs,
    colors: programs.map((name) => colorOf.get(name) ?? "#888"),
    commands,
    procs: {
      start: spans.map((s) => s.start),
      dur: spans.map((s) => Math.round((s.end - s.start) * 10) / 10),
      lane: layout.lane,
      depth: layout.depth,
      prog: ps.map((p) => index.get(p.program) ?? 0),
      pid: ps.map((p) => p.pid),
      ppid: ps.map((p) => p.parent === null ? 0 : ps[p.parent]!.pid),
      exit: ps.map((p) => p.exitCode),
      signal: ps.map((p) => p.exitSignal),
      cpu: ps.map((p) => Math.round(p.cpuSeconds * 1000)),
      rss: ps.map((p) => Math.round(p.peakRss / 1024)),
      cmd,
      flags: ps.map((p) =>
        (p.running ? 1 : 0) | (p.startFrom === "before" ? 2 : 0) |
        (p.estimatedCpuSeconds >= 0.0005 ? 4 : 0) | (p.sampled ? 0 : 8)
      ),
    },
  };
}

/** The two stacked charts: the largest programs by name, the rest summed. */
function stackCharts(run: Run, colorOf: Map<string, string>): string {
  const { times, programs, cpu, rss } = run.series;
  if (times.length < 2) return `<p class="note">One sample: nothing to draw over time.</p>`;
  const rel = times.map((t) => t - run.summary.start);
  const named = programs.slice(0, STACKED_PROGRAMS);
  const fold = (rows: number[][], scale: number) => {
    const out = rows.slice(0, STACKED_PROGRAMS).map((row) => row.map((v) => v * scale));
    if (rows.length > STACKED_PROGRAMS) {
      out.push(
        times.map((_, i) =>
          rows.slice(STACKED_PROGRAMS).reduce((sum, row) => sum + (row[i] ?? 0), 0) * scale
        ),
      );
    }
    return out;
  };
  const names = programs.length > STACKED_PROGRAMS ? [...named, "other programs"] : named;
  const colors = names.map((name) => colorOf.get(name) ?? "#bbb");
  return `<h3>CPU, cores (each interval ending at a sample)</h3>${
    renderStackChart({ times: rel, rows: fold(cpu, 1), names, colors, unit: "cores", title: "CPU" })
  }<h3>RSS, MiB</h3>${
    renderStackChart({
      times: rel,
      rows: fold(rss, 1 / MIB),
      names,
      colors,
      unit: "MiB",
      title: "RSS",
    })
  }`;
}

function programsTable(run: Run, colorOf: Map<string, string>): string {
  const data = toReportData(run).programs;
  const cells = data.map(peakCell);
  const rows = run.programs.map((p, i) =>
    `<tr><td><i class="swatch" style="background:${colorOf.get(p.program)}"></i>${
      escapeHtml(programText(data[i]!))
    }</td><td>${s2(p.cpuSeconds)}</td><td>${cells[i]}</td><td>${p.count}</td><td>${
      s2(p.totalLifetime)
    }</td><td>${s2(p.longestLifetime)}</td><td>${p.failures}</td></tr>`
  );
  return `<table class="numbers"><thead><tr><th>program</th><th>CPU s</th><th>peak RSS MiB (samples)</th>` +
    `<th>processes</th><th>total lifetime s</th><th>longest s</th><th>failed</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table><p class="note">${escapeHtml(PEAK_NOTE)}</p>`;
}

function failuresTable(run: Run): string {
  const { failed_processes: failed } = toReportData(run);
  if (failed.length === 0) return "";
  const rows = failed.slice(0, TABLE_ROWS).map((f) =>
    `<tr><td>${f.at_s.toFixed(2)}</td><td>${f.pid}</td><td>${escapeHtml(f.program)}</td><td>${
      escapeHtml(endedText(f.exit_status, f.exit_signal))
    }</td><td class="command">${escapeHtml(f.command)}</td></tr>`
  );
  const more = failed.length > TABLE_ROWS
    ? `<p class="note">… and ${failed.length - TABLE_ROWS} more.</p>`
    : "";
  return `<section id="failures"><h2>Failed processes</h2><table class="numbers"><thead><tr>` +
    `<th>at s</th><th>PID</th><th>program</th><th>how</th><th>command</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>${more}</section>`;
}

function peakTree(run: Run): string {
  if (run.peakTree.length === 0) return `<p class="note">No sample.</p>`;
  const rows = run.peakTree.slice(0, TABLE_ROWS).map((r) =>
    `<tr><td>${mib(r.rss)}</td><td>${r.pid}</td><td class="command" style="padding-left:${
      0.4 + r.depth * 1.2
    }em">${escapeHtml(r.program)} <span class="dim">${escapeHtml(r.command)}</span></td></tr>`
  );
  const more = run.peakTree.length > TABLE_ROWS
    ? `<p class="note">… and ${run.peakTree.length - TABLE_ROWS} more processes.</p>`
    : "";
  return `<table class="numbers"><thead><tr><th>RSS MiB</th><th>PID</th><th>process</th></tr>` +
    `</thead><tbody>${rows.join("")}</tbody></table>${more}`;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; padding: 0 1em; color: #222; }
h1 { font-size: 1.3em; word-break: break-all; }
h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
h3 { font-size: 0.95em; margin: 0.8em 0 0.2em; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; text-align: left; vertical-align: top; }
table.summary th { color: #555; font-weight: normal; }
table.numbers td { text-align: right; }
table.numbers td:nth-child(1), table.numbers td.command { text-align: left; }
table.numbers tbody tr:nth-child(odd) { background: #f6f7f9; }
td.command { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; }
.dim { color: #777; }
.timeline-box { overflow-x: hidden; overflow-y: auto; max-height: 640px; border: 1px solid #ddd; }
#timeline-space { position: relative; }
canvas { position: absolute; left: 0; display: block; cursor: grab; }
#timeline-tip { position: absolute; margin: 0; padding: 4px 6px; background: #fff; border: 1px solid #999;
  font: 12px ui-monospace, monospace; white-space: pre-wrap; max-width: 360px; pointer-events: none; }
#timeline-axis { position: relative; height: 1.4em; font-size: 11px; color: #555; }
#timeline-axis span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
#timeline-axis span:first-child { transform: none; }
#timeline-axis span:last-child { transform: translateX(-100%); }
.legend .key { margin-right: 1em; white-space: nowrap; }
.legend i, i.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; }
.note { color: #555; font-size: 0.9em; }
.warning { background: #fff4e0; border-left: 4px solid #f0a020; padding: 0.4em 0.8em; }
svg.stack { width: 100%; height: auto; }
`;
