import { toNumber } from "../procfs/int.ts";
import type { ProcessNode } from "../tree/types.ts";
import { intervalSeconds, intervalTicks, ReapedCpuTracker } from "./cpu.ts";
import { displayCommand, pagesToMib, ticksToSeconds } from "./process.ts";
import type { KernelUnits } from "./process.ts";

/** What one process used between two samples. */
export interface ProcessRates {
  pid: number;
  ppid: number;
  comm: string;
  command: string;
  state: string;
  threads: number;
  /** Resident memory, MiB. */
  rssMib: number;
  /** Share of one core in user and kernel mode, %. */
  userPercent: number;
  systemPercent: number;
  /**
   * Share of one core its children used that it reaped in the interval, less what they
   * were seen to have (`model/cpu.ts`): the short-lived processes no sample shows, %.
   */
  reapedPercent: number;
  /** Disk reads and writes, bytes per second; `null` where `io` is not readable. */
  readRate: number | null;
  writeRate: number | null;
  /** Share of the interval it was runnable but waiting for a CPU, %; `null` without `schedstat`. */
  waitPercent: number | null;
  /** The kernel function it sleeps in; `null` when running, hidden or `wchan` not read. */
  wchan: string | null;
  /** Resident memory as a share of the machine's, %. */
  memPercent: number;
  /** Nice value, -20 (first served) to 19. */
  nice: number;
  /** CPU time used since it started (user and kernel), seconds. */
  cpuSeconds: number;
  /**
   * The owner's name (the effective uid, as ps and htop; the number where `/etc/passwd`
   * has none); `null` without `status`.
   */
  user: string | null;
  /** The kernel's scheduling priority (stat `priority`: 20 at nice 0, as htop's PRI). */
  priority: number;
  /** Virtual memory, MiB (stat `vsize`). */
  virtMib: number;
  /** Resident memory shared with others (file pages and shmem), MiB; `null` without `status`. */
  shrMib: number | null;
  /** A kernel thread (stat flags PF_KTHREAD): no command line, no user space. */
  kernel: boolean;
}

/** One process as sampled: the counters rates are computed from. */
interface Counters {
  starttime: number;
  utime: number;
  stime: number;
  read: number | null;
  write: number | null;
  /** `schedstat` run_delay, ns. */
  wait: number | null;
}

const num = (value: unknown) => toNumber(value) ?? 0;
const MIB = 1024 * 1024;
/** stat's flag of a kernel thread (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;
const orNull = toNumber;
/** A process born in the interval had nothing before it. */
const BORN: Omit<Counters, "starttime" | "utime" | "stime"> = { read: 0, write: 0, wait: 0 };

/** Facts the rates need: the machine's units, memory and user names. */
export interface RateContext extends KernelUnits {
  /** The machine's memory, bytes (for %MEM); unknown when absent. */
  memoryBytes?: number | undefined;
  /** User names by uid (for USER); uids are shown as numbers when absent. */
  userNames?: ReadonlyMap<number, string> | undefined;
  /**
   * The effective uid of a process not read with `status`: live, the owner of its
   * `/proc/PID` (as ps and htop take it), a `stat` call where `status` costs a read and
   * a parse of ~55 lines (live top of 3,000 processes: 2.3–2.7× procps top's CPU with
   * `status`, 1.0× without).
   */
  ownerOf?: ((pid: number) => number | null) | undefined;
  /**
   * The machine's CPUs: an interval is then at least as long as they need for the CPU
   * its processes used (`intervalSeconds`), so no block shows more than CPUs × 100 %.
   */
  cpus?: number | undefined;
}

/**
 * Turns successive snapshots into per-process rates: each call takes the selected
 * nodes (flattened, each process once) and the time of the read, and returns what
 * each process used since the previous call. CPU follows `model/cpu.ts`: a process
 * born in the interval counts all it used, its reaped children included. A process
 * seen for the first time that was not born in the interval (it entered the
 * selection), or any new one without `includeNew`, is left out.
 */
export class RateTracker {
  #previous = new Map<number, Counters>();
  #previousAt: number | null = null;
  readonly #cpu: ReapedCpuTracker;

