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
import { findingsFor, idleProcesses, rankFindings } from "./findings.ts";
import type { Finding } from "./findings.ts";
import { readSockets } from "./net.ts";
import { findHolders } from "./peers.ts";
import { processReport, waitsOnUnixSocket, wantedFifos, wantedInodes } from "./report.ts";
import { readUnixPeers } from "../kernel/unix_peers.ts";
import type { Look, ProcessReport } from "./report.ts";
import { sampleProcess } from "./sample_process.ts";
import type { ProcessSample } from "./sample_process.ts";
import { createProcReader } from "../procfs/proc_reader.ts";
import type { ProcReader } from "../procfs/proc_reader.ts";
import { parseStatBytes } from "../procfs/parse_stat.ts";
import { parseWchan } from "../procfs/parse_inspect_files.ts";
import { parseSyscall } from "../procfs/parse_syscall.ts";
import { startIpSampler } from "../kernel/perf_sampler.ts";
import type { IpSampler } from "../kernel/perf_sampler.ts";
import { parseMaps, rankFunctions, Symbolizer } from "./elf_symbols.ts";
import type { HotFunction } from "./elf_symbols.ts";

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
  /** The window as it passed, s: longer than asked when procpath waited for a CPU. */
  windowSeconds: number;
  /** The window asked for (`-w`), s. */
  requestedSeconds: number;
  processes: ProcessReport[];
  /** Every finding, the one that explains most of the window first. */
  findings: Finding[];
  /** PIDs that were asked for but gone before the first look. */
  missing: number[];
  /** The hot-function sampler: how many threads it watched, or why it could not. */
  sampler: { threads: number; samples: number; refused: string | null };
}

/** The most threads whose instruction pointers are sampled (each costs a descriptor and a 12 KiB ring). */
const SAMPLED_THREADS = 32;
/** Samples a second per thread: ~200 in a 2 s window of a busy thread, a fraction of a % of a core. */
const SAMPLE_HZ = 99;

/**
 * The threads worth sampling: running ones first, then by CPU so far; never kernel
 * threads (no user space) — at most {@link SAMPLED_THREADS}.
 */
function samplingCandidates(samples: Iterable<ProcessSample>): number[] {
  const threads = [...samples].filter((p) => !p.kernelThread).flatMap((p) => p.threads);
  return threads.sort((a, b) =>
    Number(b.state === "R") - Number(a.state === "R") ||
    (b.utime + b.stime) - (a.utime + a.stime)
  ).slice(0, SAMPLED_THREADS).map((t) => t.tid);
}

/** The hot functions of each sampled thread of `pid`, by TID, named from its mappings. */
function hotFunctionsOf(
  reader: ProcReader,
  pid: number,
  tids: readonly number[],
  samples: ReadonlyMap<number, bigint[]>,
  symbolizer: Symbolizer,
): Map<number, { samples: number; top: HotFunction[] }> {
  const found = new Map<number, { samples: number; top: HotFunction[] }>();
  const sampled = tids.filter((tid) => (samples.get(tid)?.length ?? 0) > 0);
  if (sampled.length === 0) return found;
  let maps;
  try {
    maps = parseMaps(decoder.decode(reader.readFile(pid, "maps")));
  } catch {
    return found; // gone, or not ours
  }
  // the files as this process sees them (its own mount namespace), where we may look
  const rooted = maps.map((m) => ({ ...m, path: `${reader.root}/${pid}/root${m.path}` }));
  const usable = rooted.length > 0 && symbolizer.table(rooted[0]!.path) !== null ? rooted : maps;
  for (const tid of sampled) {
    const ips = samples.get(tid)!;
    found.set(tid, {
      samples: ips.length,
      top: rankFunctions(ips.map((ip) => symbolizer.name(ip, usable))),
    });
  }
  return found;
}

/** How often a hundred threads or more are looked at during the window, ms. */
const LOOK_EVERY_MS = 100;
/** The shortest interval between looks, for a selection of 10 threads or fewer, ms. */
const LOOK_MIN_MS = 10;
/** Past this many threads they are looked at less often (each look costs ~20 µs). */
const LOOK_THREADS = 2000;

const decoder = new TextDecoder();

