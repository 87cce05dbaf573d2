/**
 * The findings of `inspect`: plain sentences with the numbers behind them and the next
 * step, each made by one rule below from a process's report, each scored by how much
 * of the window it explains so the cause comes first. Every threshold is named here,
 * with why.
 *
 * @module
 */
import type { ProcessReport, SocketReport, ThreadReport, WaitObject } from "./report.ts";

/** A finding about one process. */
export interface Finding {
  pid: number;
  /** The rule's name (`hot_thread`, `throttled`, …). */
  rule: string;
  text: string;
  /**
   * How much it explains: the share of the window (%) its evidence covers; a cliff
   * that stops work outright (stopped, near a limit) scores high whatever its share.
   */
  score: number;
}

/**
 * A thread on a CPU, or runnable and waiting for one, this share of the window or more
 * is CPU-bound: the one to look at (on a busy machine it may get only half a core).
 */
export const HOT_THREAD_PERCENT = 80;
/** Calls that wait for storage to confirm data is written. */
const SYNC_CALLS = new Set(["fsync", "fdatasync", "sync_file_range", "msync", "sync", "syncfs"]);
/** Fewer instruction-pointer samples than this name no function (too few to rank). */
export const MIN_SAMPLES = 20;
/** Lock contention: at least this many threads asleep on futexes most of the window… */
export const LOCK_MIN_THREADS = 3;
/** …being at least this share of the process's threads… */
export const LOCK_MIN_SHARE = 0.5;
/** …switching away at least this often per second between them (a lock passed around)… */
export const LOCK_MIN_SWITCHES_PER_SECOND = 100;
/**
 * …and wanting to run: preempted (involuntary switches) at least this share of the
 * times they block. (Not their run-queue wait: on a loaded machine an idle pool's
 * workers wait for a CPU too, 11 % of the window measured.) A woken waiter that finds others
 * runnable beside it is preempted; an idle pool's worker, woken alone, runs and blocks
 * again (the C pool of the tests: 0 involuntary switches against 130 voluntary a
 * second; eight Python threads on one lock: 350 against 650).
 */
export const LOCK_MIN_PREEMPTED_SHARE = 0.1;
/**
 * Two threads on one lock (too few for {@link LOCK_MIN_THREADS}), each blocking at least
 * {@link LOCK_MIN_SWITCHES_PER_SECOND} times a second, seen asleep on a futex at least
 * this share of the window (the two-thread convoy of the tests, favoured on a loaded
 * machine: 22–47 %, blocking 3,100–8,000 times a second)…
 */
export const LOCK_PAIR_MIN_FUTEX = 10;
/** …and on a CPU at least this share (46–73 % measured; an idle pool's workers ~1 %). */
export const LOCK_PAIR_MIN_RUNNING = 10;
/** Runnable but waiting for a CPU (beyond its cgroup's throttling) this share of the window. */
export const RUN_QUEUE_PERCENT = 20;
/**
 * The wait for a CPU each time a thread that mostly blocks gets one, below which its
 * run-queue delay is wake-up latency rather than starvation, ms.
 */
export const STARVED_WAIT_MS = 1;
/** Throttled in this share of its cgroup's CPU periods. */
export const THROTTLED_PERCENT = 20;
/** Open descriptors at this share of `RLIMIT_NOFILE` or more. */
export const DESCRIPTORS_SHARE = 0.9;
/** Memory at this share of the cgroup's limit or more. */
export const MEMORY_SHARE = 0.9;
/** A thread asleep on one object (socket, pipe) this share of the window is blocked on it. */
export const BLOCKED_PERCENT = 80;
/** A thread in D (storage or otherwise) this share of the window. */
export const D_PERCENT = 20;
/** Growth over the window worth saying: at least this many more descriptors or threads… */
export const GROWTH_MIN_COUNT = 20;
/** …or this much more resident memory, bytes… */
export const GROWTH_MIN_BYTES = 32 << 20;
/** …and at least this factor of the start. */
export const GROWTH_MIN_FACTOR = 1.2;
/** Major page faults per second worth saying (each is a read from disk or swap). */
export const MAJOR_FAULTS_PER_SECOND = 100;
/** Zombie children at once worth saying (a parent that does not reap them). */
export const ZOMBIES = 5;

const pct = (n: number) => `${Math.round(n)}%`;

