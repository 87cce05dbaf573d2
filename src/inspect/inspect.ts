/**
 * `procpath inspect`: why a process is slow, without root. Looks at the selected
 * processes and their threads twice, a window apart, looking at every thread's state
 * and wait channel ten times a second in between, then builds a report per process and
 * the findings (`findings.ts`), ranked by how much of the window each explains.
 *
 * @module
 */
import { readCgroupFigures } from "./cgroup_files.ts";
import type { CgroupFigures } from "./cgroup_files.ts";
import { findingsFor, rankFindings } from "./findings.ts";
import type { Finding } from "./findings.ts";
import { readSockets } from "./net.ts";
import { findHolders } from "./peers.ts";
import { processReport, wantedInodes } from "./report.ts";
import type { Look, ProcessReport } from "./report.ts";
import { sampleProcess } from "./sample_process.ts";
import type { ProcessSample } from "./sample_process.ts";
import { createProcReader } from "../procfs/proc_reader.ts";
import type { ProcReader } from "../procfs/proc_reader.ts";
import { parseStatBytes } from "../procfs/parse_stat.ts";
import { parseWchan } from "../procfs/parse_inspect_files.ts";

/** What to inspect and how. */
export interface InspectPlan {
  /** The procfs root (`/proc`). */
  root: string;
  /** The processes, each once, parents before children, with their depth in the selection. */
  processes: readonly { pid: number; depth: number }[];
  windowSeconds: number;
  pageSize: number;
  clockTicks: number;
  cpus: number;
  /** PIDs asked for that were not there before the first look. */
  absent?: readonly number[];
}

/** The whole result. */
export interface InspectReport {
  windowSeconds: number;
  processes: ProcessReport[];
  /** Every finding, the one that explains most of the window first. */
  findings: Finding[];
  /** PIDs that were asked for but gone before the first look. */
  missing: number[];
}

/** How often the threads are looked at during the window, ms. */
const LOOK_EVERY_MS = 100;
/** Past this many threads they are looked at less often (each look costs ~20 µs). */
const LOOK_THREADS = 2000;

const decoder = new TextDecoder();

function look(reader: ProcReader, pid: number, tid: number): Look | null {
  try {
    const state = parseStatBytes(reader.readFile(pid, `task/${tid}/stat`)).state ?? "?";
    let wchan: string | null = null;
    try {
      wchan = parseWchan(decoder.decode(reader.readFile(pid, `task/${tid}/wchan`)));
    } catch { /* unreadable: the state alone */ }
    return { state, wchan };
  } catch {
    return null; // the thread ended
  }
}

/** Whether the kernel counts each task's block I/O delay (`kernel.task_delayacct`). */
function delayAccountingOn(reader: ProcReader): boolean {
  try {
    return decoder.decode(reader.readRootFile("sys/kernel/task_delayacct")).trim() === "1";
  } catch {
    return false;
  }
}

/** Runs the inspection; `sleep` waits (and ends early when the user stops it). */
export async function inspect(
  plan: InspectPlan,
  sleep: (ms: number) => Promise<void>,
): Promise<InspectReport> {
  const reader = createProcReader(plan.root);
  const before = new Map<number, ProcessSample>();
  const missing: number[] = [...(plan.absent ?? [])];
  for (const { pid } of plan.processes) {
    const sample = sampleProcess(reader, pid, plan.pageSize);
    if (sample) before.set(pid, sample);
    else missing.push(pid);
  }
  const cgroupsBefore = cgroupsOf(before.values());
  const threads = [...before.values()].flatMap((p) => p.threads.map((t) => [p.pid, t.tid]));
  const looks = new Map<number, Look[]>();
  const every = LOOK_EVERY_MS * Math.max(1, Math.ceil(threads.length / LOOK_THREADS));
  const started = performance.now();
  const windowMs = plan.windowSeconds * 1000;
  for (let next = every; next < windowMs; next += every) {
    await sleep(Math.max(0, started + next - performance.now()));
    for (const [pid, tid] of threads) {
      const seen = look(reader, pid!, tid!);
      if (seen === null) continue;
      let list = looks.get(tid!);
      if (!list) looks.set(tid!, list = []);
      list.push(seen);
    }
  }
  await sleep(Math.max(0, started + windowMs - performance.now()));
  const seconds = (performance.now() - started) / 1000;
  const after = new Map<number, ProcessSample | null>();
  for (const pid of before.keys()) after.set(pid, sampleProcess(reader, pid, plan.pageSize));
  const live = [...after.values()].filter((p) => p !== null);
  const cgroupsAfter = cgroupsOf(live);
  const sockets = readSockets(plan.root);
  const holders = findHolders(reader, wantedInodes(live, sockets, Deno.build.arch));
  const delayAccounting = delayAccountingOn(reader);
  const processes: ProcessReport[] = [];
  const findings: Finding[] = [];
  for (const { pid, depth } of plan.processes) {
    const first = before.get(pid);
    if (!first) continue;
    const report = processReport(first, after.get(pid) ?? null, {
      seconds,
      clockTicks: plan.clockTicks,
      depth,
      arch: Deno.build.arch,
      looks,
      sockets,
      holders,
      cgroupBefore: cgroupsBefore.get(cgroupKey(first)) ?? null,
      cgroupAfter: cgroupsAfter.get(cgroupKey(first)) ?? null,
      delayAccounting,
    });
    processes.push(report);
    if (!report.exited) findings.push(...findingsFor(report, seconds, plan.cpus));
  }
  return { windowSeconds: seconds, processes, findings: rankFindings(findings), missing };
}

/** A process's cgroups as one key (processes in the same groups share their figures). */
const cgroupKey = (s: ProcessSample) =>
  s.cgroups === null ? "" : `${s.cgroups.v2}|${[...s.cgroups.v1].join(",")}`;

/** The figures of each distinct set of cgroups of `samples`, by {@link cgroupKey}. */
function cgroupsOf(samples: Iterable<ProcessSample>): Map<string, CgroupFigures | null> {
  const figures = new Map<string, CgroupFigures | null>();
  for (const sample of samples) {
    const key = cgroupKey(sample);
    if (figures.has(key)) continue;
    figures.set(key, sample.cgroups === null ? null : readCgroupFigures(sample.cgroups));
  }
  return figures;
}
