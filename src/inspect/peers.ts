/**
 * Who holds the other end: the processes on this host with a descriptor on a given
 * pipe or socket inode, found by one pass over every visible process's `fd/` links.
 * Only run when a thread waits on a pipe or a local socket (the pass costs a readlink
 * per descriptor on the host).
 *
 * @module
 */
import type { ProcReader } from "../procfs/proc_reader.ts";
import { parseStatBytes } from "../procfs/parse_stat.ts";
import { parseFdinfo } from "../procfs/parse_task_figures.ts";

const decoder = new TextDecoder();

/** A process holding a descriptor on an inode. */
export interface Holder {
  pid: number;
  comm: string;
  fd: number;
  /** `O_RDONLY` 0, `O_WRONLY` 1, `O_RDWR` 2 (from `fdinfo` `flags`); `null` unknown. */
  access: number | null;
}

/** `pipe:[123]` or `socket:[123]` as its kind and inode. */
export function linkInode(target: string): { kind: "pipe" | "socket"; inode: number } | null {
  const match = /^(pipe|socket):\[(\d+)\]$/.exec(target);
  return match ? { kind: match[1] as "pipe" | "socket", inode: Number(match[2]) } : null;
}

/**
 * A named pipe's key among the holders: its device and inode (`stat` of the descriptor),
 * kept apart from pipe and socket inodes, which number another file system's files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fifoKey } from "./peers.ts";
 * assert.equal(fifoKey(2049, 131), "fifo:2049:131");
 * ```
 */
export function fifoKey(device: number, inode: number): string {
  return `fifo:${device}:${inode}`;
}

/**
 * The holders of each of `inodes` (pipes and sockets) and `fifos` ({@link fifoKey})
 * among the processes `reader` lists (those this user may look into; others are
 * skipped, so a holder may be missing, never wrong), keyed by inode or FIFO key.
 */
export function findHolders(
  reader: ProcReader,
  inodes: ReadonlySet<number>,
  fifos: ReadonlySet<string> = new Set(),
): Map<number | string, Holder[]> {
  const found = new Map<number | string, Holder[]>();
  if (inodes.size === 0 && fifos.size === 0) return found;
  for (const pid of reader.listPids()) {
    let names: string[];
    try {
      names = [...Deno.readDirSync(`${reader.root}/${pid}/fd`)].map((e) => e.name);
    } catch {
      continue; // gone, or not ours
    }
    let comm: string | null = null;
    for (const name of names) {
      let target: string;
      try {
        target = Deno.readLinkSync(`${reader.root}/${pid}/fd/${name}`);
      } catch {
        continue;
      }
      const link = linkInode(target);
      let key: number | string | null = link && inodes.has(link.inode) ? link.inode : null;
      if (key === null && fifos.size > 0 && target.startsWith("/")) {
        // a path: a FIFO is known by the file the descriptor opened, not by its name
        try {
          const file = Deno.statSync(`${reader.root}/${pid}/fd/${name}`);
          const fifo = file.isFifo ? fifoKey(file.dev, file.ino ?? 0) : null;
          if (fifo !== null && fifos.has(fifo)) key = fifo;
        } catch { /* closed meanwhile */ }
      }
      if (key === null) continue;
      try {
        comm ??= parseStatBytes(reader.readFile(pid, "stat")).comm ?? "";
      } catch {
        comm = "";
      }
      let access: number | null = null;
      try {
        access = parseFdinfo(decoder.decode(reader.readFile(pid, `fdinfo/${name}`))).access;
      } catch { /* closed meanwhile */ }
      const list = found.get(key) ?? [];
      list.push({ pid, comm, fd: Number(name), access });
      found.set(key, list);
    }
  }
  return found;
}
