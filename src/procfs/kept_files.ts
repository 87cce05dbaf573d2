/**
 * Per-process procfs files kept open between samples of the live `/proc`, read again
 * with `pread` at offset 0. Every read is still a whole, fresh read — procfs makes the
 * text when it is read, from the process as it is then — but without the path walk,
 * open and close that cost two thirds of a small file's read (3,000 processes' `stat`
 * and `cmdline`: 35 ms kept against 90 ms opened each time, measured).
 *
 * A kept file belongs to the process it was opened for: once that process is gone (and
 * its PID perhaps reused by another) the kernel answers `ESRCH`, and the file is opened
 * again by its path. Files of PIDs a listing no longer shows are closed. The number kept
 * stays under the open-files limit (raised to the hard limit once), with room to spare;
 * past it, files are read the ordinary way.
 *
 * @module
 */
import { errno, openLibc, raiseOpenFilesLimit } from "../kernel/libc.ts";
import type { Libc } from "../kernel/libc.ts";
import type { FileKeeper, ProcfsTarget } from "./proc_reader.ts";
import type { ProcRoot } from "./proc_root.ts";

const O_RDONLY_CLOEXEC = 0o2000000;
const O_DIRECTORY_CLOEXEC = 0o2000000 | 0o200000;
const SEEK_SET = 0;
const ERRNO_CODES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  13: "EACCES",
  24: "EMFILE",
};
/** Descriptors left for everything else procpath opens (the database, sockets, files). */
const RESERVE = 512;

/** An error of a read as the system gave it, with its errno's name as `code`. */
function systemError(code: number, path: string): Error {
  const name = ERRNO_CODES[code] ?? `E${code}`;
  const error = name === "ENOENT"
    ? new Deno.errors.NotFound(`No such file or directory (os error 2): ${path}`)
    : name === "EACCES" || name === "EPERM"
    ? new Deno.errors.PermissionDenied(`Permission denied (os error ${code}): ${path}`)
    : new Error(`${name} (os error ${code}): ${path}`);
  return Object.assign(error, { code: name });
}

/** One process's kept files and what proves its command line unchanged. */
interface Slot {
  /** Descriptor by file name. */
  fds: Map<string, number>;
  /** Whether `stat` was read since the last `cmdline` read: its state and threads are current. */
  statFresh: boolean;
  /** From that `stat`: running or runnable (`R`), and the number of threads. */
  runnable: boolean;
  threads: number;
  /** The `schedstat` read just before `cmdline` was last read, and that command line. */
  schedstat: Uint8Array | null;
  cmdline: Uint8Array | null;
}

/** Kept files of one procfs tree's processes. */
export class KeptFiles implements FileKeeper {
  readonly #lib: Libc;
  readonly #budget: number;
  readonly #maxBytes: number;
  readonly #slots = new Map<number, Slot>();
  #count = 0;
  #reused = 0;
  #buffer = new Uint8Array(1 << 16);
  #bufferLength = BigInt(1 << 16);
  readonly #encoder = new TextEncoder();
  /** `/proc` itself, open for listing; -1 until first listed. */
  #procFd = -1;
  readonly #listing = new Uint8Array(1 << 16);

  private constructor(lib: Libc, budget: number, maxBytes: number) {
    this.#lib = lib;
    this.#budget = budget;
    this.#maxBytes = maxBytes;
  }

  /**
   * Kept files for the live `/proc` (reads stop at `maxBytes`), or `null` where libc or
   * the open-files limit does not allow them.
   */
  static open(maxBytes = 16 << 20): KeptFiles | null {
    const lib = openLibc();
    const limit = lib === null ? null : raiseOpenFilesLimit();
    if (lib === null || limit === null || limit <= RESERVE * 2) return null;
    return new KeptFiles(lib, limit - RESERVE, maxBytes);
  }

  /** How many files are open now. */
  get size(): number {
    return this.#count;
  }

  /** How many command lines were served unread, proven unchanged by `schedstat`. */
  get reused(): number {
    return this.#reused;
  }

