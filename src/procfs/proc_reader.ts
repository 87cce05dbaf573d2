import type { Fd } from "./types.ts";
import { emptyFd } from "./proc_files.ts";
import { UnsafeFileError } from "./errors.ts";
import { ONE_RECORD_FILES } from "./one_record_files.ts";

/** Names the file `<pid>/<name>` under a reader's root (made only where a file is opened). */
export type PathOf = (pid: number, name: string) => string;

/**
 * Keeps a live tree's files open between samples (`KeptFiles` in `kept_files.ts`):
 * the bytes of a file, or `null` to read it the ordinary way.
 */
export interface FileKeeper {
  read(pid: number, name: string, pathOf: PathOf): Uint8Array | null;
  /** Closes the files of every PID not in `live` (ascending). */
  prune(live: readonly number[]): void;
  /** The PIDs of `/proc`, ascending, or `null` to list it the ordinary way. */
  listPids(): number[] | null;
  /**
   * `parse(bytes)` for bytes `read` just returned — or, where those bytes were served
   * unread and parsed by the same function before, that earlier value.
   */
  parsed<T>(pid: number, name: string, bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T;
}

/** Whether procpath reads one entry per process or per thread. */
export type ProcfsTarget = "process" | "thread";

/** The only place that touches the file system under the procfs root. */
export interface ProcReader {
  /** The procfs root, without a trailing slash. */
  readonly root: string;
  /** PIDs (or TIDs for the thread target), ascending. */
  listPids(): number[];
  /**
   * Raw bytes of `<pid>/<name>`. Throws the file system's error. The bytes live in
   * a buffer the next read reuses: parse them before reading again.
   */
  readFile(pid: number, name: string): Uint8Array;
  /**
   * `parse` of `<pid>/<name>`'s bytes (see `readFile`). A value parsed from a file kept
   * open and proven unchanged since may be the earlier one: treat it as read-only.
   */
  readParsed<T>(pid: number, name: string, parse: (bytes: Uint8Array) => T): T;
  /** Counts of `<pid>/fd/*` by the type of the file each points at. */
  countFds(pid: number): Fd;
  /** Whether `<pid>/stat` still exists (tells a vanished process from a missing file). */
  hasStat(pid: number): boolean;
  /** Raw bytes of a file under the root that belongs to no process (`meminfo`, `self/auxv`). */
  readRootFile(name: string): Uint8Array;
  /**
   * Keeps files open between samples from now on (`kept_files.ts`), for a reader that
   * samples repeatedly (record, top, metrics, watch); ignored but for the live `/proc`'s
   * processes. A one-off snapshot (query) opens each file once and loads none of it.
   */
  keepFiles(keeper: FileKeeper | null): void;
  /**
   * The children of a process: the union of its threads' `task/<tid>/children` (a child
   * is listed by the thread that forked it). `null` where the tree has no such files
   * (kernels without them, captured trees, the thread target): read the whole tree then.
   * Empty for a process that vanished.
   */
  childrenOf(pid: number): number[] | null;
}

/** The most a procfile may hold, bytes; `cmdline` is bounded by the kernel well below it. */
export const MAX_PROCFILE_BYTES = 16 << 20;

/** S_IFMT classes by the bits of `st_mode`, see inode(7). */
const FILE_TYPES: Record<number, keyof Fd> = {
  0o040000: "dir",
  0o020000: "chr",
  0o060000: "blk",
  0o100000: "reg",
  0o010000: "fifo",
  0o120000: "lnk",
  0o140000: "sock",
};
const S_IFMT = 0o170000;

/**
 * Creates the reader of a procfs tree rooted at `root` (normally `/proc`).
 * Reads are synchronous: each is a few microseconds of kernel work, and the
 * async path costs more than the read itself. Under any root but the live `/proc`,
 * only regular files are opened (a captured tree may hold a FIFO or a link to a
 * device); every read stops at {@link MAX_PROCFILE_BYTES}.
 */
export function createProcReader(root: string, target: ProcfsTarget = "process"): ProcReader {
  const base = root.length > 1 ? root.replace(/\/+$/, "") : root;
  const read = base === "/proc" ? readInto : readRegularInto;
  const dirOf = target === "process"
    ? (pid: number) => `${base}/${pid}/`
    : (tid: number) => `${base}/${tid}/task/${tid}/`;
  const keeps = base === "/proc" && target === "process";
  let kept: FileKeeper | null = null;
  // the path is made only where a file is opened: a kept file's read needs none
  const pathOf: PathOf = (pid, name) => dirOf(pid) + name;
  return {
    root: base,
    listPids() {
      const pids = listPidsOf();
      kept?.prune(pids);
      return pids;
    },
    keepFiles(files) {
      if (keeps) kept = files;
    },
    readFile(pid, name) {
      return kept?.read(pid, name, pathOf) ?? read(pathOf(pid, name), ONE_RECORD_FILES.has(name));
    },
    readParsed(pid, name, parse) {
      if (kept !== null) {
        const bytes = kept.read(pid, name, pathOf);
        if (bytes !== null) return kept.parsed(pid, name, bytes, parse);
      }
      return parse(read(pathOf(pid, name), ONE_RECORD_FILES.has(name)));
    },
    readRootFile(name) {
      return read(`${base}/${name}`);
    },
    childrenOf: childrenOfPid,
    countFds,
    hasStat,
  };

  function listPidsOf(): number[] {
    if (target === "process") {
      const listed = kept?.listPids();
      if (listed) return listed;
    }
    const pids: number[] = [];
    for (const entry of Deno.readDirSync(base)) {
      const pid = toPid(entry.name);
      if (pid === null) continue;
      if (target === "process") {
        pids.push(pid);
        continue;
      }
      try {
        for (const task of Deno.readDirSync(`${base}/${pid}/task`)) {
          const tid = toPid(task.name);
          if (tid !== null) pids.push(tid);
        }
      } catch {
        // a process that exits while its tasks are listed has no threads left to report
      }
    }
    return pids.sort((a, b) => a - b);
  }

  function childrenOfPid(pid: number): number[] | null {
    if (target !== "process") return null;
    let tids: string[];
    try {
      tids = [...Deno.readDirSync(`${base}/${pid}/task`)].map((entry) => entry.name);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound && Deno.statSync(base).isDirectory) {
        // a vanished process has no task directory; a captured tree has none at all
        return hasStatFile(`${base}/${pid}/stat`) ? null : [];
      }
      throw error;
    }
    const children: number[] = [];
    for (const tid of tids) {
      let text: string;
      try {
        text = new TextDecoder().decode(read(`${base}/${pid}/task/${tid}/children`));
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        if (!hasStatFile(`${base}/${pid}/task/${tid}/stat`)) continue; // the thread ended
        return null; // no children files in this tree
      }
      for (const word of text.split(" ")) {
        if (word !== "" && word !== "\n") children.push(Number(word));
      }
    }
    return children;
  }

