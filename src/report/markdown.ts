/**
 * A run's report as GitHub- and GitLab-flavoured Markdown, for a CI job's summary page
 * (`$GITHUB_STEP_SUMMARY`) or a merge request comment: the summary, the programs table
 * and the failed processes. Process data is escaped so that no command line can open a
 * link, an HTML tag or a table cell of its own.
 *
 * @module
 */
import type { ReportData } from "./report_data.ts";

/** How much of a report to show. */
export interface MarkdownOptions {
  /** Rows of the programs table and of the failures list. */
  limit: number;
}

const MIB = 1024 * 1024;

/**
 * Returns `text` safe inside a Markdown table cell: each character Markdown gives a
 * meaning escaped, line breaks as spaces, cut to `max` characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownText } from "./markdown.ts";
 * assert.equal(markdownText("sh -c 'a | b' <x>"), "sh -c 'a \\| b' \\<x\\>");
 * ```
 */
export function markdownText(text: string, max = 100): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut.replace(/[\r\n\t]+/g, " ").replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

const seconds = (s: number) => `${s.toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
const time = (iso: string) => `${iso.slice(11, 19)} UTC`;

/** How a process or the command ended, in words. */
export function endedText(status: number | null, signal: number | null): string {
  if (signal !== null) return `killed by signal ${signal}`;
  if (status !== null) return `exit status ${status}`;
  return "exit not recorded";
}

/** How many processes ran and failed, in words: without events, only the samples' count is known. */
export function processesText(data: ReportData): string {
  return data.process_events
    ? `${data.processes} started, ${data.failures} failed`
    : `${data.processes} seen in samples (exits not recorded)`;
}

/** Returns the report as Markdown (pure), ending with a newline. */
export function renderMarkdown(data: ReportData, options: MarkdownOptions): string {
  const lines: string[] = [];
  const title = data.command === null
    ? `procpath report: ${markdownText(data.recording)}`
    : `procpath report: ${markdownText(data.command, 80)} — ${
      endedText(data.exit_status, data.exit_signal)
    }`;
  lines.push(`### ${title}`, "");
  lines.push("| measure | value |", "| --- | --- |");
  lines.push(`| wall time | ${seconds(data.wall_s)} |`);
  lines.push(
    `| CPU | ${seconds(data.cpu_s)} (${data.cores_average.toFixed(2)} cores on average), ` +
      "exited processes included |",
  );
  if (data.peak_rss_bytes !== null && data.peak_rss_at !== null) {
    lines.push(
      `| peak RSS | ${mib(data.peak_rss_bytes)} the whole tree, at ${time(data.peak_rss_at)} |`,
    );
  }
  if (data.largest_process) {
    lines.push(
      `| largest process | ${mib(data.largest_process.rss_bytes)}: ${
        markdownText(data.largest_process.command, 80)
      } |`,
    );
  }
  lines.push(`| processes | ${processesText(data)} |`);
  lines.push(
    `| samples | ${data.samples}, every ${data.interval_s.toFixed(2)} s; process events ${
      data.process_events ? "recorded" : "**not recorded**"
    } |`,
  );
  lines.push("");
  if (!data.process_events) {
    lines.push(
      "> This recording has no process events: processes that lived between samples are " +
        "missing, and lifetimes are known only to a sampling interval.",
      "",
    );
  }
  lines.push(`#### Programs by CPU`, "");
  lines.push(
    "| program | CPU s | peak RSS MiB | processes | total lifetime s | longest s | failed |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const p of data.programs.slice(0, options.limit)) {
    lines.push(
      `| ${markdownText(p.program, 40)} | ${p.cpu_s.toFixed(2)} | ${
        (p.peak_rss_bytes / MIB).toFixed(1)
      } | ${p.processes} | ${p.total_lifetime_s.toFixed(2)} | ${
        p.longest_lifetime_s.toFixed(2)
      } | ${p.failures} |`,
    );
  }
  const more = data.programs.length - options.limit;
  if (more > 0) lines.push("", `… and ${more} more programs (\`--format json\` lists all).`);
  lines.push("");
  if (data.failed_processes.length > 0) {
    lines.push(`#### Failed processes`, "");
    lines.push("| at s | PID | program | how | command |", "| ---: | ---: | --- | --- | --- |");
    for (const f of data.failed_processes.slice(0, options.limit)) {
      lines.push(
        `| ${f.at_s.toFixed(2)} | ${f.pid} | ${markdownText(f.program, 40)} | ${
          endedText(f.exit_status, f.exit_signal)
        } | ${markdownText(f.command, 80)} |`,
      );
    }
    const hidden = data.failed_processes.length - options.limit;
    if (hidden > 0) lines.push("", `… and ${hidden} more failed processes.`);
    lines.push("");
  }
  return lines.join("\n");
}