  /**
   * With `includeNew`, a process without a previous sample is returned too (a replay
   * shows a process at the sample it appears in): born in the interval, with all it
   * used; else with no CPU and unknown I/O. `bootAt` (unix seconds, a recording's
   * `bootAt()`) makes a replay's births agree with `cpu_total`'s.
   */
  constructor(
    readonly context: RateContext,
    readonly options: { includeNew?: boolean; bootAt?: number | undefined } = {},
  ) {
    this.#cpu = new ReapedCpuTracker(context.clockTicks, options.bootAt);
  }

  #userOf(node: ProcessNode): string | null {
    const uid = node.status?.uid;
    const id = Array.isArray(uid)
      ? toNumber(uid[1] ?? uid[0])
      : this.context.ownerOf?.(num(node.stat.pid)) ?? null;
    return id === null ? null : this.context.userNames?.get(id) ?? String(id);
  }

  /** `atMs`: the read's time in ms, on one clock for every call (monotonic or unix). */
  next(nodes: readonly ProcessNode[], atMs: number): ProcessRates[] {
    const current = new Map<number, Counters>();
    const rates: ProcessRates[] = [];
    const intervals = this.#cpu.next(nodes, atMs / 1000);
    const seconds = this.#previousAt === null
      ? 0
      : intervalSeconds((atMs - this.#previousAt) / 1000, intervalTicks(intervals), this.context);
    const perTick = seconds > 0 ? 100 / this.context.clockTicks / seconds : 0;
    for (const node of nodes) {
      const pid = num(node.stat.pid);
      const counters: Counters = {
        starttime: num(node.stat.starttime),
        utime: num(node.stat.utime),
        stime: num(node.stat.stime),
        read: orNull(node.io?.read_bytes),
        write: orNull(node.io?.write_bytes),
        wait: orNull(node.schedstat?.run_delay),
      };
      current.set(pid, counters);
      const cpu = seconds > 0 ? intervals.get(pid) : undefined;
      const known = this.#previous.get(pid);
      // what the process had before the interval: its previous sample, or nothing if born in it
      const before = cpu?.kind === "seen" && known ? known : cpu?.kind === "born" ? BORN : null;
      if (!before && !this.options.includeNew) continue;
      const rate = (now: number | null, then: number | null) =>
        now === null || then === null || !before ? null : Math.max(0, (now - then) / seconds);
      rates.push({
        pid,
        ppid: num(node.stat.ppid),
        comm: String(node.stat.comm ?? ""),
        command: displayCommand(node.cmdline, node.stat.comm),
        state: String(node.stat.state ?? ""),
        threads: num(node.stat.num_threads),
        rssMib: pagesToMib(num(node.stat.rss), this.context),
        userPercent: (cpu?.userOwn ?? 0) * perTick,
        systemPercent: (cpu?.systemOwn ?? 0) * perTick,
        reapedPercent: ((cpu?.userReaped ?? 0) + (cpu?.systemReaped ?? 0)) * perTick,
        readRate: rate(counters.read, before?.read ?? null),
        writeRate: rate(counters.write, before?.write ?? null),
        waitPercent: counters.wait === null || !before || before.wait === null
          ? null
          : Math.max(0, counters.wait - before.wait) / 1e7 / seconds,
        wchan: node.wchan ?? null,
        memPercent: this.context.memoryBytes
          ? 100 * num(node.stat.rss) * this.context.pageSize / this.context.memoryBytes
          : 0,
        nice: num(node.stat.nice),
        cpuSeconds: ticksToSeconds(counters.utime + counters.stime, this.context),
        user: this.#userOf(node),
        priority: num(node.stat.priority),
        virtMib: num(node.stat.vsize) / MIB,
        shrMib: node.status?.rssfile === undefined
          ? null
          : (num(node.status.rssfile) + num(node.status.rssshmem)) / 1024,
        kernel: (num(node.stat.flags) & PF_KTHREAD) !== 0,
      });
    }
    this.#previous = current;
    this.#previousAt = atMs;
    return rates;
  }
}
