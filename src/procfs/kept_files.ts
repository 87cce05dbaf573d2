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
 * One thing is not read again: a file only the process's own work can change
 * (`cmdline`, `io`) while the process provably has not run since it was last read —
 * see {@link KeptFiles.read}. And one is not parsed again: a `stat` whose bytes are
 * those of the previous read (a sleeping process's, most of a host's) is the record
 * parsed then — parsing every stat made a third of what a sample allocated, and the
 * young generation V8 sizes to that is most of `record`'s memory (docs/performance.md).
 *
 * @module
 */
import { errno, openLibc, raiseOpenFilesLimit } from "../kernel/libc.ts";
import { aboveCallerRange, callerOpenFilesLimit } from "../kernel/caller_limits.ts";
import type { Libc } from "../kernel/libc.ts";
import type { FileKeeper, PathOf, ProcfsTarget } from "./proc_reader.ts";
import type { ProcRoot } from "./proc_root.ts";
import { UnsafeFileError } from "./errors.ts";
import { ONE_RECORD_FILES } from "./one_record_files.ts";

const O_RDONLY_CLOEXEC = 0o2000000;
const O_DIRECTORY_CLOEXEC = 0o2000000 | 0o200000;
const SEEK_SET = 0;
const ESRCH = 3;
/** What `#pread` returns for a file longer than the most a procfile may hold. */
const TOO_LONG = -1;
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

/**
 * Files whose text only the process's own work changes: a command line is rewritten
 * by writing its argument memory, by `prctl` or by `exec`; the I/O counters count the
 * process's own reads and writes (storage bytes are counted where they are submitted
 * or dirtied, in the task doing it; a thread's are added when it exits).
 */
const CHANGED_BY_OWN_WORK = new Set(["cmdline", "io"]);

/** A file's bytes, served again while `schedstat` stands where it stood before they were read. */
interface Unchanged {
  schedstat: string;
  bytes: Uint8Array;
  /** What `parse` made of `bytes`, when they were parsed since they were read. */
  parse?: (bytes: Uint8Array) => unknown;
  value?: unknown;
  /** The `stat` read this was last served or read under: one use per `stat` read. */
  round: number;
}

/** One process's kept files and what proves some of them unchanged. */
interface Slot {
  /** Descriptor by file name. */
  fds: Map<string, number>;
  /** The last `stat` read of this process (0: none since its files were opened). */
  round: number;
  /** At that `stat`: one thread, asleep (see `isIdle`). */
  idle: boolean;
  /**
   * `schedstat` as read just before that `stat` (null: not read — a process whose
   * command line or I/O was never asked for, a kernel without it — or unreadable).
   */
  schedstat: string | null;
  /** Whether a file of {@link CHANGED_BY_OWN_WORK} was read: `schedstat` is read then. */
  proving: boolean;
  /** Times the files were reopened for a new process under the PID. */
  generation: number;
  unchanged: Map<string, Unchanged>;
  /** The last `stat` parsed: a copy of its bytes and what `parse` made of them. */
  stat: ParsedStat | null;
}

/** A `stat` as parsed, served again for the same bytes by the same parser. */
interface ParsedStat {
  bytes: Uint8Array;
  parse: (bytes: Uint8Array) => unknown;
  value: unknown;
}