  function countFds(pid: number): Fd {
    const counts = emptyFd();
    const dir = dirOf(pid) + "fd/";
    for (const entry of Deno.readDirSync(dir)) {
      let mode: number | null;
      try {
        mode = Deno.statSync(dir + entry.name).mode;
      } catch {
        continue; // the descriptor was closed between listing and stat
      }
      const kind = FILE_TYPES[(mode ?? 0) & S_IFMT] ?? ((mode ?? 0) & S_IFMT ? null : "anon");
      if (kind) counts[kind]++;
    }
    return counts;
  }

  function hasStat(pid: number): boolean {
    try {
      Deno.statSync(dirOf(pid) + "stat");
      return true;
    } catch {
      return false;
    }
  }
}

function hasStatFile(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

let buffer = new Uint8Array(1 << 16);

function readRegularInto(path: string, oneRecord = false): Uint8Array {
  // the message names no path: warnings group processes by it (the reader adds pid and file)
  if (!Deno.statSync(path).isFile) throw new UnsafeFileError("not a regular file");
  return readInto(path, oneRecord);
}

// One buffer for every read: procfs files are read thousands of times per snapshot,
// and allocating for each costs more than the kernel's work of producing the text.
// The buffer only grows; what a read returns is a view of it, valid until the next.
// A file of `ONE_RECORD_FILES` ends at a short read; any other, at a read of 0 bytes.
function readInto(path: string, oneRecord = false): Uint8Array {
  const file = Deno.openSync(path);
  try {
    let length = 0;
    while (true) {
      if (length === buffer.length) {
        if (length >= MAX_PROCFILE_BYTES) {
          throw new UnsafeFileError(`more than ${MAX_PROCFILE_BYTES} bytes`);
        }
        const grown = new Uint8Array(buffer.length * 2);
        grown.set(buffer);
        buffer = grown;
      }
      // a seq_file of many records (a `children` list) hands out a page per read
      // however much room is left: only the end-of-file read ends it
      const room = buffer.length - length;
      const n = file.readSync(buffer.subarray(length));
      if (n === null || n === 0) return buffer.subarray(0, length);
      length += n;
      if (oneRecord && n < room) return buffer.subarray(0, length);
    }
  } finally {
    file.close();
  }
}

function toPid(name: string): number | null {
  const code = name.charCodeAt(0);
  if (code < 48 || code > 57) return null;
  const pid = Number(name);
  return Number.isInteger(pid) ? pid : null;
}
