/**
 * The open-files limit of procpath's caller, given back to every program procpath
 * starts. Deno raises its soft `RLIMIT_NOFILE` to the hard limit before any of
 * procpath's code runs, and a child inherits its parent's limits when it is forked: a
 * recorded or watched program would otherwise run with a soft limit of 524288 where
 * its caller had 1024 (some programs then loop over every possible descriptor, or
 * outgrow `select`'s 1024). The other limits are the caller's already: neither Deno nor
 * procpath changes them.
 *
 * The caller's soft limit is known exactly when the launcher passes it
 * (`scripts/procpath` sets {@link CALLER_NOFILE_VARIABLE} from its own limits before it
 * execs Deno); without it (the compiled binary) it is the parent process's soft limit
 * when the parent's hard limit is procpath's own, so that procpath's was inherited from
 * it and raised by Deno alone.
 *
 * Each spawn lowers the soft limit for the moment of the spawn: Deno's `spawn()` returns
 * only once the child has been cloned and has run `exec` (measured: 300 of 300 children
 * saw the lowered limit, posix_spawn and fork paths alike, 0.85 ms a spawn; setting the
 * child's limit with `prlimit` after the spawn came too late for 43 of 300 `cat
 * /proc/self/limits`). Meanwhile the runtime and other threads may open descriptors only
 * below the lowered limit, so the descriptors procpath keeps by the thousand are moved
 * above it ({@link aboveCallerRange}).
 *
 * @module
 */
import { openLibc } from "./libc.ts";
import type { Libc } from "./libc.ts";

/** The environment variable in which a launcher passes its soft open-files limit ("1024", "unlimited"). */
export const CALLER_NOFILE_VARIABLE = "PROCPATH_CALLER_NOFILE";

/** `RLIM_INFINITY`: all ones. */
const UNLIMITED = (1n << 64n) - 1n;
const RLIMIT_NOFILE = 7;
const F_DUPFD_CLOEXEC = 1030;

/** A soft and a hard limit; {@link UNLIMITED} for "unlimited". */
export interface Limit {
  soft: bigint;
  hard: bigint;
}

/** Parses a limit as `ulimit` prints it: a count or "unlimited"; `null` for anything else. */
export function parseLimitValue(text: string): bigint | null {
  const value = text.trim();
  if (value === "unlimited") return UNLIMITED;
  return /^\d{1,19}$/.test(value) ? BigInt(value) : null;
}

/** Parses the "Max open files" row of `/proc/PID/limits`; `null` when it is missing. */
export function parseOpenFilesRow(limits: string): Limit | null {
  const row = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  if (row === null) return null;
  const soft = parseLimitValue(row[1]!);
  const hard = parseLimitValue(row[2]!);
  return soft === null || hard === null ? null : { soft, hard };
}

/**
 * The soft limit the caller had, from what can be known of it: the launcher's value,
 * else the parent's when its hard limit is procpath's. `null` when it is procpath's own
 * or unknown (nothing to give back).
 */
export function callerSoftLimit(
  own: Limit,
  launcher: string | undefined,
  parent: Limit | null,
): bigint | null {
  let soft: bigint | null = null;
  if (launcher !== undefined) soft = parseLimitValue(launcher);
  else if (parent !== null && parent.hard === own.hard) soft = parent.soft;
  return soft === null || soft >= own.soft ? null : soft;
}

let remembered = false;
/** The caller's soft limit where it is lower than procpath's, else `null`. */
let callerSoft: bigint | null = null;

function ownLimit(lib: Libc): Limit | null {
  const buffer = new BigUint64Array(2);
  if (lib.getrlimit(RLIMIT_NOFILE, buffer) !== 0) return null;
  return { soft: buffer[0]!, hard: buffer[1]! };
}

/** A process's open-files limit from procfs (no FFI, which costs a `dlopen` at startup). */
function limitOf(pid: number | "self"): Limit | null {
  try {
    return parseOpenFilesRow(Deno.readTextFileSync(`/proc/${pid}/limits`));
  } catch {
    return null; // no /proc, or the parent is gone
  }
}

/**
 * Learns the caller's open-files limit (once; later calls do nothing) and removes the
 * launcher's variable from procpath's environment, so no child sees it. Call it first
 * thing: the parent may be gone later.
 */
export function rememberCallerLimits(): void {
  if (remembered) return;
  remembered = true;
  let launcher: string | undefined;
  try {
    launcher = Deno.env.get(CALLER_NOFILE_VARIABLE);
    if (launcher !== undefined) Deno.env.delete(CALLER_NOFILE_VARIABLE);
  } catch { /* no permission for the environment: no launcher's value either */ }
  const own = limitOf("self");
  if (own === null) return;
  callerSoft = callerSoftLimit(own, launcher, launcher === undefined ? limitOf(Deno.ppid) : null);
}

/** The caller's soft limit of open files where procpath's is higher, else `null`. */
export function callerOpenFilesLimit(): number | null {
  rememberCallerLimits();
  return callerSoft === null ? null : Number(callerSoft);
}

/**
 * Moves a descriptor procpath keeps for long to the lowest free number at or above the
 * caller's limit (closing the original), so that while a spawn lowers the limit the
 * numbers below it are free for the runtime. Returns the descriptor to use: `fd` itself
 * when nothing needs moving or no number above is free.
 */
export function aboveCallerRange(lib: Libc, fd: number): number {
  rememberCallerLimits();
  if (fd < 0 || callerSoft === null || fd >= callerSoft) return fd;
  const moved = lib.fcntl(fd, F_DUPFD_CLOEXEC, Number(callerSoft));
  if (moved < 0) return fd;
  lib.close(fd);
  return moved;
}

/**
 * Spawns `command` with the caller's open-files limit: the soft limit is lowered for the
 * synchronous spawn and raised again at once. Throws what `spawn()` throws.
 */
export function spawnAsCaller(command: Deno.Command): Deno.ChildProcess {
  rememberCallerLimits();
  const lib = callerSoft === null ? null : openLibc();
  const own = lib === null ? null : ownLimit(lib);
  if (lib === null || own === null || callerSoft === null || callerSoft >= own.soft) {
    return command.spawn();
  }
  lib.setrlimit(RLIMIT_NOFILE, new BigUint64Array([callerSoft, own.hard]));
  try {
    return command.spawn();
  } finally {
    lib.setrlimit(RLIMIT_NOFILE, new BigUint64Array([own.soft, own.hard]));
  }
}