  /**
   * The bytes of `/proc/<pid>/<name>` (`pathOf` names it), in a buffer the next read
   * reuses; `null` when the file cannot be kept (over the budget): read it the ordinary
   * way then. Throws the system's error (NotFound for a vanished process,
   * PermissionDenied). A `cmdline` read right after its process's `stat` may be served
   * from the previous read: see {@link KeptFiles.#commandLine}.
   */
  read(
    pid: number,
    name: string,
    pathOf: (pid: number, name: string) => string,
  ): Uint8Array | null {
    let slot = this.#slots.get(pid);
    if (slot === undefined) {
      slot = {
        fds: new Map(),
        statFresh: false,
        runnable: true,
        threads: 0,
        schedstat: null,
        cmdline: null,
      };
      this.#slots.set(pid, slot);
    }
    if (name === "cmdline") return this.#commandLine(pid, slot, pathOf);
    const bytes = this.#readKept(pid, slot, name, pathOf);
    if (name === "stat" && bytes !== null) noteStat(slot, bytes);
    return bytes;
  }

  /**
   * A command line, served from the previous read when the process provably has not
   * run since: a command line changes only by the process's own work (writing its
   * argument memory, `prctl`, `exec`), and `schedstat` — nanoseconds on the CPU and the
   * times it was switched in — moves as soon as it runs. Required besides: one thread
   * (`schedstat` is the main thread's), not runnable when `stat` was read a moment ago
   * (a run in progress is not yet in the nanoseconds; it is in the switch count only if
   * it began after the previous read), and a kernel that counts (`0 0 0` otherwise).
   */
  #commandLine(
    pid: number,
    slot: Slot,
    pathOf: (pid: number, name: string) => string,
  ): Uint8Array | null {
    const provable = slot.statFresh && !slot.runnable && slot.threads === 1;
    slot.statFresh = false;
    let schedstat: Uint8Array | null = null;
    if (provable) {
      try {
        schedstat = this.#readKept(pid, slot, "schedstat", pathOf);
      } catch {
        schedstat = null; // unreadable or gone: the command line's own read says which
      }
    }
    if (schedstat === null || !hasRun(schedstat)) {
      slot.schedstat = slot.cmdline = null;
      return this.#readKept(pid, slot, "cmdline", pathOf);
    }
    if (slot.cmdline !== null && slot.schedstat !== null && sameBytes(schedstat, slot.schedstat)) {
      this.#reused++;
      return slot.cmdline;
    }
    slot.schedstat = schedstat.slice();
    const bytes = this.#readKept(pid, slot, "cmdline", pathOf);
    slot.cmdline = bytes === null ? null : bytes.slice();
    return bytes;
  }

  /**
   * The PIDs of `/proc`, ascending, read with `getdents64` through a kept descriptor of
   * the directory (a number from each name's bytes, no entry objects: a third of the
   * listing's cost); `null` where that cannot be done.
   */
  listPids(): number[] | null {
    const getdents = this.#lib.getdents64;
    if (getdents === null) return null;
    if (this.#procFd < 0) {
      this.#procFd = this.#lib.open(this.#encoder.encode("/proc\0"), O_DIRECTORY_CLOEXEC);
      if (this.#procFd < 0) return null;
    }
    if (this.#lib.lseek(this.#procFd, 0n, SEEK_SET) !== 0n) return null;
    const pids: number[] = [];
    const bytes = this.#listing;
    while (true) {
      const n = Number(getdents(this.#procFd, bytes, BigInt(bytes.length)));
      if (n < 0) return null;
      if (n === 0) break;
      // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name
      for (let at = 0; at < n; at += bytes[at + 16]! | (bytes[at + 17]! << 8)) {
        let i = at + 19;
        let pid = 0;
        for (let code = bytes[i]!; code >= 48 && code <= 57; code = bytes[++i]!) {
          pid = pid * 10 + code - 48;
        }
        if (i > at + 19 && bytes[i] === 0) pids.push(pid);
      }
    }
    return pids.sort((a, b) => a - b);
  }

  /** Closes the files of every PID not in `live` (a listing of the tree). */
  prune(live: ReadonlySet<number>): void {
    for (const [pid, slot] of this.#slots) {
      if (!live.has(pid)) this.#drop(pid, slot);
    }
  }

  /** Closes every kept file. */
  closeAll(): void {
    for (const [pid, slot] of this.#slots) this.#drop(pid, slot);
    if (this.#procFd >= 0) this.#lib.close(this.#procFd);
    this.#procFd = -1;
  }

  #drop(pid: number, slot: Slot): void {
    for (const fd of slot.fds.values()) this.#lib.close(fd);
    this.#count -= slot.fds.size;
    this.#slots.delete(pid);
  }

  /** The whole file through its kept descriptor, opened (again) by path when needed. */
  #readKept(
    pid: number,
    slot: Slot,
    name: string,
    pathOf: (pid: number, name: string) => string,
  ): Uint8Array | null {
    const kept = slot.fds.get(name);
    if (kept !== undefined) {
      const bytes = this.#pread(kept);
      if (bytes !== null) return bytes;
      // the process it was opened for is gone: its PID may be another process's now
      this.#lib.close(kept);
      this.#count--;
      // nothing known of the old process proves anything about a new one
      for (const fd of slot.fds.values()) if (fd !== kept) this.#lib.close(fd);
      this.#count -= slot.fds.size - 1;
      slot.fds.clear();
      slot.statFresh = false;
      slot.schedstat = slot.cmdline = null;
    }
    if (this.#count >= this.#budget) return null;
    const path = pathOf(pid, name);
    const fd = this.#lib.open(this.#encoder.encode(path + "\0"), O_RDONLY_CLOEXEC);
    if (fd < 0) throw systemError(errno(this.#lib), path);
    slot.fds.set(name, fd);
    this.#count++;
    const bytes = this.#pread(fd);
    if (bytes === null) {
      const code = errno(this.#lib);
      this.#lib.close(fd);
      this.#count--;
      slot.fds.delete(name);
      throw systemError(code, path);
    }
    return bytes;
  }

  /** The whole file from offset 0, or `null` when the read failed (errno tells why). */
  #pread(fd: number): Uint8Array | null {
    // the first read takes the whole buffer: no view to make for the common case
    let n = Number(this.#lib.pread(fd, this.#buffer, this.#bufferLength, 0n));
    if (n < 0) return null;
    if (n < this.#buffer.length) return this.#buffer.subarray(0, n);
    let length = n;
    while (true) {
      if (length === this.#buffer.length) {
        if (length >= this.#maxBytes) return null;
        const grown = new Uint8Array(this.#buffer.length * 2);
        grown.set(this.#buffer);
        this.#buffer = grown;
        this.#bufferLength = BigInt(grown.length);
      }
      const room = this.#buffer.length - length;
      n = Number(this.#lib.pread(fd, this.#buffer.subarray(length), BigInt(room), BigInt(length)));
      if (n < 0) return null;
      length += n;
      // procfs hands a whole record to one read when there is room: a short read is the end
      if (n < room) return this.#buffer.subarray(0, length);
    }
  }
}

const CLOSE_PAREN = 41;
const SPACE = 32;

/**
 * Takes the state and thread count from the bytes of a `stat` (fields 3 and 20, after
 * the last `)`: the command name may hold anything).
 */
function noteStat(slot: Slot, bytes: Uint8Array): void {
  slot.statFresh = false;
  let close = bytes.length - 1;
  while (close >= 0 && bytes[close] !== CLOSE_PAREN) close--;
  if (close < 0 || close + 2 >= bytes.length) return;
  slot.runnable = bytes[close + 2] === 82; // "R"
  // field 3 (state) starts at close + 2; field 20 (num_threads) is 17 spaces further
  let at = close + 2;
  for (let spaces = 0; spaces < 17 && at < bytes.length; at++) {
    if (bytes[at] === SPACE) spaces++;
  }
  let threads = 0;
  for (; at < bytes.length && bytes[at]! >= 48 && bytes[at]! <= 57; at++) {
    threads = threads * 10 + bytes[at]! - 48;
  }
  slot.threads = threads;
  slot.statFresh = true;
}

/** Whether a `schedstat` line counts anything (a kernel without sched info prints `0 0 0`). */
function hasRun(schedstat: Uint8Array): boolean {
  return schedstat.length > 0 && schedstat[0] !== 48; // "0"
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Makes a sampling command's reader keep its files open between samples (record, top,
 * metrics, watch); nothing for a captured tree or the thread target.
 */
export function keepFilesOpen(procfs: ProcRoot, target: ProcfsTarget): void {
  if (procfs.isLive && target === "process") procfs.reader(target).keepFiles(KeptFiles.open());
}
