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

/**
 * One process as sampled: the counters rates are computed from. Kept per PID and
 * updated in place each call (`seenAt`: the call that last saw it), not made anew: a
 * new object per process and refresh is young garbage that adds up over 3,000.
 */
interface Counters {
  starttime: number;
  utime: number;
  stime: number;
  read: number | null;
  write: number | null;
  /** `schedstat` run_delay, ns. */
  wait: number | null;
  seenAt: number;
  /** The row returned for it last, with `reuseRows`. */
  row?: ProcessRates | undefined;
}

const num = (value: unknown) => toNumber(value) ?? 0;
const MIB = 1024 * 1024;
/** stat's flag of a kernel thread (include/linux/sched.h). */
const PF_KTHREAD = 0x00200000;
const orNull = toNumber;
/** A process born in the interval had nothing before it. */
const BORN: Pick<Counters, "read" | "write"> & { wait: number | null } = {
  read: 0,
  write: 0,
  wait: 0,
};

/** A rate per second between two counters; `null` where either is unknown. */
function rateOf(now: number | null, then: number | null, seconds: number): number | null {
  return now === null || then === null ? null : Math.max(0, (now - then) / seconds);
}

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
  /** Each process's counters as last seen, by PID. */
  readonly #previous = new Map<number, Counters>();
  /** Calls so far: a counters' `seenAt` names the one that last updated it. */
  #calls = 0;
  #previousAt: number | null = null;
  readonly #cpu: ReapedCpuTracker;

  /**
   * With `includeNew`, a process without a previous sample is returned too (a replay
   * shows a process at the sample it appears in): born in the interval, with all it
   * used; else with no CPU and unknown I/O. `bootAt` (unix seconds, a recording's
   * `bootAt()`) makes a replay's births agree with `cpu_total`'s. With `reuseRows`, a
   * process's row is the object returned for it by the previous call, updated in place:
   * for a caller that drops the previous rows at each call (live top). Each new row per
   * process and refresh outlived its refresh and was promoted to the old generation.
   */
  constructor(
    readonly context: RateContext,
    readonly options: {
      includeNew?: boolean;
      bootAt?: number | undefined;
      reuseRows?: boolean;
    } = {},
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
    const previous = this.#previous;
    const call = ++this.#calls;
    const rates: ProcessRates[] = [];
    const intervals = this.#cpu.next(nodes, atMs / 1000);
    const seconds = this.#previousAt === null
      ? 0
      : intervalSeconds((atMs - this.#previousAt) / 1000, intervalTicks(intervals), this.context);
    const perTick = seconds > 0 ? 100 / this.context.clockTicks / seconds : 0;
    // indexed: a for…of makes an iterator result per process in code V8 leaves
    // unoptimized at one run a second
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const pid = num(node.stat.pid);
      const starttime = num(node.stat.starttime);
      const utime = num(node.stat.utime);
      const stime = num(node.stat.stime);
      const read = orNull(node.io?.read_bytes);
      const write = orNull(node.io?.write_bytes);
      const wait = orNull(node.schedstat?.run_delay);
      const known = previous.get(pid);
      // a known process's counters are those of the previous call until updated below
      const knownBefore = known !== undefined && known.seenAt === call - 1;
      const cpu = seconds > 0 ? intervals.get(pid) : undefined;
      // what the process had before the interval: its previous sample, or nothing if born in it
      const before = cpu?.kind === "seen" && knownBefore
        ? known
        : cpu?.kind === "born"
        ? BORN
        : null;
      let row: ProcessRates | undefined;
      if (before || this.options.includeNew) {
        const rss = num(node.stat.rss);
        const rssfile = node.status?.rssfile;
        const reaped = (cpu?.userReaped ?? 0) + (cpu?.systemReaped ?? 0);
        const waitPercent = wait === null || !before || before.wait === null
          ? null
          : Math.max(0, wait - before.wait) / 1e7 / seconds;
        const memPercent = this.context.memoryBytes
          ? 100 * rss * this.context.pageSize / this.context.memoryBytes
          : 0;
        const shrMib = rssfile === undefined
          ? null
          : (num(rssfile) + num(node.status!.rssshmem)) / 1024;
        // computed before `before` (this process's counters) is updated below
        const readRate = before ? rateOf(read, before.read, seconds) : null;
        const writeRate = before ? rateOf(write, before.write, seconds) : null;
        row = this.options.reuseRows ? known?.row : undefined;
        if (row === undefined) {
          row = {
            pid,
            ppid: num(node.stat.ppid),
            comm: String(node.stat.comm ?? ""),
            command: displayCommand(node.cmdline, node.stat.comm),
            state: String(node.stat.state ?? ""),
            threads: num(node.stat.num_threads),
            rssMib: pagesToMib(rss, this.context),
            userPercent: (cpu?.userOwn ?? 0) * perTick,
            systemPercent: (cpu?.systemOwn ?? 0) * perTick,
            reapedPercent: reaped * perTick,
            readRate,
            writeRate,
            waitPercent,
            wchan: node.wchan ?? null,
            memPercent,
            nice: num(node.stat.nice),
            cpuSeconds: ticksToSeconds(utime + stime, this.context),
            user: this.#userOf(node),
            priority: num(node.stat.priority),
            virtMib: num(node.stat.vsize) / MIB,
            shrMib,
            kernel: (num(node.stat.flags) & PF_KTHREAD) !== 0,
          };
        } else {
          // the same fields as the literal above, each one: a new row would be young
          // garbage a refresh later, and promoted in between
          row.pid = pid;
          row.ppid = num(node.stat.ppid);
          row.comm = String(node.stat.comm ?? "");
          row.command = displayCommand(node.cmdline, node.stat.comm);
          row.state = String(node.stat.state ?? "");
          row.threads = num(node.stat.num_threads);
          row.rssMib = pagesToMib(rss, this.context);
          row.userPercent = (cpu?.userOwn ?? 0) * perTick;
          row.systemPercent = (cpu?.systemOwn ?? 0) * perTick;
          row.reapedPercent = reaped * perTick;
          row.readRate = readRate;
          row.writeRate = writeRate;
          row.waitPercent = waitPercent;
          row.wchan = node.wchan ?? null;
          row.memPercent = memPercent;
          row.nice = num(node.stat.nice);
          row.cpuSeconds = ticksToSeconds(utime + stime, this.context);
          row.user = this.#userOf(node);
          row.priority = num(node.stat.priority);
          row.virtMib = num(node.stat.vsize) / MIB;
          row.shrMib = shrMib;
          row.kernel = (num(node.stat.flags) & PF_KTHREAD) !== 0;
        }
        rates.push(row);
      }
      if (known === undefined) {
        const counters: Counters = { starttime, utime, stime, read, write, wait, seenAt: call };
        if (this.options.reuseRows) counters.row = row;
        previous.set(pid, counters);
      } else {
        if (this.options.reuseRows && row !== undefined) known.row = row;
        known.starttime = starttime;
        known.utime = utime;
        known.stime = stime;
        known.read = read;
        known.write = write;
        known.wait = wait;
        known.seenAt = call;
      }
    }
    // the processes this call did not see are gone (or left the selection)
    previous.forEach((counters, pid) => {
      if (counters.seenAt !== call) previous.delete(pid);
    });
    this.#previousAt = atMs;
    return rates;
  }
}
