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
 * The holders of each of `inodes` among the processes `reader` lists (those this user
 * may look into; others are skipped, so a holder may be missing, never wrong).
 */
export function findHolders(
  reader: ProcReader,
  inodes: ReadonlySet<number>,
): Map<number, Holder[]> {
  const found = new Map<number, Holder[]>();
  if (inodes.size === 0) return found;
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
      if (!link || !inodes.has(link.inode)) continue;
      try {
        comm ??= parseStatBytes(reader.readFile(pid, "stat")).comm ?? "";
      } catch {
        comm = "";
      }
      let access: number | null = null;
      try {
        access = parseFdinfo(decoder.decode(reader.readFile(pid, `fdinfo/${name}`))).access;
      } catch { /* closed meanwhile */ }
      const list = found.get(link.inode) ?? [];
      list.push({ pid, comm, fd: Number(name), access });
      found.set(link.inode, list);
    }
  }
  return found;
}
