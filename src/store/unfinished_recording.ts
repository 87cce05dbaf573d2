/**
 * A recording whose write-ahead log is still open: its recorder is writing it, or was
 * killed before it could fold the log back (SIGKILL, a crash, a full machine). Which of
 * the two the kernel tells: every SQLite connection to a WAL database holds a POSIX read
 * lock on its `-shm` file (and the database) as long as it lives, and `/proc/locks`
 * lists each lock with its holder's PID. A recording no process holds is one whose
 * recorder is gone: what it committed is in the log, and opening it read-write as the
 * only connection recovers it (SQLite replays the log's committed transactions, then
 * folds them into the file on close). One a process holds is never touched.
 *
 * @module
 */
import { connect } from "./_connect.ts";
import { RecordingError } from "./errors.ts";

/** A `/proc/locks` line's holder and file: the PID and `MAJOR:MINOR:INODE` (hex, hex, decimal). */
const LOCK = /\s(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/;

/**
 * Returns the PIDs holding a lock on a file whose inode is in `inodes`, as `/proc/locks`
 * text lists them (pure; locks of processes not in this PID namespace are not listed,
 * and open file description locks have no PID).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLockHolders } from "./unfinished_recording.ts";
 * const text = "1: POSIX  ADVISORY  READ 26338 fe:00:2327071 128 128\n" +
 *   "2: POSIX  ADVISORY  READ 4242 fe:00:99 128 128\n";
 * assert.deepEqual(parseLockHolders(text, new Set([2327071])), [26338]);
 * ```
 */
export function parseLockHolders(text: string, inodes: ReadonlySet<number>): number[] {
  const pids = new Set<number>();
  for (const line of text.split("\n")) {
    const match = LOCK.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid > 0 && inodes.has(Number(match[4]))) pids.add(pid);
  }
  return [...pids].sort((a, b) => a - b);
}

const sizeOf = (path: string) => {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
};

const inodeOf = (path: string) => {
  try {
    return Deno.statSync(path).ino;
  } catch {
    return null;
  }
};

/** How a reader of the recording names what it does: "report on", "export". */
export type Verb = string;

/** Where to look and what to say; the procfs root is a parameter, as everywhere. */
export interface SettleOptions {
  verb?: Verb;
  procfs?: string;
}

/**
 * Makes the recording at `path` readable if its recorder is gone: returns null when it
 * is finished (no open write-ahead log), a warning when its recorder was gone and what
 * it committed was recovered. Throws `RecordingError` (one line) while a process holds
 * it (naming the PIDs), when it cannot be told whether one does, or when a gone
 * recorder left no sample (then nothing is changed).
 */
export function settleUnfinished(path: string, options: SettleOptions = {}): string | null {
  const verb = options.verb ?? "report on";
  const procfs = options.procfs ?? "/proc";
  if (sizeOf(`${path}-wal`) === 0) return null;
  const holders = lockHolders(path, procfs);
  if (holders === null) {
    throw new RecordingError(
      `Cannot ${verb} "${path}": its write-ahead log is open and ${procfs}/locks cannot be ` +
        "read to tell whether its recorder is still writing it; once no process has it open, " +
        `"sqlite3 ${path} 'PRAGMA wal_checkpoint'" folds in what was committed`,
    );
  }
  if (holders.length > 0) {
    throw new RecordingError(
      `Cannot ${verb} "${path}": it is still being written by PID ${holders.join(", PID ")} (${
        commandsOf(holders, procfs)
      }); run this again once it has ended`,
    );
  }
  if (!holdsSample(path)) {
    throw new RecordingError(
      `Cannot ${verb} "${path}": its recorder is gone (no process has it open) and it ` +
        "committed no sample",
    );
  }
  // no process has the file open: this connection is the only one, so SQLite replays the
  // log's committed transactions on the first read and folds them in on close
  try {
    const db = connect(path);
    try {
      db.prepare("SELECT COUNT(*) FROM sqlite_master").get();
    } finally {
      db.close();
    }
  } catch (error) {
    throw new RecordingError(
      `Cannot ${verb} "${path}": its recorder is gone (no process has it open), and recovering ` +
        `what it committed needs to write the file: ${(error as Error).message}`,
    );
  }
  if (sizeOf(`${path}-wal`) > 0) {
    // a holder /proc/locks does not show (another PID namespace) kept the log open
    throw new RecordingError(
      `Cannot ${verb} "${path}": it is still being written by a process this system's ` +
        `${procfs}/locks does not show; run this again once its recorder has ended`,
    );
  }
  return `The recorder of "${path}" is gone (no process has it open: killed before it ended): ` +
    "its committed samples were recovered into the file, and the recording holds no note " +
    "of the run's end (the kernel's CPU and memory counts, the command's exit status)";
}

/** The PIDs holding a lock on the recording or its shared-memory index, null when unknown. */
function lockHolders(path: string, procfs: string): number[] | null {
  const inodes = new Set(
    [inodeOf(path), inodeOf(`${path}-shm`)].filter((ino): ino is number => ino !== null),
  );
  let text: string;
  try {
    text = Deno.readTextFileSync(`${procfs}/locks`);
  } catch {
    return null;
  }
  return parseLockHolders(text, inodes).filter((pid) => pid !== Deno.pid);
}

/** The holders' command lines for the refusal, as far as they can be read. */
function commandsOf(pids: number[], procfs: string): string {
  return pids.map((pid) => {
    try {
      const words = Deno.readTextFileSync(`${procfs}/${pid}/cmdline`).split("\0")
        .filter((w) => w);
      // procpath runs as `deno run … main.ts record …`: its own words say more
      const own = words.indexOf("record");
      const shown = own > 0 ? `procpath ${words.slice(own).join(" ")}` : words.join(" ");
      return shown.length > 80 ? `${shown.slice(0, 79)}…` : shown || "?";
    } catch {
      return "?";
    }
  }).join("; ");
}

/** Whether the recording holds a sample, read without changing anything. */
function holdsSample(path: string): boolean {
  try {
    const db = connect(path, { readOnly: true });
    try {
      return db.prepare("SELECT 1 FROM record LIMIT 1").get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
