/**
 * `procpath inspect`: why a process is slow, without root. Looks at the selected
 * processes and their threads twice, a window apart, reading the wait channels of
 * every thread several times in between, then builds a report per process and the
 * findings (`findings.ts`).
 *
 * @module
 */
import { readCgroup, readCpuCgroupV1 } from "./cgroup_files.ts";
import type { CgroupFigures } from "./cgroup_files.ts";
import { findingsFor } from "./findings.ts";
import type { Finding } from "./findings.ts";
import { readSockets } from "./net.ts";
import { processReport } from "./report.ts";
import type { ProcessReport } from "./report.ts";
import { sampleProcess } from "./sample_process.ts";
import type { ProcessSample } from "./sample_process.ts";
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
}

/** The whole result. */
export interface InspectReport {
  windowSeconds: number;
  processes: ProcessReport[];
  findings: Finding[];
  /** PIDs that were gone before the first look. */
  missing: number[];
}

/** How often the wait channels are read during the window, ms. */
const CHANNEL_EVERY_MS = 100;
/** Past this many threads the channels are read less often (each read costs ~10 µs). */
const CHANNEL_THREADS = 2000;

/** Runs the inspection; `sleep` waits (and ends early when the user stops it). */
export async function inspect(
  plan: InspectPlan,
  sleep: (ms: number) => Promise<void>,
): Promise<InspectReport> {
  const before = new Map<number, ProcessSample>();
  const missing: number[] = [];
  for (const { pid } of plan.processes) {
    const sample = sampleProcess(plan.root, pid, plan.pageSize);
    if (sample) before.set(pid, sample);
    else missing.push(pid);
  }
  const cgroupsBefore = cgroupsOf(before.values());
  const cgroupKey = (s: ProcessSample) => `${s.cgroup}|${s.cpuCgroupV1}`;
  const threads = [...before.values()].flatMap((p) => p.threads.map((t) => [p.pid, t.tid]));
  const channels = new Map<number, (string | null)[]>();
  const every = CHANNEL_EVERY_MS * Math.max(1, Math.ceil(threads.length / CHANNEL_THREADS));
  const started = performance.now();
  const windowMs = plan.windowSeconds * 1000;
  for (let next = every; next < windowMs; next += every) {
    await sleep(Math.max(0, started + next - performance.now()));
    for (const [pid, tid] of threads) {
      let channel: string | null = null;
      try {
        channel = parseWchan(Deno.readTextFileSync(`${plan.root}/${pid}/task/${tid}/wchan`));
      } catch { /* gone */ }
      let list = channels.get(tid!);
      if (!list) channels.set(tid!, list = []);
      list.push(channel);
    }
  }
  await sleep(Math.max(0, started + windowMs - performance.now()));
  const seconds = (performance.now() - started) / 1000;
  const after = new Map<number, ProcessSample | null>();
  for (const pid of before.keys()) after.set(pid, sampleProcess(plan.root, pid, plan.pageSize));
  const cgroupsAfter = cgroupsOf([...after.values()].filter((p) => p !== null));
  const sockets = readSockets(plan.root);
  const processes: ProcessReport[] = [];
  const findings: Finding[] = [];
  for (const { pid, depth } of plan.processes) {
    const first = before.get(pid);
    if (!first) continue;
    const report = processReport(first, after.get(pid) ?? null, {
      seconds,
      clockTicks: plan.clockTicks,
      depth,
      channels,
      sockets,
      cgroupBefore: cgroupsBefore.get(cgroupKey(first)) ?? null,
      cgroupAfter: cgroupsAfter.get(cgroupKey(first)) ?? null,
    });
    processes.push(report);
    if (!report.exited) findings.push(...findingsFor(report, seconds, plan.cpus));
  }
  return { windowSeconds: seconds, processes, findings, missing };
}

/**
 * The figures of each distinct cgroup of `samples`, by `v2 path|v1 cpu path`: cgroup
 * v2's, with the quota and throttling of v1's `cpu` controller where v1 mounts it.
 */
function cgroupsOf(samples: Iterable<ProcessSample>): Map<string, CgroupFigures | null> {
  const figures = new Map<string, CgroupFigures | null>();
  for (const { cgroup, cpuCgroupV1 } of samples) {
    const key = `${cgroup}|${cpuCgroupV1}`;
    if (figures.has(key)) continue;
    let found = cgroup === null ? null : readCgroup(cgroup);
    if (cpuCgroupV1 !== null && !found?.cpuStat) {
      const v1 = readCpuCgroupV1(cpuCgroupV1);
      if (v1) {
        found = {
          path: cpuCgroupV1,
          memoryCurrent: null,
          memoryMax: null,
          oomKills: null,
          pressure: { cpu: null, memory: null, io: null },
          ...found,
          cpuMax: v1.cpuMax,
          cpuStat: v1.cpuStat,
          cpuFrom: "cpu.cfs_quota_us",
        };
      }
    }
    figures.set(key, found);
  }
  return figures;
}
