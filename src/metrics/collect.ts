/**
 * Process-tree metrics for Prometheus: per named group (a JSONPath selection, with
 * what runs below it) the process count, CPU seconds by mode, resident memory, disk
 * bytes read and written, threads and open files — counters kept monotonic across
 * exits, re-entries and PID reuse by adding each interval's growth to the group's
 * total, the group's CPU with what its processes reaped between scrapes (the
 * short-lived children no scrape sees, `model/cpu.ts`) — and, opted in and capped, per-process series with their command
 * lines only on an info series (off by default, redactable).
 *
 * @module
 */
import type { KernelUnits } from "../model/process.ts";
import { toNumber } from "../procfs/int.ts";
import { selectProcesses } from "../query/mod.ts";
import type { CompiledQuery } from "../query/mod.ts";
import type { ProcessNode } from "../tree/types.ts";
import { ReapedCpuTracker } from "../model/cpu.ts";
import { REFERENCE_VERSION, VERSION } from "../version.ts";
import type { MetricFamily, Sample } from "./exposition.ts";

/** A named selection. */
export interface Group {
  name: string;
  /** `null`: every process. */
  query: CompiledQuery | null;
  /** False: the selected processes alone, not what runs below them (`--no-subtree`). */
  subtree?: boolean | undefined;
}

/** What to expose; the machine's units convert pages and ticks. */
export interface CollectOptions extends KernelUnits {
  groups: readonly Group[];
  /** Per-process series, at most `maxProcesses` per group (the largest by RSS). */
  perProcess: boolean;
  maxProcesses: number;
  /** Command lines on `procpath_process_info`, with `redact` matches replaced. */
  cmdline: boolean;
  redact: RegExp | null;
  /** Unix seconds the machine booted at (start times); NaN when unknown. */
  bootTime: number;
}

/** A process's counters: CPU in clock ticks (integers, so sums stay exact), I/O in bytes. */
interface Counters {
  /** With the PID, who the process is: a reused PID is another process. */
  starttime: number;
  user: number;
  system: number;
  read: number;
  written: number;
  /** Time runnable but waiting for a CPU (`schedstat` run_delay), ns. */
  waited: number;
}
const zero = (): Counters => ({ starttime: 0, user: 0, system: 0, read: 0, written: 0, waited: 0 });

/** Adds what a process's counters grew by since `then` (all of them without it) to `total`. */
function addCounters(total: Counters, c: Counters, then: Counters | null): void {
  const grown = (now: number, before: number | undefined) => Math.max(0, now - (before ?? 0));
  total.user += grown(c.user, then?.user);
  total.system += grown(c.system, then?.system);
  total.read += grown(c.read, then?.read);
  total.written += grown(c.written, then?.written);
  total.waited += grown(c.waited, then?.waited);
}

const num = (value: unknown) => toNumber(value) ?? 0;

/** A group's state between collections. */
interface GroupState {
  /** By PID: a PID names one process within a scrape. */
  live: Map<number, Counters>;
  /**
   * The group's counters: at the first collection its processes' own, then each
   * interval's growth added — a process's since its previous scrape, all of one born
   * in between, its reaped children's CPU (`model/cpu.ts`), nothing of one that only
   * entered the selection — so they stay monotonic through exits and re-entries.
   */
  total: Counters | null;
  /** The group's processes from collection to collection, for the reaped-CPU model. */
  cpu: ReapedCpuTracker;
}

/** Keeps the groups' counters between collections. */
export class Collector {
  #groups = new Map<string, GroupState>();

  constructor(readonly options: CollectOptions) {}

