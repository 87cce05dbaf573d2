/**
 * System calls as `inspect` names them: by name on x86-64 and arm64, which of them
 * wait on the descriptor in their first argument, and what kind of wait a thread is in
 * (from its state, wait channel and call). Pure.
 *
 * @module
 */
import { ARM64_SYSCALLS, X86_64_SYSCALLS } from "./syscall_names.ts";
import type { Syscall } from "../procfs/parse_syscall.ts";
import { syscallFdArg } from "../procfs/parse_syscall.ts";

/** The architectures with a table here (`Deno.build.arch`'s names). */
export type Arch = "x86_64" | "aarch64";

/**
 * The name of system call `number` on `arch`, or `syscall N` where the table has none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { syscallName } from "./syscalls.ts";
 * assert.deepEqual([syscallName(0, "x86_64"), syscallName(63, "aarch64"), syscallName(9999, "x86_64")],
 *   ["read", "read", "syscall 9999"]);
 * ```
 */
export function syscallName(number: number, arch: Arch | string): string {
  const table = arch === "aarch64" ? ARM64_SYSCALLS : arch === "x86_64" ? X86_64_SYSCALLS : [];
  const name = table[number];
  return name ? name : `syscall ${number}`;
}

/** Calls whose first argument is the descriptor they wait on (same names on both tables). */
const FD_FIRST = new Set([
  "read",
  "write",
  "readv",
  "writev",
  "pread64",
  "pwrite64",
  "preadv",
  "pwritev",
  "preadv2",
  "pwritev2",
  "recvfrom",
  "sendto",
  "recvmsg",
  "sendmsg",
  "recvmmsg",
  "sendmmsg",
  "accept",
  "accept4",
  "connect",
  "fsync",
  "fdatasync",
  "sync_file_range",
  "flock",
  "fcntl",
  "ioctl",
  "epoll_wait",
  "epoll_pwait",
  "epoll_pwait2",
  "splice",
  "getdents64",
  "fallocate",
  "ftruncate",
]);

/** The descriptor a blocked call waits on (its first argument), or `null`. */
export function waitedFd(call: Syscall | null, arch: Arch | string): number | null {
  if (call === null || call.running) return null;
  return FD_FIRST.has(syscallName(call.number, arch)) ? syscallFdArg(call) : null;
}

/** Where a thread was at one look. */
export type WaitKind =
  | "running"
  | "futex"
  | "socket"
  | "pipe"
  | "poll"
  | "tty"
  | "timer"
  | "disk"
  | "child"
  | "stopped"
  | "uninterruptible"
  | "other"
  | "hidden";

/** Wait channels of storage I/O (block requests, page and buffer locks, journals). */
const DISK =
  /^(submit_bio_wait|__?sync_dirty_buffer|out_of_line_wait_on_bit|__wait_on_bit|wait_for_completion_io|blk_|generic_file_fsync|sync_inode|writeback_|__filemap_fdatawait|io_schedule|folio_wait|wait_on_page|__folio_lock|jbd2|blkdev|bit_wait_io|wait_on_buffer|__wait_on_buffer|ext4_|xfs_|btrfs_|file_write_and_wait|filemap_fdatawait|rq_qos_wait|blk_mq_get_tag|wbt_wait)/;

/** Wait channels by kind, across kernel versions (names change: `futex_wait_queue` → `futex_do_wait`). */
const CHANNELS: [WaitKind, RegExp][] = [
  ["futex", /futex/],
  ["pipe", /pipe_(read|write|wait)|^anon_pipe/],
  [
    "socket",
    /^(sk_wait_data|tcp_recvmsg|unix_stream_read|unix_dgram_recvmsg|inet_csk_accept|__skb_wait_for_more_packets|__skb_recv|sk_stream_wait|sock_alloc_send|unix_wait_for_peer|__inet_stream_connect|inet_wait_for_connect|unix_stream_connect)/,
  ],
  ["poll", /^(do_epoll_wait|ep_poll|do_sys_poll|do_select|core_sys_select|poll_schedule_timeout)/],
  ["tty", /^(n_tty_read|tty_|wait_for_tty)/],
  [
    "timer",
    /^(hrtimer_nanosleep|do_nanosleep|schedule_hrtimeout|schedule_timeout|msleep|do_sigtimedwait|sigsuspend|sys_pause|__x64_sys_pause|__arm64_sys_pause|do_sys_pause)/,
  ],
  ["disk", DISK],
  ["child", /^(do_wait|kernel_clone|wait_for_vfork_done|__do_sys_wait4|kernel_waitid)/],
];

/**
 * The kind of wait a thread is in, from its state (`stat`), its wait channel (`null`:
 * none shown) and, where known, what the descriptor it waits on is (`socket`, `pipe`,
 * `tty`, `file`): a generic channel (`wait_woken`) is told apart by the descriptor.
 * A sleeping thread whose channel reads as nothing is `hidden` (another user's).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { waitKind } from "./syscalls.ts";
 * assert.deepEqual(
 *   [waitKind("S", "futex_do_wait"), waitKind("D", "submit_bio_wait"), waitKind("S", "wait_woken", "tty"),
 *    waitKind("T", "do_signal_stop"), waitKind("S", null), waitKind("R", null)],
 *   ["futex", "disk", "tty", "stopped", "hidden", "running"]);
 * ```
 */
export function waitKind(
  state: string,
  wchan: string | null,
  object?: "socket" | "pipe" | "tty" | "file" | "other" | null,
): WaitKind {
  if (state === "R") return "running";
  if (state === "T" || state === "t") return "stopped";
  if (state === "D") {
    // an uninterruptible sleep is storage when the channel or the descriptor says so
    const disk = wchan !== null && DISK.test(wchan);
    return disk || object === "file" ? "disk" : "uninterruptible";
  }
  if (wchan === null) return "hidden";
  for (const [kind, pattern] of CHANNELS) if (pattern.test(wchan)) return kind;
  if (object === "socket" || object === "pipe" || object === "tty") return object;
  return "other";
}
