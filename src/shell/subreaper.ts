/**
 * Linux's child subreaper (prctl(2) `PR_SET_CHILD_SUBREAPER`) reached through Deno's
 * FFI: once set, a process orphaned anywhere below procpath (a command's `cmd &`, a
 * double fork, a `setsid` daemon) is re-parented to procpath instead of init, so it
 * stays a descendant that `watch` can find and stop.
 *
 * @module
 */

const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;

interface Libc {
  prctl(option: number, arg2: bigint, arg3: bigint, arg4: bigint, arg5: bigint): number;
  waitpid(pid: number, status: null, options: number): number;
}

let libc: Libc | null | undefined;

function open(): Libc | null {
  if (libc !== undefined) return libc;
  try {
    libc = Deno.dlopen("libc.so.6", {
      prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
      waitpid: { parameters: ["i32", "pointer", "i32"], result: "i32" },
    }).symbols as unknown as Libc;
  } catch {
    libc = null; // no FFI permission, or no glibc: orphans escape to init as before
  }
  return libc;
}

/** Makes procpath the subreaper of everything it starts; returns whether that worked. */
export function becomeSubreaper(): boolean {
  const lib = open();
  return lib !== null && lib.prctl(PR_SET_CHILD_SUBREAPER, 1n, 0n, 0n, 0n) === 0;
}

/**
 * Collects the exit status of an adopted orphan that has exited, so it does not stay
 * a zombie while procpath runs. Pass only PIDs procpath did not spawn itself: the
 * runtime waits for its own children.
 */
export function reapOrphan(pid: number): void {
  open()?.waitpid(pid, null, WNOHANG);
}