/**
 * A function's share of a thread's samples: `<1%` for one that had some but rounds to
 * none (a `0%` beside a function that was sampled reads as never).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplesPercent } from "./findings.ts";
 * assert.deepEqual([samplesPercent(0.4), samplesPercent(0.5), samplesPercent(85.2)], ["<1%", "1%", "85%"]);
 * ```
 */
export function samplesPercent(percent: number): string {
  return percent > 0 && percent < 0.5 ? "<1%" : pct(percent);
}
const label = (t: { name: string; tid: number }) => `${t.name} (TID ${t.tid})`;
const mib = (b: number) => `${(b / 1048576).toFixed(b < 10485760 ? 1 : 0)} MiB`;
const rate = (b: number) =>
  b >= 1048576 ? `${(b / 1048576).toFixed(1)} MiB/s` : `${(b / 1024).toFixed(0)} KiB/s`;

/**
 * The processes at the other end of an object, as words: each once, with its
 * descriptors (a shell holds a pipe as stdout and stderr), at most three named.
 */
function peersText(object: WaitObject): string {
  const byPid = peerProcesses(object);
  if (byPid.length === 0) return "";
  const shown = byPid.slice(0, 3).map(({ pid, comm, fds }) =>
    `PID ${pid} ${comm} (fd ${fds.join(", ")})`
  );
  return `${shown.join(", ")}${byPid.length > 3 ? ` and ${byPid.length - 3} more` : ""}`;
}

/** The processes among an object's peers, each once with its descriptors on it. */
function peerProcesses(object: WaitObject): { pid: number; comm: string; fds: number[] }[] {
  const byPid = new Map<number, { pid: number; comm: string; fds: number[] }>();
  for (const h of object.peers) {
    const entry = byPid.get(h.pid) ?? { pid: h.pid, comm: h.comm, fds: [] };
    entry.fds.push(h.fd);
    byPid.set(h.pid, entry);
  }
  return [...byPid.values()];
}

/** The connected socket of a process with one (the object when the call is unreadable). */
function onlyConnected(report: ProcessReport): SocketReport | null {
  const connected = report.sockets.filter((s) =>
    s.state === "ESTABLISHED" || s.state === "CONNECTED" || s.state === "ESTAB"
  );
  return connected.length === 1 ? connected[0]! : null;
}