/**
 * One look at a thread: its state, wait channel and — where this user may read it —
 * the system call it is in (a thread woken inside a call and waiting for a CPU is still
 * in it, so the looks show which call its time goes to). `refused` collects the threads
 * whose `syscall` is not readable, so they are not asked again.
 */
function look(reader: ProcReader, pid: number, tid: number, refused: Set<number>): Look | null {
  try {
    const state = parseStatBytes(reader.readFile(pid, `task/${tid}/stat`)).state ?? "?";
    let wchan: string | null = null;
    try {
      wchan = parseWchan(decoder.decode(reader.readFile(pid, `task/${tid}/wchan`)));
    } catch { /* unreadable: the state alone */ }
    let syscall: number | null = null;
    if (!refused.has(tid)) {
      try {
        const call = parseSyscall(decoder.decode(reader.readFile(pid, `task/${tid}/syscall`)));
        syscall = call === null ? -1 : call.running ? null : call.number;
      } catch {
        refused.add(tid);
      }
    }
    return { state, wchan, syscall };
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
  const sampling = startIpSampler(samplingCandidates(before.values()), {
    frequency: SAMPLE_HZ,
    pageSize: plan.pageSize,
  });
  const sampler: IpSampler | null = typeof sampling === "string" ? null : sampling;
  const refused = typeof sampling === "string" ? sampling : null;
  const threads = [...before.values()].flatMap((p) => p.threads.map((t) => [p.pid, t.tid]));
  const looks = new Map<number, Look[]>();
  const callsHidden = new Set<number>();
  // a few threads are looked at up to every 10 ms (a short D between two looks 100 ms
  // apart is missed), a hundred or more every 100 ms: each look costs ~20 µs a thread
  const every = Math.max(LOOK_MIN_MS, Math.min(LOOK_EVERY_MS, threads.length)) *
    Math.max(1, Math.ceil(threads.length / LOOK_THREADS));
  const started = performance.now();
  const windowMs = plan.windowSeconds * 1000;
  for (let next = every; next < windowMs; next += every) {
    await sleep(Math.max(0, started + next - performance.now()));
    sampler?.drain();
    for (const [pid, tid] of threads) {
      const seen = look(reader, pid!, tid!, callsHidden);
      if (seen === null) continue;
      let list = looks.get(tid!);
      if (!list) looks.set(tid!, list = []);
      list.push(seen);
    }
  }
  await sleep(Math.max(0, started + windowMs - performance.now()));
  const seconds = (performance.now() - started) / 1000;
  const samples = sampler?.stop() ?? new Map<number, bigint[]>();
  const symbolizer = new Symbolizer();
  const after = new Map<number, ProcessSample | null>();
  for (const pid of before.keys()) after.set(pid, sampleProcess(reader, pid, plan.pageSize));
  const live = [...after.values()].filter((p) => p !== null);
  const cgroupsAfter = cgroupsOf(live);
  const sockets = readSockets(plan.root);
  const arch = Deno.build.arch;
  const unixPeers = waitsOnUnixSocket(live, sockets, arch) ? readUnixPeers() : new Map();
  const holders = findHolders(
    reader,
    wantedInodes(live, sockets, arch, unixPeers),
    wantedFifos(live, arch),
  );
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
      cpus: plan.cpus,
      looks,
      sockets,
      holders,
      cgroupBefore: cgroupsBefore.get(cgroupKey(first)) ?? null,
      cgroupAfter: cgroupsAfter.get(cgroupKey(first)) ?? null,
      delayAccounting,
      unixPeers,
      hotFunctions: hotFunctionsOf(
        reader,
        pid,
        first.threads.map((t) => t.tid),
        samples,
        symbolizer,
      ),
    });
    processes.push(report);
  }
  const idle = idleProcesses(processes);
  for (const report of processes) {
    if (!report.exited) findings.push(...findingsFor(report, seconds, plan.cpus, idle));
  }
  return {
    windowSeconds: seconds,
    requestedSeconds: plan.windowSeconds,
    processes,
    findings: rankFindings(findings),
    missing,
    sampler: {
      threads: samples.size,
      samples: [...samples.values()].reduce((sum, ips) => sum + ips.length, 0),
      refused,
    },
  };
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