/** Kept files of one procfs tree's processes. */
export class KeptFiles implements FileKeeper {
  readonly #lib: Libc;
  readonly #budget: number;
  readonly #maxBytes: number;
  readonly #slots = new Map<number, Slot>();
  #count = 0;
  #reused = 0;
  #rounds = 0;
  #buffer = new Uint8Array(1 << 16);
  #bufferLength = BigInt(1 << 16);
  /** Views of `#buffer` by length (see `#whole`), dropped when it grows. */
  #views: Uint8Array[] = [];
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
    // kept files sit above the caller's limit, whose range stays free (aboveCallerRange)
    const budget = limit === null ? 0 : limit - RESERVE - (callerOpenFilesLimit() ?? 0);
    if (lib === null || budget <= RESERVE) return null;
    return new KeptFiles(lib, budget, maxBytes);
  }

  /** How many files are open now. */
  get size(): number {
    return this.#count;
  }

  /** How many reads were served unread, proven unchanged by `schedstat`. */
  get reused(): number {
    return this.#reused;
  }

  /**
   * The bytes of `/proc/<pid>/<name>` (`pathOf` names it), in a buffer the next read
   * reuses; `null` when the file cannot be kept (over the budget): read it the ordinary
   * way then. Throws the system's error (NotFound for a vanished process,
   * PermissionDenied).
   *
   * A `cmdline` or `io` read after the process's `stat` is served from the previous
   * read when the process has provably not run since: `schedstat` — nanoseconds on the
   * CPU and the number of times it was switched in — read just before this `stat` is
   * what it was just before the `stat` that preceded that read. Required besides: one
   * thread at both `stat` reads, asleep (a run in progress is not in the nanoseconds
   * until it ends or the next tick, while one that began since is in the switch count;
   * a stopped, traced or uninterruptible process may have its memory written by a
   * debugger or a `vfork` child), and a kernel that counts (`0 0 0` otherwise).
   *
   * The order is the proof: `schedstat` is the main thread's, and only a running
   * thread makes another. A `stat` read after `schedstat` that shows one thread leaves
   * no thread unseen: any made later was made by the main thread running, after that
   * `schedstat`, and moves the next one. Read the other way round, a thread made
   * between `stat` and `schedstat` could rename the process and exit unseen (tested).
   */
  read(
    pid: number,
    name: string,
    pathOf: PathOf,
  ): Uint8Array | null {
    let slot = this.#slots.get(pid);
    if (slot === undefined) {
      slot = {
        fds: new Map(),
        round: 0,
        idle: false,
        schedstat: null,
        proving: false,
        generation: 0,
        unchanged: new Map(),
        stat: null,
      };
      this.#slots.set(pid, slot);
    }
    if (CHANGED_BY_OWN_WORK.has(name)) return this.#unlessUnchanged(pid, slot, name, pathOf);
    if (name !== "stat") return this.#readKept(pid, slot, name, pathOf);
    const generation = slot.generation;
    const schedstat = slot.proving ? this.#schedstatOf(pid, slot, pathOf) : null;
    const bytes = this.#readKept(pid, slot, name, pathOf);
    if (bytes !== null) {
      slot.round = ++this.#rounds;
      slot.idle = isIdle(bytes);
      // a schedstat of a process gone since proves nothing of the one the stat is of
      slot.schedstat = slot.generation === generation ? schedstat : null;
    }
    return bytes;
  }

  /** A file of {@link CHANGED_BY_OWN_WORK}: the previous bytes where provably unchanged. */
  #unlessUnchanged(
    pid: number,
    slot: Slot,
    name: string,
    pathOf: PathOf,
  ): Uint8Array | null {
    slot.proving = true;
    const known = slot.unchanged.get(name);
    const schedstat = slot.schedstat;
    if (
      slot.round === 0 || !slot.idle || schedstat === null || known?.round === slot.round
    ) {
      return this.#readInFull(pid, slot, name, pathOf);
    }
    if (known !== undefined && known.schedstat === schedstat) {
      known.round = slot.round;
      this.#reused++;
      return known.bytes;
    }
    const generation = slot.generation;
    const bytes = this.#readKept(pid, slot, name, pathOf);
    // bytes of a new process under the PID are not those the schedstat was of
    if (bytes === null || slot.generation !== generation) slot.unchanged.delete(name);
    else slot.unchanged.set(name, { schedstat, bytes: bytes.slice(), round: slot.round });
    return bytes;
  }

  /** A file of {@link CHANGED_BY_OWN_WORK} read in full, nothing kept of it to serve later. */
  #readInFull(pid: number, slot: Slot, name: string, pathOf: PathOf): Uint8Array | null {
    slot.unchanged.delete(name);
    return this.#readKept(pid, slot, name, pathOf);
  }

  /**
   * `parse(bytes)`, or the value the same function made of the same bytes before, when
   * `bytes` are a file served unread (a command line decoded once, not every sample) or
   * a `stat` that reads as it did the last time (a sleeping process's).
   */
  parsed<T>(pid: number, name: string, bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
    if (name === "stat") {
      const slot = this.#slots.get(pid);
      if (slot !== undefined) return this.#parsedStat(slot, bytes, parse);
    }
    const known = this.#slots.get(pid)?.unchanged.get(name);
    if (known === undefined || known.bytes !== bytes) return parse(bytes);
    if (known.parse !== parse) {
      known.value = parse(bytes);
      known.parse = parse;
    }
    return known.value as T;
  }

  /** The stat record parsed from these bytes the last time, else parsed now and kept. */
  #parsedStat<T>(slot: Slot, bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
    const last = slot.stat;
    if (last !== null && last.parse === parse && sameBytes(last.bytes, bytes)) {
      return last.value as T;
    }
    const value = parse(bytes);
    if (last !== null && last.bytes.length === bytes.length) {
      last.bytes.set(bytes);
      last.parse = parse;
      last.value = value;
    } else slot.stat = { bytes: bytes.slice(), parse, value };
    return value;
  }

  /** The process's `schedstat` line, or `null` where it cannot prove anything. */
  #schedstatOf(
    pid: number,
    slot: Slot,
    pathOf: PathOf,
  ): string | null {
    let bytes: Uint8Array | null;
    try {
      bytes = this.#readKept(pid, slot, "schedstat", pathOf);
    } catch {
      return null; // unreadable or gone: the file's own read says which
    }
    // a kernel without sched info prints "0 0 0"; the line is ASCII digits
    if (bytes === null || bytes.length === 0 || bytes[0] === 48) return null;
    // the line read last time when it reads the same (a sleeping process's): no new string
    const last = slot.schedstat;
    if (last !== null && isText(bytes, last)) return last;
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
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

  /** Closes the files of every PID not in `live` (a listing of the tree, ascending). */
  prune(live: readonly number[]): void {
    // forEach and a binary search: no entry array or set a process a sample
    this.#slots.forEach((slot, pid) => {
      if (!includesSorted(live, pid)) this.#drop(pid, slot);
    });
  }

  /** Closes every kept file. */
  closeAll(): void {
    this.#slots.forEach((slot, pid) => this.#drop(pid, slot));
    if (this.#procFd >= 0) this.#lib.close(this.#procFd);
    this.#procFd = -1;
  }

  #drop(pid: number, slot: Slot): void {
    this.#closeFiles(slot);
    this.#slots.delete(pid);
  }

  #closeFiles(slot: Slot): void {
    for (const fd of slot.fds.values()) this.#lib.close(fd);
    this.#count -= slot.fds.size;
    slot.fds.clear();
  }

  /** The whole file through its kept descriptor, opened (again) by path when needed. */
  #readKept(
    pid: number,
    slot: Slot,
    name: string,
    pathOf: PathOf,
  ): Uint8Array | null {
    const kept = slot.fds.get(name);
    if (kept !== undefined) {
      const read = this.#pread(kept, ONE_RECORD_FILES.has(name));
      if (typeof read !== "number") return read;
      // anything but ESRCH is this file's answer (EACCES after a set-user-ID exec, a
      // file too long): the process is still the one the file was opened for
      if (read !== ESRCH) throw readError(read, pathOf(pid, name), this.#maxBytes);
      // the process it was opened for is gone: its PID may be another process's now, and
      // nothing known of the old process proves anything about a new one
      this.#closeFiles(slot);
      slot.round = 0;
      slot.generation++;
      slot.unchanged.clear();
      slot.stat = null;
    }
    if (this.#count >= this.#budget) return null;
    const path = pathOf(pid, name);
    // above the caller's open-files limit, which each spawn restores for a moment
    const fd = aboveCallerRange(
      this.#lib,
      this.#lib.open(this.#encoder.encode(path + "\0"), O_RDONLY_CLOEXEC),
    );
    if (fd < 0) throw readError(errno(this.#lib), path, this.#maxBytes);
    const read = this.#pread(fd, ONE_RECORD_FILES.has(name));
    if (typeof read === "number") {
      this.#lib.close(fd);
      throw readError(read, path, this.#maxBytes);
    }
    slot.fds.set(name, fd);
    this.#count++;
    return read;
  }

  /**
   * The whole file from offset 0 — read until `pread` returns 0, or (`oneRecord`, see
   * `one_record_files.ts`) returns less than it was asked for — or else the errno of the
   * failed read, or {@link TOO_LONG}.
   */
  #pread(fd: number, oneRecord: boolean): Uint8Array | number {
    let length = 0;
    while (true) {
      if (length === this.#buffer.length) {
        if (length >= this.#maxBytes) return TOO_LONG;
        const grown = new Uint8Array(this.#buffer.length * 2);
        grown.set(this.#buffer);
        this.#buffer = grown;
        this.#bufferLength = BigInt(grown.length);
        this.#views = [];
      }
      const n = Number(
        length === 0
          // the first read takes the whole buffer: no view to make for the common case
          ? this.#lib.pread(fd, this.#buffer, this.#bufferLength, 0n)
          : this.#lib.pread(
            fd,
            this.#buffer.subarray(length),
            BigInt(this.#buffer.length - length),
            BigInt(length),
          ),
      );
      if (n < 0) return errno(this.#lib);
      if (n === 0) return this.#whole(length);
      const room = this.#buffer.length - length;
      length += n;
      if (oneRecord && n < room) return this.#whole(length);
    }
  }

  /**
   * `#buffer`'s first `length` bytes: one view per length, made once — a new view per
   * read was a sixth of what a sample of small files allocated.
   */
  #whole(length: number): Uint8Array {
    if (length >= 4096) return this.#buffer.subarray(0, length);
    return this.#views[length] ??= this.#buffer.subarray(0, length);
  }
}

/** Whether ascending `values` holds `value`. */
function includesSorted(values: readonly number[], value: number): boolean {
  let low = 0, high = values.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const at = values[mid]!;
    if (at === value) return true;
    if (at < value) low = mid + 1;
    else high = mid - 1;
  }
  return false;
}

/** Whether ASCII `bytes` spell `text`. */
function isText(bytes: Uint8Array, text: string): boolean {
  if (bytes.length !== text.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Whether two byte strings are equal. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The error of a failed read (`code` an errno, or {@link TOO_LONG}). */
function readError(code: number, path: string, maxBytes: number): Error {
  return code === TOO_LONG
    ? new UnsafeFileError(`more than ${maxBytes} bytes`)
    : systemError(code, path);
}

const CLOSE_PAREN = 41;
const SPACE = 32;

/**
 * Whether a `stat` shows one thread asleep (`S`, or `I` for an idle kernel thread):
 * not running or runnable, and not stopped, traced or in an uninterruptible wait — a
 * `vfork` parent waits in `D` while its child runs in its memory, and a debugger writes
 * a tracee's memory while it is stopped. Fields 3 and 20, after the last `)` (the
 * command name may hold anything).
 */
function isIdle(bytes: Uint8Array): boolean {
  let close = bytes.length - 1;
  while (close >= 0 && bytes[close] !== CLOSE_PAREN) close--;
  if (close < 0 || close + 2 >= bytes.length) return false;
  const state = bytes[close + 2];
  if (state !== 83 && state !== 73) return false; // "S", "I"
  // field 3 (state) starts at close + 2; field 20 (num_threads) is 17 spaces further
  let at = close + 2;
  for (let spaces = 0; spaces < 17 && at < bytes.length; at++) {
    if (bytes[at] === SPACE) spaces++;
  }
  return bytes[at] === 49 && bytes[at + 1] === SPACE; // "1 "
}

/**
 * Makes a sampling command's reader keep its files open between samples (record, top,
 * metrics, watch); nothing for a captured tree or the thread target.
 */
export function keepFilesOpen(procfs: ProcRoot, target: ProcfsTarget): void {
  if (procfs.isLive && target === "process") procfs.reader(target).keepFiles(KeptFiles.open());
}
