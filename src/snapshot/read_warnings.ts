import { PROC_FILE_NAMES } from "../procfs/mod.ts";
import type { ProcFileName, ReadWarning } from "../procfs/mod.ts";
import { keysRead } from "../query/mod.ts";
import type { CompiledQuery } from "../query/mod.ts";

/** How many PIDs a summarised warning lists before "…". */
const LISTED_PIDS = 5;

/**
 * Turns the per-process read warnings of each snapshot into few lines: one per
 * procfile and reason, naming the processes (`Storing empty values for procfile io of
 * 188 processes (pids 1, 2, 7, 9, 12, …) because of permission denied`). A line is said
 * once per run; later snapshots that would repeat it are counted, and `finish()` says
 * how often.
 */
export class ReadWarnings {
  readonly #log: (message: string) => void;
  readonly #repeats = new Map<string, { text: string; count: number }>();
  #pending: ReadWarning[] = [];

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  /** The sink to hand to the reader for one snapshot. */
  readonly collect = (warning: ReadWarning): void => {
    this.#pending.push(warning);
  };

  /** Reports the warnings collected since the last call: new lines said, repeats counted. */
  flush(): void {
    const groups = new Map<string, ReadWarning[]>();
    for (const warning of this.#pending) {
      const key = `${warning.file}\0${warning.reason}`;
      const group = groups.get(key);
      if (group) group.push(warning);
      else groups.set(key, [warning]);
    }
    this.#pending = [];
    for (const [key, group] of groups) {
      const { file, reason } = group[0];
      const pids = group.map((w) => w.pid);
      const text = pids.length === 1
        ? `Storing empty values for pid ${pids[0]}, procfile ${file} because of ${reason}`
        : `Storing empty values for procfile ${file} of ${pids.length} processes (pids ${
          pids.slice(0, LISTED_PIDS).join(", ")
        }${pids.length > LISTED_PIDS ? ", …" : ""}) because of ${reason}`;
      const said = this.#repeats.get(key);
      if (said) said.count++;
      else {
        this.#repeats.set(key, { text, count: 0 });
        this.#log(text);
      }
    }
  }

  /** Says how often each line repeated without being said again. */
  finish(): void {
    for (const { text, count } of this.#repeats.values()) {
      if (count > 0) {
        this.#log(
          `The warning "${text}" repeated in ${count} later snapshot${count > 1 ? "s" : ""}`,
        );
      }
    }
  }
}

/**
 * Returns the procfiles a query reads that `-f` leaves out, so the caller can say so
 * once: a filter on `@.status.vmrss` without `status` read would match nothing, silently.
 */
export function unreadProcfiles(
  query: CompiledQuery,
  files: readonly ProcFileName[],
): ProcFileName[] {
  const keys = keysRead(query);
  return PROC_FILE_NAMES.filter((name) => keys.has(name) && !files.includes(name));
}

/** The warning for procfiles a query reads but `-f` leaves out. */
export function unreadProcfilesWarning(
  missing: readonly ProcFileName[],
  files: readonly ProcFileName[],
): string {
  return `The query reads ${missing.join(", ")}, which -f does not include, so it sees no values ` +
    `there; add -f ${[...files, ...missing].join(",")}`;
}