/** A thread blocked on a socket or pipe, as a sentence. */
function blockedText(t: ThreadReport, report: ProcessReport, seconds: number): string | null {
  const share = Math.max(t.shares.socket ?? 0, t.shares.pipe ?? 0);
  const object = t.waitsOn;
  const call = t.syscall ? `${t.syscall}` : "a call";
  const time = `${(seconds * share / 100).toFixed(1)} s of ${seconds.toFixed(1)} s`;
  if (object?.kind === "pipe" || (t.shares.pipe ?? 0) >= BLOCKED_PERCENT) {
    const writing = t.wchan?.includes("write") || t.syscall?.startsWith("write");
    const peers = object ? peersText(object) : "";
    const many = object !== null && peerProcesses(object).length > 1;
    const end = writing ? "reader" : "writer";
    return `thread ${label(t)} blocked ${time} ${writing ? "writing to" : "reading from"} ${
      object ? `${object.target} (fd ${object.fd}, ${call})` : "a pipe"
    } in ${t.wchan ?? "-"}: the pipe is ${writing ? "full" : "empty"} and ${
      !peers
        ? `no process visible here holds its ${writing ? "read" : "write"} end (another ` +
          "user's, or outside this PID namespace)"
        : many
        ? `its ${end}s are ${peers}, none of them ${writing ? "reading" : "writing"}`
        : `its ${end} is ${peers}, which is not ${writing ? "reading" : "writing"}`
    }`;
  }
  const only = object === null ? onlyConnected(report) : null;
  const socket = object?.socket ?? only;
  const accepting = t.wchan?.startsWith("inet_csk_accept") || t.syscall?.startsWith("accept");
  const where = socket?.protocol === "unix"
    ? `unix socket ${socket.local || object?.target || ""} (fd ${object?.fd ?? only?.fd})`
    : socket
    ? `${
      socket.remote !== "" && !socket.remote.startsWith("0.0.0.0:0") ? socket.remote : socket.local
    } (${socket.protocol}, fd ${
      object?.fd ?? only?.fd
    }, recv-q ${socket.receiveQueue}, send-q ${socket.sendQueue})`
    : object
    ? `${object.target} (fd ${object.fd})`
    : "a socket";
  const peers = object ? peersText(object) : "";
  return `thread ${label(t)} blocked ${time} ${
    accepting ? "accepting on" : "in " + call + " on"
  } ${where} in ${t.wchan ?? "-"}${peers ? `; the other end is ${peers}` : ""}`;
}

/** A process on a CPU or wanting one less than this share of the window is idle, %. */
export const IDLE_PERCENT = 1;

/**
 * The PIDs among `reports` that were idle over the window: their threads together on a
 * CPU or runnable without one less than {@link IDLE_PERCENT} of it. A reader waiting on
 * an empty pipe whose writers are all idle is not a cause: it waits for them, and they
 * for something else.
 */
export function idleProcesses(reports: readonly ProcessReport[]): Set<number> {
  const idle = new Set<number>();
  for (const r of reports) {
    if (r.exited) continue;
    const busy = r.threads.reduce(
      (sum, t) => sum + (t.shares.running ?? 0) + (t.shares.cpu_wait ?? 0),
      0,
    );
    if (busy < IDLE_PERCENT) idle.add(r.pid);
  }
  return idle;
}

/**
 * Returns the findings about one process over a window of `seconds`, on `cpus` CPUs;
 * `idle` (see {@link idleProcesses}) are the inspected processes that did nothing.
 */
export function findingsFor(
  report: ProcessReport,
  seconds: number,
  cpus: number,
  idle: ReadonlySet<number> = new Set(),
): Finding[] {
  const found: Finding[] = [];
  const say = (rule: string, score: number, text: string) =>
    found.push({ pid: report.pid, rule, text, score: Math.round(score * 10) / 10 });
  const threads = report.threads;
  const share = (t: ThreadReport, kind: keyof ThreadReport["shares"]) => t.shares[kind] ?? 0;

  // states that stop work outright
  const stopped = threads.filter((t) => share(t, "stopped") >= 50);
  if (stopped.length > 0 && stopped.length === threads.length) {
    const traced = report.state === "t";
    say(
      traced ? "traced" : "stopped",
      100,
      traced
        ? `stopped by its tracer (state t) ${pct(share(stopped[0]!, "stopped"))} of the window: ` +
          `a debugger or strace holds it (TracerPid in /proc/${report.pid}/status)`
        : `stopped (state T) ${pct(share(stopped[0]!, "stopped"))} of the window: it runs ` +
          `nothing until SIGCONT (kill -CONT ${report.pid})`,
    );
  }
  for (const t of threads) {
    const d = share(t, "uninterruptible");
    if (d < D_PERCENT) continue;
    say(
      "uninterruptible",
      d,
      `thread ${label(t)} in uninterruptible sleep (D) ${pct(d)} of the window in ${
        t.wchan ?? "a hidden wait channel"
      }${t.syscall ? ` (system call ${t.syscall})` : ""}${
        t.stack ? `, kernel stack ${t.stack.slice(0, 4).join(" ← ")}` : ""
      }: signals wait until the kernel lets it go${
        t.stack ? "" : `; as root, /proc/${report.pid}/task/${t.tid}/stack shows where`
      }`,
    );
  }
  for (const t of threads) {
    // time inside the calls that wait for storage to confirm a write, woken or not
    const syncing = Object.entries(t.calls).filter(([name]) => SYNC_CALLS.has(name));
    const inSync = syncing.reduce((sum, [, v]) => sum + v, 0);
    const disk = Math.max(
      share(t, "disk"),
      inSync,
      threads.length === 1 ? report.blkioPercent ?? 0 : 0,
    );
    const asleep = 100 - share(t, "running") - share(t, "cpu_wait");
    const moving = (t.io ?? report.io) !== null &&
      ((t.io ?? report.io)!.writePerSecond + (t.io ?? report.io)!.readPerSecond) > 0;
    // storage is the cause when it takes a fifth of the window — or when it is most of
    // what a thread that blocks often (more voluntary switches than preemptions) sleeps
    // on while moving data, its wake-ups' wait for a CPU the price of that cycle (on an
    // overloaded machine the run queue takes most of the window: 86 % measured)
    const cycle = disk >= 1 && disk >= asleep / 2 && moving &&
      t.voluntaryPerSecond > t.involuntaryPerSecond;
    if (disk < D_PERCENT && !cycle) continue;
    const object = t.waitsOn;
    const io = t.io && threads.length > 1
      ? `; the thread writes ${rate(t.io.writePerSecond)} and reads ${
        rate(t.io.readPerSecond)
      } of storage`
      : report.io
      ? `; the process writes ${rate(report.io.writePerSecond)} and reads ${
        rate(report.io.readPerSecond)
      } of storage`
      : "";
    say(
      "storage_wait",
      disk,
      `thread ${label(t)} waited for storage ${pct(disk)} of the window (${
        inSync > 0
          ? `in ${syncing.map(([name, v]) => `${name} ${pct(v)}`).join(", ")} of the looks; `
          : ""
      }D in ${t.wchan ?? "-"}${t.syscall ? `, ${t.syscall}` : ""}${
        object ? ` on fd ${object.fd} ${object.target}` : ""
      })${io}${
        report.blkioPercent !== null ? `, I/O wait ${pct(report.blkioPercent)} (delayacct)` : ""
      }${
        share(t, "cpu_wait") >= 5 && t.voluntaryPerSecond > t.involuntaryPerSecond
          ? `, and ${pct(share(t, "cpu_wait"))} waiting for a CPU after its ${
            Math.round(t.voluntaryPerSecond)
          } wake-ups a second`
          : ""
      }; iostat -x 1 shows the device's latency, fewer syncs or larger writes wait less`,
    );
  }

  // the CPU: throttling first, then contention for CPUs beyond it, then hot threads
  const throttledShare = report.throttledWindowPercent ?? 0;
  if (report.throttledPercent !== null && report.throttledPercent >= THROTTLED_PERCENT) {
    const cpu = report.cgroup!.cpu!;
    const quota = cpu.from === "cpu.cfs_quota_us"
      ? `cpu.cfs_quota_us ${cpu.quotaUs} per ${cpu.periodUs} µs`
      : `cpu.max ${cpu.quotaUs} ${cpu.periodUs}`;
    say(
      "throttled",
      Math.max(report.throttledPercent * 0.9, Math.min(100, throttledShare)),
      `throttled by its cgroup's CPU quota in ${pct(report.throttledPercent)} of periods (${
        (throttledShare * seconds / 100).toFixed(1)
      } s throttled in ${seconds.toFixed(1)} s): ${quota} (${
        ((cpu.quotaUs ?? 0) / cpu.periodUs).toFixed(2)
      } CPU) in cgroup ${cpu.path}; raise the quota or give it less work`,
    );
  }
  // each thread's wait beyond the part its cgroup's throttling explains (report.ts)
  const contended = threads.map((t) => ({
    t,
    wait: share(t, "cpu_wait"),
  })).filter((x) => x.wait > 0).sort((a, b) => b.wait - a.wait);
  if (contended.length > 0 && contended[0]!.wait >= RUN_QUEUE_PERCENT) {
    const worst = contended[0]!;
    const perSlice = worst.t.waitPerSliceMs;
    // waits after a thread's own blocking (more voluntary switches than preemptions) are
    // the scheduler's price of blocking often, not starvation: they rank below what the
    // thread blocks on, the more so the shorter they are
    const wakeups = worst.t.voluntaryPerSecond > worst.t.involuntaryPerSecond;
    say(
      "run_queue",
      wakeups ? worst.wait * Math.min(0.5, (perSlice ?? 0) / STARVED_WAIT_MS) : worst.wait,
      `${contended.length > 1 ? `${contended.length} threads` : `thread ${label(worst.t)}`} ` +
        `waited for a CPU${throttledShare > 0 ? " beyond the throttling" : ""}: ${
          contended.length > 1 ? `the worst, ${label(worst.t)}, ` : ""
        }${pct(worst.wait)} of the window${
          perSlice !== null ? `, ${perSlice.toFixed(perSlice < 1 ? 2 : 1)} ms each time` : ""
        }: ${
          wakeups
            ? "short waits after each wake-up (it blocks often)"
            : `more runnable threads than CPUs (${cpus}); see who else runs (procpath top)`
        }`,
    );
  }
  const hot = threads.map((t) => ({
    t,
    cpu: t.userPercent + t.systemPercent,
    waited: share(t, "cpu_wait"),
  })).filter((x) => x.cpu >= HOT_THREAD_PERCENT / 4 && x.cpu + x.waited >= HOT_THREAD_PERCENT)
    .sort((a, b) => b.cpu - a.cpu);
  hot.forEach(({ t, cpu, waited }, i) => {
    say(
      "hot_thread",
      Math.min(100, cpu + waited),
      `thread ${label(t)} burns ${pct(cpu)} of a core (user ${pct(t.userPercent)}, system ${
        pct(t.systemPercent)
      })${waited >= 5 ? ` and waited ${pct(waited)} of the window for a CPU` : ""}${
        threads.length > 1 && i === 0 ? ` — the busiest of ${threads.length} threads` : ""
      }${
        t.hotFunctions && t.hotFunctions.samples >= MIN_SAMPLES
          ? `; in ${
            t.hotFunctions.top.slice(0, 3).map((f) => `${f.name} ${samplesPercent(f.percent)}`)
              .join(", ")
          } of ${t.hotFunctions.samples} samples; perf record -g -t ${t.tid} for call chains`
          : `; perf top -t ${t.tid} shows where`
      }`,
    );
  });

  // locks: threads asleep on futexes that want to run (preempted as they wake)
  const futexed = threads.filter((t) => share(t, "futex") >= 50);
  const switches = futexed.reduce((sum, t) => sum + t.voluntaryPerSecond, 0);
  const preempted = futexed.reduce((sum, t) => sum + t.involuntaryPerSecond, 0);
  if (
    futexed.length >= LOCK_MIN_THREADS && futexed.length >= LOCK_MIN_SHARE * threads.length &&
    switches >= LOCK_MIN_SWITCHES_PER_SECOND &&
    preempted >= LOCK_MIN_PREEMPTED_SHARE * switches
  ) {
    const mean = futexed.reduce((sum, t) => sum + share(t, "futex"), 0) / futexed.length;
    say(
      "lock_contention",
      mean,
      `${futexed.length} of ${threads.length} threads wait in ${futexed[0]!.wchan} ${
        pct(mean)
      } of the window, blocking ${Math.round(switches)} times/s and preempted ${
        Math.round(preempted)
      } times/s (threads runnable together): lock contention; a stack dump of the threads ` +
        `(gdb -p ${report.pid} -batch -ex "thread apply all bt", py-spy dump) shows who holds it`,
    );
  }

  // two threads taking turns on one lock (a convoy) are too few to count as many: each
  // blocks on a futex often, sleeps there a good part of the window and runs much of
  // the rest (an idle pool's workers, woken one at a time, barely run)
  const pair = threads.filter((t) =>
    (t.wchan ?? "").includes("futex") && share(t, "futex") >= LOCK_PAIR_MIN_FUTEX &&
    share(t, "running") >= LOCK_PAIR_MIN_RUNNING &&
    t.voluntaryPerSecond >= LOCK_MIN_SWITCHES_PER_SECOND
  );
  if (!found.some((f) => f.rule === "lock_contention") && pair.length >= 2) {
    const mean = (kind: keyof ThreadReport["shares"]) =>
      pair.reduce((sum, t) => sum + share(t, kind), 0) / pair.length;
    const blocks = pair.reduce((sum, t) => sum + t.voluntaryPerSecond, 0);
    const preempts = pair.reduce((sum, t) => sum + t.involuntaryPerSecond, 0);
    say(
      "lock_contention",
      mean("futex"),
      `${pair.length} threads (TID ${pair.map((t) => t.tid).join(", ")}) take turns on a lock: ` +
        `they block in ${pair[0]!.wchan} ${Math.round(blocks)} times/s (preempted ${
          Math.round(preempts)
        } times/s), each on a CPU ${pct(mean("running"))} and asleep on the futex ${
          pct(mean("futex"))
        } of the window on average: lock contention; a stack dump of the threads ` +
        `(gdb -p ${report.pid} -batch -ex "thread apply all bt", py-spy dump) shows who holds it`,
    );
  }

  for (const t of threads) {
    const blocked = Math.max(share(t, "socket"), share(t, "pipe"));
    if (blocked < BLOCKED_PERCENT && !(t.blockedAllWindow && blocked > 0)) continue;
    // reading an empty pipe whose every writer sat idle too, or a pipe or socket only
    // its own process holds the other end of (a wake-up channel between its threads):
    // waiting, not a cause
    const peers = t.waitsOn?.peers ?? [];
    const reading = !(t.wchan?.includes("write") || t.syscall?.startsWith("write"));
    const idleWriters = t.waitsOn?.kind === "pipe" && peers.every((h) => idle.has(h.pid));
    const itself = peers.every((h) => h.pid === report.pid);
    if (reading && peers.length > 0 && (idleWriters || itself)) continue;
    const text = blockedText(t, report, seconds);
    if (text) {
      say(
        t.waitsOn?.kind === "pipe" || share(t, "pipe") > 0 ? "blocked_pipe" : "blocked_socket",
        blocked,
        text,
      );
    }
  }

  // limits and resources
  const d = report.descriptors;
  if (d && d.limit !== null && d.limit > 0 && d.open >= DESCRIPTORS_SHARE * d.limit) {
    say(
      "descriptors",
      90,
      `${d.open} of ${d.limit} descriptors open (RLIMIT_NOFILE): a leak, or a limit too low; ` +
        `ls -l /proc/${report.pid}/fd shows what they are`,
    );
  }
  const memory = report.cgroup?.memory;
  if (memory && memory.max !== null && memory.current >= MEMORY_SHARE * memory.max) {
    say(
      "memory_limit",
      95,
      `cgroup memory ${mib(memory.current)} of its limit ${mib(memory.max)} (${
        (100 * memory.current / memory.max).toFixed(1)
      }%, ${memory.from}, cgroup ${memory.path})${
        memory.oomKills
          ? `; ${memory.oomKills} OOM kill${memory.oomKills === 1 ? "" : "s"} recorded`
          : ""
      }${
        memory.limitHits ? `, the limit hit ${memory.limitHits} times` : ""
      }: the kernel reclaims ` +
        `its cache and kills at the limit; raise ${memory.from} or shrink what the group holds`,
    );
  } else if (memory?.oomKills) {
    say(
      "oom_kills",
      60,
      `${memory.oomKills} OOM kill${
        memory.oomKills === 1 ? "" : "s"
      } recorded in its cgroup ${memory.path} (${mib(memory.current)}${
        memory.max !== null ? ` of ${mib(memory.max)}` : ""
      } now)`,
    );
  }
  if (report.majorFaultsPerSecond >= MAJOR_FAULTS_PER_SECOND) {
    say(
      "major_faults",
      Math.min(80, report.majorFaultsPerSecond / 10),
      `${Math.round(report.majorFaultsPerSecond)} major page faults/s: pages read back from disk${
        report.swapBytes ? ` or swap (${mib(report.swapBytes)} swapped out)` : ""
      }`,
    );
  }
  const grew = (
    what: string,
    [a, b]: [number, number],
    enough: boolean,
    show: (n: number) => string = String,
  ) => {
    if (!enough || b < a * GROWTH_MIN_FACTOR) return;
    say(
      `${what.replace(/ /g, "_")}_growing`,
      50,
      `${what} grew ${show(a)} → ${show(b)} in ${seconds.toFixed(1)} s: a leak if it goes on`,
    );
  };
  if (report.trend.descriptors) {
    const [a, b] = report.trend.descriptors;
    grew("descriptors", [a, b], b - a >= GROWTH_MIN_COUNT);
  }
  grew(
    "threads",
    report.trend.threads,
    report.trend.threads[1] - report.trend.threads[0] >= GROWTH_MIN_COUNT,
  );
  grew(
    "resident memory",
    report.trend.rssBytes,
    report.trend.rssBytes[1] - report.trend.rssBytes[0] >= GROWTH_MIN_BYTES,
    mib,
  );
  if (report.zombieChildren.length >= ZOMBIES) {
    say(
      "zombies",
      30,
      `${report.zombieChildren.length} zombie children not reaped (it does not wait() for them)`,
    );
  }
  // a thread's wait for a CPU after each of its own wake-ups ranks after what it blocks on
  for (const f of found) {
    if (f.rule !== "run_queue" || !f.text.includes("after each wake-up")) continue;
    const blocking = found.filter((g) => BLOCKING_RULES.has(g.rule)).map((g) => g.score);
    if (blocking.length > 0) f.score = Math.min(f.score, Math.max(...blocking) - 0.1);
  }
  return found;
}

/** Findings of what a thread blocks on (its wake-up latency ranks after them). */
const BLOCKING_RULES = new Set([
  "storage_wait",
  "uninterruptible",
  "blocked_pipe",
  "blocked_socket",
  "lock_contention",
]);

/** Orders findings by score, the highest first (a stable sort: ties keep their order). */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => b.score - a.score);
}
