/**
 * Linux's child subreaper (prctl(2) `PR_SET_CHILD_SUBREAPER`) reached through Deno's
 * FFI: once set, a process orphaned anywhere below procpath (a command's `cmd &`, a
 * double fork, a `setsid` daemon) is re-parented to procpath instead of init, so it
 * stays a descendant that `watch` can find and stop and `record -- COMMAND` can count.
 *
 * @module
 */
import { openLibc } from "../kernel/libc.ts";

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

/** Makes procpath the subreaper of everything it starts; returns whether that worked. */
export function becomeSubreaper(): boolean {
  const lib = openLibc();
  return lib !== null && lib.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
}

/**
 * Collects the exit status of an adopted orphan that has exited, so it does not stay
 * a zombie while procpath runs (its CPU then counts among procpath's reaped children).
 * Pass only PIDs procpath did not spawn itself: the runtime waits for its own children.
 * Returns whether it was reaped.
 */
export function reapOrphan(pid: number): boolean {
  return (openLibc()?.waitpid(pid, null, WNOHANG) ?? 0) === pid;
}
