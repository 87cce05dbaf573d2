import { PROC_FILE_NAMES, PROC_FILES } from "../procfs/mod.ts";
import type { ProcFileName, ReadWarning } from "../procfs/mod.ts";
import { keysNamed, keysRead } from "../query/mod.ts";
import { nearestWord } from "../text/nearest_word.ts";
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
      const { file, reason } = group[0]!;
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

/** Keys a process node has besides its procfiles' fields. */
const NODE_KEYS = ["children"];

/**
 * Returns one warning per key the query names that no procfile has (`$..chilren`,
 * `@.stat.pdi`), with the nearest valid name: such a query runs and matches nothing,
 * and a typo should not pass for an empty result.
 */
export function unknownKeyWarnings(query: CompiledQuery): string[] {
  const fieldsOf = (file: ProcFileName) => PROC_FILES[file].fields?.map((f) => f.name) ?? [];
  // a key named from a node may be any field too: `$..pid` reaches stat.pid
  const anywhere = [
    ...NODE_KEYS,
    ...PROC_FILE_NAMES,
    ...PROC_FILE_NAMES.flatMap((file) => fieldsOf(file).map((field) => `${file}.${field}`)),
  ];
  const warnings: string[] = [];
  for (const { parent, key } of keysNamed(query)) {
    let candidates: string[];
    if (parent === null) {
      if (anywhere.some((name) => name === key || name.endsWith(`.${key}`))) continue;
      candidates = anywhere;
    } else if ((PROC_FILE_NAMES as readonly string[]).includes(parent)) {
      const fields = fieldsOf(parent as ProcFileName);
      if (fields.length === 0 || fields.includes(key)) continue;
      candidates = fields.map((field) => `${parent}.${field}`);
    } else continue;
    const best = nearestWord(key, candidates, (c) => c.slice(c.lastIndexOf(".") + 1));
    const hint = best ? `; did you mean ${best}?` : "";
    warnings.push(
      parent === null
        ? `The query names "${key}", a key no process has, so nothing matches there${hint}`
        : `The query names "${parent}.${key}", but ${parent} has no field "${key}", ` +
          `so nothing matches there${hint}`,
    );
  }
  return warnings;
}

/**
 * Returns what to say once about a query before it runs: keys no procfile has, and
 * procfiles it reads that `-f` leaves out.
 */
export function queryWarnings(query: CompiledQuery, files: readonly ProcFileName[]): string[] {
  const unread = unreadProcfiles(query, files);
  return [
    ...unknownKeyWarnings(query),
    ...(unread.length > 0 ? [unreadProcfilesWarning(unread, files)] : []),
  ];
}
