/**
 * The rule that credits what a reaper reaped in an interval (the rise of its
 * cutime + cstime beyond what its vanished children had shown: their CPU after their
 * last sample, or all of it for children no sample saw) to the exits that explain it.
 * Shared by the live summary (`record/summary.ts`) and the reports (`report/run_model.ts`),
 * which only choose which exits are an interval's and how they name programs.
 *
 * The rule, in ticks (`clockTicks` a second): each exit whose zombie was read explains
 * its own CPU since its last sample; what is left goes to the one exit without that
 * figure, or to the program all such exits ran; when they ran different programs it is
 * not known how it split (the zombie was reaped before it could be read) and it goes to
 * a label (`EXITED_BETWEEN`, `AFTER_LAST`) naming the programs, never split by a guess
 * (a split by lifetime gave an idle `sleep` most of a 400 MiB fault-in's CPU). What no
 * exit can explain is handed back for the caller to name (`children of PROGRAM`).
 *
 * @module
 */

/** The program of CPU that exits used between samples, split among them in a way not known. */
export const EXITED_BETWEEN = "(exited between samples)";
/** The program of CPU used after the last sample by processes not told apart. */
export const AFTER_LAST = "(after the last sample)";

/** An exit that can explain some of what its reaper reaped; `P` is the caller's process. */
export interface ReapedExit<P> {
  /** The caller's record of the process, handed back in the credits. */
  process: P;
  /** Its program, as the caller names programs. */
  program: string;
  /** Its own CPU (utime + stime) its zombie showed, ticks; `null` when the zombie was not read. */
  zombieTicks: number | null;
  /** Its own CPU at the last sample that saw it, ticks; 0 when none did. */
  sampledTicks: number;
}

/** Ticks credited to one exit, one program or a label. */
export type ReapedCredit<P> =
  /** The exit's own figure: what its zombie showed beyond its last sample. */
  | { kind: "own"; exit: ReapedExit<P>; ticks: number }
  /** The rest, to the one exit without a figure. */
  | { kind: "exit"; exit: ReapedExit<P>; ticks: number }
  /** The rest, to the program every exit without a figure ran (`exits`: they, two or more). */
  | { kind: "program"; program: string; exits: ReapedExit<P>[]; ticks: number }
  /** The rest, used by `exits` of several `programs` (first seen first) in shares not known. */
  | { kind: "label"; label: string; programs: string[]; exits: ReapedExit<P>[]; ticks: number };

/** How one reaper's reaped CPU is credited. */
export interface ReapedShare<P> {
  /** The exits' own figures first (in the exits' order, even where nothing was reaped), then the rest's. */
  credits: ReapedCredit<P>[];
  /**
   * Ticks reaped that no exit can have used (every exit had its figure, or there was
   * none), for the caller to name; 0 when the figures explain all of it or more.
   */
  unexplained: number;
}

/**
 * Returns how `reapedTicks`, what one reaper reaped in an interval (ticks, ≥ 0), is
 * credited to `exits`, the processes it reaped in it (directly, or through children of
 * its that exited too: `groupByReaper`), as the module's rule says; a rest ≤ 0 is
 * credited to no one. `label` names CPU of several programs (`AFTER_LAST` for what the
 * kernel counted after the last sample).
 */
export function creditReaped<P>(
  reapedTicks: number,
  exits: readonly ReapedExit<P>[],
  label: string = EXITED_BETWEEN,
): ReapedShare<P> {
  const credits: ReapedCredit<P>[] = [];
  const unread: ReapedExit<P>[] = [];
  let rest = reapedTicks;
  for (const exit of exits) {
    if (exit.zombieTicks === null) {
      unread.push(exit);
      continue;
    }
    const ticks = Math.max(0, exit.zombieTicks - exit.sampledTicks);
    credits.push({ kind: "own", exit, ticks });
    rest -= ticks;
  }
  if (rest <= 0) return { credits, unexplained: 0 };
  if (unread.length === 0) return { credits, unexplained: rest };
  const programs = [...new Set(unread.map((e) => e.program))];
  if (unread.length === 1) credits.push({ kind: "exit", exit: unread[0]!, ticks: rest });
  else if (programs.length === 1) {
    credits.push({ kind: "program", program: programs[0]!, exits: unread, ticks: rest });
  } else credits.push({ kind: "label", label, programs, exits: unread, ticks: rest });
  return { credits, unexplained: 0 };
}

/**
 * Returns the exits of one interval by the PID of the process that reaped them into
 * its counters: the parent at the exit (`ppid`), or where that parent exited in the
 * interval too, the nearest such ancestor that did not (its zombie carried the child's
 * CPU up). Each list keeps the exits' order.
 */
export function groupByReaper<E extends { pid: number; ppid: number }>(
  exits: readonly E[],
): Map<number, E[]> {
  const exited = new Map(exits.map((e) => [e.pid, e]));
  const groups = new Map<number, E[]>();
  for (const exit of exits) {
    let reaper = exit.ppid;
    // a PID reused within the interval could make a loop: 64 hops is deeper than any tree
    for (let hops = 0; exited.has(reaper) && hops < 64; hops++) reaper = exited.get(reaper)!.ppid;
    const list = groups.get(reaper);
    if (list) list.push(exit);
    else groups.set(reaper, [exit]);
  }
  return groups;
}
