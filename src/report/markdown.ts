/**
 * A run's report as GitHub- and GitLab-flavoured Markdown, for a CI job's summary page
 * (`$GITHUB_STEP_SUMMARY`) or a merge request comment: the summary, the programs table
 * and the failed processes. Process data is escaped so that no command line can open a
 * link, an HTML tag or a table cell of its own.
 *
 * @module
 */
import type { ReportData } from "./report_data.ts";
import { AFTER_LAST, EXITED_BETWEEN } from "../record/summary.ts";

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

/** The run's CPU, in words: whose count it is. */
export function cpuText(data: ReportData): string {
  return `${seconds(data.cpu_s)} (${data.cores_average.toFixed(2)} cores on average), ` +
    (data.cpu_source === "rusage"
      ? "exited processes included (the kernel's count, getrusage)"
      : "exited processes included (from the samples)");
}

/**
 * The largest process, in words (null when there is none): whose count it is. A figure
 * of the kernel's larger than any sample saw is a peak that fell between samples (the
 * process itself may well have been sampled), and the samples' largest is said beside it.
 */
export function largestText(data: ReportData): string | null {
  const largest = data.largest_process;
  if (largest === null) return null;
  if (largest.source === "samples") {
    return `${mib(largest.rss_bytes)}, the most a sample saw of one process: ${largest.command}`;
  }
  const sampled = data.largest_sampled_process;
  return `${mib(largest.rss_bytes)}, the kernel's count (getrusage ru_maxrss)${
    largest.command === null ? "" : `: ${largest.command}`
  }; the peak fell between samples (no sample saw it)` +
    (sampled === null
      ? ""
      : `, the most a sample saw of one process was ${mib(sampled.rss_bytes)}: ${sampled.command}`);
}

/** The whole tree's peak, in words: what the samples saw, not the kernel's count. */
export function treePeakText(data: ReportData): string | null {
  if (data.peak_rss_bytes === null || data.peak_rss_at === null) return null;
  return `${mib(data.peak_rss_bytes)}, the most the samples saw of the whole tree at once, ` +
    `at ${time(data.peak_rss_at)}`;
}

/**
 * A program's name for a table, with the programs CPU no one program holds was used by
 * (none named where no event tells them).
 */
export function programText(row: ReportData["programs"][number]): string {
  return row.among && row.among.length > 0
    ? `${row.program}: ${row.among.join(", ")}`
    : row.program;
}

/**
 * A program's peak RSS in MiB for a table cell: "≥" where some of its processes lived
 * between samples (their memory was never seen), "–" where all did.
 */
export function peakCell(row: ReportData["programs"][number]): string {
  // no sample saw its memory: a bound of 0 says nothing
  if (row.peak_rss_bytes === null || row.peak_rss_bytes === 0) return "–";
  const value = (row.peak_rss_bytes / MIB).toFixed(1);
  return row.unsampled_processes > 0 ? `≥ ${value}` : value;
}

/**
 * What the programs table's CPU and peak RSS are, in sentences: the pseudo-programs of
 * CPU not put on one program, and peaks as lower bounds.
 */
export const PEAK_NOTE = `CPU of processes of different programs that exited between ` +
  `two samples without a figure of their own is not split by guess: it is ${EXITED_BETWEEN} ` +
  `(or ${AFTER_LAST}). A children of PROGRAM row is CPU that PROGRAM reaped from processes ` +
  "no exit event named, not counted in the programs listed. Peak RSS is the largest sum " +
  "of a program's processes at one sample, " +
  "a lower bound: memory between samples is not seen. ≥ marks programs with processes that " +
  "lived between two samples, – those no sample saw at all.";

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
  lines.push(`| CPU | ${markdownText(cpuText(data), 200)} |`);
  const treePeak = treePeakText(data);
  if (treePeak !== null) lines.push(`| peak RSS | ${treePeak} |`);
  const largest = largestText(data);
  if (largest !== null) lines.push(`| largest process | ${markdownText(largest, 300)} |`);
  lines.push(`| processes | ${processesText(data)} |`);
  if (data.runs > 1) {
    lines.push(`| run | ${data.run} of the ${data.runs} this recording holds (\`--run\`) |`);
  }
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
    "| program | CPU s | peak RSS MiB (samples) | processes | total lifetime s | longest s | failed |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const p of data.programs.slice(0, options.limit)) {
    lines.push(
      `| ${markdownText(programText(p), 60)} | ${p.cpu_s.toFixed(2)} | ${
        peakCell(p)
      } | ${p.processes} | ${p.total_lifetime_s.toFixed(2)} | ${
        p.longest_lifetime_s.toFixed(2)
      } | ${p.failures} |`,
    );
  }
  const more = data.programs.length - options.limit;
  if (more > 0) lines.push("", `… and ${more} more programs (\`--format json\` lists all).`);
  lines.push("", markdownText(PEAK_NOTE, PEAK_NOTE.length), "");
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
