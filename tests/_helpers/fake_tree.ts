import { statLine } from "./stat_line.ts";

/** One process of a procfs tree written for a test. */
export interface FakeProcess {
  pid: number;
  ppid: number;
  comm?: string;
  /** `cmdline` text; NULs separate arguments. */
  cmdline?: string;
}

/**
 * Writes a procfs tree under `dir`: `<pid>/stat` and `<pid>/cmdline` per process.
 * Host facts are left out: procpath takes them from the machine running it.
 */
export function writeFakeTree(dir: string, processes: Iterable<FakeProcess>): void {
  for (const process of processes) {
    const base = `${dir}/${process.pid}`;
    Deno.mkdirSync(base, { recursive: true });
    const comm = process.comm ?? `p${process.pid}`;
    Deno.writeTextFileSync(
      `${base}/stat`,
      statLine({ pid: process.pid, ppid: process.ppid, comm }),
    );
    Deno.writeTextFileSync(`${base}/cmdline`, process.cmdline ?? `${comm}\0`);
  }
}

/** A chain 1 → 2 → … → `depth`: each process the parent of the next. */
export function* chain(depth: number): Generator<FakeProcess> {
  for (let pid = 1; pid <= depth; pid++) yield { pid, ppid: pid - 1 };
}
