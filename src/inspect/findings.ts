/**
 * The findings of `inspect`: plain sentences with the numbers behind them, each made
 * by one rule below from a process's report. Every threshold is named here, with why.
 *
 * @module
 */
import type { ProcessReport, SocketReport } from "./report.ts";

/** A finding about one process. */
export interface Finding {
  pid: number;
  /** The rule's name (`hot_thread`, `lock_contention`, …). */
  rule: string;
  text: string;
}

/**
 * A thread on a CPU, or runnable and waiting for one, this share of the window or more
 * is CPU-bound: the one to look at (on a busy machine it may get only half a core).
 */
export const HOT_THREAD_PERCENT = 80;
/** Lock contention: at least this many threads asleep on futexes… */
export const LOCK_MIN_THREADS = 3;
/** …being at least this share of the process's threads… */
export const LOCK_MIN_SHARE = 0.5;
/** …and switching away at least this often per second between them (a lock passed around). */
export const LOCK_MIN_SWITCHES_PER_SECOND = 100;
/** Runnable but waiting for a CPU for this share of the window: CPU starvation. */
export const RUN_QUEUE_PERCENT = 20;
/** Throttled in this share of its cgroup's CPU periods. */
export const THROTTLED_PERCENT = 20;
/** Open descriptors at this share of `RLIMIT_NOFILE` or more. */
export const DESCRIPTORS_SHARE = 0.9;
/** Memory at this share of the cgroup's `memory.max` or more. */
export const MEMORY_SHARE = 0.9;

/** Wait channels of a futex wait (lock, condition variable) across kernel versions. */
const FUTEX = /futex/;
/** Wait channels of a socket read or accept. */
const SOCKET_WAIT =
  /^(sk_wait_data|wait_woken|tcp_recvmsg|unix_stream_read_generic|inet_csk_accept|__skb_wait_for_more_packets)/;

const pct = (n: number) => `${Math.round(n)}%`;
const label = (t: { name: string; tid: number }) => `${t.name} (TID ${t.tid})`;

/** The socket a blocked read waits on: the syscall's descriptor, else the one connected socket. */
function socketRead(report: ProcessReport): SocketReport | null {
  if (report.syscallFd !== null) {
    const exact = report.sockets.find((s) => s.fd === report.syscallFd);
    if (exact) return exact;
  }
  const connected = report.sockets.filter((s) =>
    s.state === "ESTABLISHED" || s.state === "CONNECTED" || s.state === "ESTAB"
  );
  return connected.length === 1 ? connected[0]! : null;
}

/** Returns the findings about one process over a window of `seconds`, on `cpus` CPUs. */
export function findingsFor(report: ProcessReport, seconds: number, cpus: number): Finding[] {
  const found: Finding[] = [];
  const say = (rule: string, text: string) => found.push({ pid: report.pid, rule, text });
  const threads = report.threads;

  for (const t of threads) {
    const cpu = t.userPercent + t.systemPercent;
    const waited = t.waitPercent ?? 0;
    if (cpu >= HOT_THREAD_PERCENT / 4 && cpu + waited >= HOT_THREAD_PERCENT) {
      say(
        "hot_thread",
        `thread ${label(t)} burns ${pct(cpu)} of a core (user ${pct(t.userPercent)}, system ${
          pct(t.systemPercent)
        })${waited >= 5 ? ` and waited ${pct(waited)} of the window for a CPU` : ""}${
          threads.length > 1 ? ` — the busiest of ${threads.length} threads` : ""
        }`,
      );
    }
  }

  const futexed = threads.filter((t) => t.wchan !== null && FUTEX.test(t.wchan));
  const switches = futexed.reduce((sum, t) => sum + t.voluntaryPerSecond, 0);
  if (
    futexed.length >= LOCK_MIN_THREADS && futexed.length >= LOCK_MIN_SHARE * threads.length &&
    switches >= LOCK_MIN_SWITCHES_PER_SECOND
  ) {
    say(
      "lock_contention",
      `${futexed.length} of ${threads.length} threads wait in ${futexed[0]!.wchan} with ${
        Math.round(switches)
      } voluntary switches/s: lock contention`,
    );
  }

  const waiting = threads.reduce((sum, t) => sum + (t.waitPercent ?? 0), 0);
  if (waiting >= RUN_QUEUE_PERCENT) {
    const runnable = threads.filter((t) => (t.waitPercent ?? 0) > 0).length;
    say(
      "run_queue",
      `run-queue delay ${pct(waiting)} of the window${
        runnable > 1 ? ` over ${runnable} threads` : ""
      }: more runnable threads than CPUs (${cpus})`,
    );
  }

  if (report.throttledPercent !== null && report.throttledPercent >= THROTTLED_PERCENT) {
    const max = report.cgroup?.cpuMax;
    const quota = !max
      ? "its CPU quota"
      : report.cgroup?.cpuFrom === "cpu.cfs_quota_us"
      ? `cpu.cfs_quota_us ${max.quota ?? -1} per ${max.period} µs`
      : `cpu.max ${max.quota ?? "max"} ${max.period}`;
    say(
      "throttled",
      `throttled in ${
        pct(report.throttledPercent)
      } of periods by ${quota} (cgroup ${report.cgroup?.path})`,
    );
  }

  const d = report.descriptors;
  if (d && d.limit !== null && d.limit > 0 && d.open >= DESCRIPTORS_SHARE * d.limit) {
    say(
      "descriptors",
      `${d.open} of ${d.limit} descriptors open (RLIMIT_NOFILE): a leak, or a limit too low`,
    );
  }

  for (const t of threads) {
    if (!t.blockedAllWindow || t.wchan === null || !SOCKET_WAIT.test(t.wchan)) continue;
    const socket = socketRead(report);
    const what = t.wchan.startsWith("inet_csk_accept") ? "accepting on" : "reading";
    say(
      "blocked_socket",
      `thread ${label(t)} blocked ${seconds.toFixed(1)} s ${what} ${
        socket
          ? `${
            socket.remote !== "" && !socket.remote.startsWith("0.0.0.0:0")
              ? socket.remote
              : socket.local
          } ` +
            `(${socket.protocol}, recv-q ${socket.receiveQueue})`
          : "a socket"
      } in ${t.wchan}`,
    );
  }

  const memory = report.cgroup;
  if (
    memory && memory.memoryMax !== null && memory.memoryCurrent !== null &&
    memory.memoryCurrent >= MEMORY_SHARE * memory.memoryMax
  ) {
    const mib = (b: number) => `${(b / 1048576).toFixed(0)} MiB`;
    say(
      "memory_limit",
      `cgroup memory ${mib(memory.memoryCurrent)} of its limit ${mib(memory.memoryMax)} (${
        pct(100 * memory.memoryCurrent / memory.memoryMax)
      })`,
    );
  }
  if (memory?.oomKills) say("oom_kills", `${memory.oomKills} OOM kills in its cgroup`);
  return found;
}