  #counters(node: ProcessNode): Counters {
    return {
      starttime: num(node.stat.starttime),
      user: num(node.stat.utime),
      system: num(node.stat.stime),
      read: num(node.io?.read_bytes),
      written: num(node.io?.write_bytes),
      waited: num(node.schedstat?.run_delay),
    };
  }

  /**
   * The families for one snapshot's roots. `timestamp` (unix seconds) marks every
   * sample (for backfill); a live scrape leaves it out.
   */
  collect(roots: readonly ProcessNode[], timestamp?: number): MetricFamily[] {
    const o = this.options;
    const family = (
      name: string,
      type: MetricFamily["type"],
      help: string,
      unit?: string,
    ): MetricFamily => ({ name, type, help, unit, samples: [] });
    const f = {
      processes: family("procpath_group_processes", "gauge", "Processes in the group"),
      cpu: family(
        "procpath_group_cpu_seconds",
        "counter",
        "CPU time used by the group's processes, exited ones included",
        "seconds",
      ),
      rss: family(
        "procpath_group_resident_memory_bytes",
        "gauge",
        "Resident memory of the group's processes",
        "bytes",
      ),
      read: family(
        "procpath_group_read_bytes",
        "counter",
        "Bytes the group's processes read from storage",
        "bytes",
      ),
      written: family(
        "procpath_group_written_bytes",
        "counter",
        "Bytes the group's processes wrote to storage",
        "bytes",
      ),
      waited: family(
        "procpath_group_run_delay_seconds",
        "counter",
        "Time the group's processes were runnable but waiting for a CPU (with -f schedstat)",
        "seconds",
      ),
      threads: family("procpath_group_threads", "gauge", "Threads of the group's processes"),
      fds: family(
        "procpath_group_open_fds",
        "gauge",
        "Open file descriptors of the group's processes",
      ),
      pCpu: family(
        "procpath_process_cpu_seconds",
        "counter",
        "CPU time used by the process",
        "seconds",
      ),
      pRss: family(
        "procpath_process_resident_memory_bytes",
        "gauge",
        "Resident memory of the process",
        "bytes",
      ),
      pStart: family(
        "procpath_process_start_time_seconds",
        "gauge",
        "When the process started, unix time",
        "seconds",
      ),
      pInfo: family("procpath_process", "info", "A process's parent and command"),
      dropped: family(
        "procpath_process_series_dropped",
        "gauge",
        "Processes of the group past --max-processes, not exposed one by one",
      ),
    };
    const at = (labels: Record<string, string>, value: number): Sample =>
      timestamp === undefined ? { labels, value } : { labels, value, timestamp };
    for (const group of o.groups) {
      // a group is the processes its selection holds (values it selects beside them count nothing)
      const { nodes } = selectProcesses(group.query, roots, group.subtree !== false);
      const state = this.#groups.get(group.name) ??
        this.#groups.set(group.name, {
          live: new Map(),
          total: null,
          // btime is whole seconds, rounded down: the boot is before the next one
          cpu: new ReapedCpuTracker(
            o.clockTicks,
            Number.isFinite(o.bootTime) && o.bootTime > 0 ? o.bootTime + 1 : undefined,
          ),
        })
          .get(group.name)!;
      const intervals = state.cpu.next(nodes, timestamp ?? Date.now() / 1000);
      const now = new Map<number, Counters>();
      for (const node of nodes) now.set(num(node.stat.pid), this.#counters(node));
      let total = state.total;
      if (total === null) {
        total = zero();
        for (const c of now.values()) addCounters(total, c, null);
      } else {
        for (const [pid, c] of now) {
          const cpu = intervals.get(pid);
          if (cpu === undefined || cpu.kind === "entered") continue;
          addCounters(total, c, cpu.kind === "seen" ? state.live.get(pid)! : null);
          // the growth of its own CPU is in the interval's figures, with what it reaped
          total.user += cpu.userReaped;
          total.system += cpu.systemReaped;
        }
      }
      state.live = now;
      state.total = total;
      const g = { group: group.name };
      f.processes.samples.push(at(g, nodes.length));
      const seconds = (ticks: number) => ticks / o.clockTicks;
      f.cpu.samples.push(
        at({ ...g, mode: "user" }, seconds(total.user)),
        at({ ...g, mode: "system" }, seconds(total.system)),
      );
      f.rss.samples.push(at(g, nodes.reduce((s, n) => s + num(n.stat.rss) * o.pageSize, 0)));
      if (nodes.some((n) => n.io)) {
        f.read.samples.push(at(g, total.read));
        f.written.samples.push(at(g, total.written));
      }
      if (nodes.some((n) => n.schedstat)) f.waited.samples.push(at(g, total.waited / 1e9));
      f.threads.samples.push(at(g, nodes.reduce((s, n) => s + num(n.stat.num_threads), 0)));
      if (nodes.some((n) => n.fd)) {
        f.fds.samples.push(
          at(
            g,
            nodes.reduce(
              (s, n) =>
                s + (n.fd ? Object.values(n.fd).reduce((a: number, b) => a + num(b), 0) : 0),
              0,
            ),
          ),
        );
      }
      if (!o.perProcess) continue;
      const shown = nodes.slice().sort((a, b) =>
        num(b.stat.rss) - num(a.stat.rss) || num(a.stat.pid) - num(b.stat.pid)
      )
        .slice(0, o.maxProcesses);
      f.dropped.samples.push(at(g, nodes.length - shown.length));
      for (const node of shown) {
        const p = { ...g, pid: String(num(node.stat.pid)), comm: String(node.stat.comm ?? "") };
        const c = now.get(num(node.stat.pid))!;
        f.pCpu.samples.push(
          at({ ...p, mode: "user" }, seconds(c.user)),
          at({ ...p, mode: "system" }, seconds(c.system)),
        );
        f.pRss.samples.push(at(p, num(node.stat.rss) * o.pageSize));
        if (Number.isFinite(o.bootTime)) {
          f.pStart.samples.push(at(p, o.bootTime + num(node.stat.starttime) / o.clockTicks));
        }
        const info: Record<string, string> = { ...p, ppid: String(num(node.stat.ppid)) };
        if (o.cmdline) {
          info.cmdline = o.redact
            ? (node.cmdline ?? "").replace(o.redact, "***")
            : node.cmdline ?? "";
        }
        f.pInfo.samples.push(at(info, 1));
      }
    }
    return Object.values(f).filter((family) => family.samples.length > 0);
  }
}

/** procpath's own families: build info, and the scrape's duration when measured. */
export function selfMetrics(scrapeSeconds?: number): MetricFamily[] {
  return [
    {
      name: "procpath_build",
      type: "info",
      help: "procpath's version and the Procpath version it follows",
      samples: [{ labels: { version: VERSION, reference: REFERENCE_VERSION }, value: 1 }],
    },
    ...(scrapeSeconds === undefined ? [] : [{
      name: "procpath_scrape_duration_seconds",
      type: "gauge" as const,
      help: "How long reading /proc and computing this scrape took",
      unit: "seconds",
      samples: [{ labels: {}, value: scrapeSeconds }],
    }]),
  ];
}
