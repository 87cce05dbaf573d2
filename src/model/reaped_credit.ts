/**
 * The rule that credits what a reaper reaped in an interval (the rise of its
 * cutime + cstime beyond what its vanished children had shown: their CPU after their
 * last sample, or all of it for children no sample saw) to the exits that explain it.
 * Shared by the live summary (`record/summary.ts`) and the reports (`report/run_model.ts`),
 * which only choose which exits are an interval's and how they name programs.
 *
 * The rule, in ticks (`clockTicks` a second): each exit whose zombie was read explains
 * its own CPU since its last sample; what is left goes to the one exit without that
 * figure, or to the program all such exits ran (where every exit had its figure, the
 * same way among them all: a taskstats figure misses the exit's teardown, which its
 * reaper reaps); when they ran different programs it is
 * not known how it split (the zombie was reaped before it could be read) and it goes to
 * a label (`EXITED_BETWEEN`, `AFTER_LAST`) naming the programs, never split by a guess
 * (a split by lifetime gave an idle `sleep` most of a 400 MiB fault-in's CPU). What no
 * exit can explain is handed back for the caller to name (`children of PROGRAM`).
 *
 * A zombie's figure is credited in the interval its exit is taken in, but its reaper
 * may reap it only in a later one (it sleeps before `wait()`, or the reaping fell
 * between the reads of the reaper and of the child): that later growth of the reaper's
 * `cutime` is the same CPU again. The part of the figures a reaper had not yet reaped
 * is carried (`creditInterval`, by the reaper's PID and start time, so a reused PID
 * inherits none) and taken from what it reaps next until used up (what that reaping holds
beyond them, with no exit without a figure there, is those exits' teardown); what is left when
 * the reaper is gone the kernel never reaped there, and is dropped.
 *
 * @module
 */

/**
 * The program of CPU that sampled processes of several programs used between their last
 * sample and their exit, which their parent's counters hold without saying whose. Not
 * "processes no sample saw": most were sampled; only their last moments are not split.
 */
export const EXITED_BETWEEN = "(exited, not split)";
/** The program of CPU used after the last sample by processes not told apart. */
export const AFTER_LAST = "(after the last sample)";
/** One line saying what an `EXITED_BETWEEN` row holds, for under a list that shows one. */
export const EXITED_BETWEEN_LEGEND = "exited, not split: CPU these programs used between their " +
  "last sample and their exit; the kernel gives it to the parent without saying which process " +
  "used it";
/** One line saying what an `AFTER_LAST` row holds, for under a list that shows one. */
export const AFTER_LAST_LEGEND = "after the last sample: CPU the kernel counted once the " +
  "samples had ended, of processes (these programs', where named) it does not tell apart";

/** The program of CPU a reaper reaped that no exit explains: `children of PROGRAM`. */
export const CHILDREN_OF = "children of ";
/**
 * One line saying what a `children of PROGRAM` row holds: without it, it reads as the
 * reaper's whole subtree and its programs' CPU looks counted twice.
 */
export function childrenOfLegend(row: string): string {
  const reaper = row.slice(CHILDREN_OF.length).replace(/, unrecorded$/, "");
  return `${row}: CPU ${reaper} reaped from processes no exit event named ` +
    "(not counted in the programs above)";
}

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
  /** The rest, to the one exit without a figure (or the one exit, all having figures). */
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
   * Ticks reaped that no exit can have used (there was none), for the caller to name;
   * 0 when there were exits.
   */
  unexplained: number;
  /**
   * Ticks of figures credited (here or carried in) that the reaper has not reaped
   * yet: to take from what it reaps in later intervals; 0 when it reaped them all.
   */
  carry: number;
}

/**
 * Returns how `reapedTicks`, what one reaper reaped in an interval (ticks, ≥ 0), is
 * credited to `exits`, the processes it reaped in it (directly, or through children of
 * its that exited too: `groupByReaper`), as the module's rule says; a rest ≤ 0 is
 * credited to no one. `label` names CPU of several programs (`AFTER_LAST` for what the
 * kernel counted after the last sample). `carried`: ticks of figures credited in
 * earlier intervals that this reaper had not reaped then (the last share's `carry`),
 * taken from `reapedTicks` first.
 */
export function creditReaped<P>(
  reapedTicks: number,
  exits: readonly ReapedExit<P>[],
  label: string = EXITED_BETWEEN,
  carried = 0,
  carriedExits: readonly ReapedExit<P>[] = [],
): ReapedShare<P> {
  const credits: ReapedCredit<P>[] = [];
  const unread: ReapedExit<P>[] = [];
  let rest = reapedTicks - Math.max(0, carried);
  for (const exit of exits) {
    if (exit.zombieTicks === null) {
      unread.push(exit);
      continue;
    }
    const ticks = Math.max(0, exit.zombieTicks - exit.sampledTicks);
    credits.push({ kind: "own", exit, ticks });
    rest -= ticks;
  }
  // figures beyond what was reaped are reaped later: that reaping is theirs already
  if (rest <= 0) return { credits, unexplained: 0, carry: -rest };
  // every exit had its figure: a taskstats figure is sent before the process's memory
  // is freed, so its reaper reaps that teardown beyond it (with the carry, when it reaps
  // them only now); it is these exits' as an unread exit's rest would be
  const takers = unread.length > 0 ? unread : [...carriedExits, ...exits];
  if (takers.length === 0) return { credits, unexplained: rest, carry: 0 };
  const programs = [...new Set(takers.map((e) => e.program))];
  if (takers.length === 1) credits.push({ kind: "exit", exit: takers[0]!, ticks: rest });
  else if (programs.length === 1) {
    credits.push({ kind: "program", program: programs[0]!, exits: takers, ticks: rest });
  } else credits.push({ kind: "label", label, programs, exits: takers, ticks: rest });
  return { credits, unexplained: 0, carry: 0 };
}

/**
 * Figures credited before their reaper reaped them, by the reaper's PID: its start
 * time (`stat.starttime`, clock ticks after boot), the ticks not yet reaped and the
 * exits whose figures they are (what it reaps beyond them is theirs: their teardown).
 */
export type ReapedCarry<P = unknown> = ReadonlyMap<
  number,
  { starttime: number; ticks: number; exits: readonly ReapedExit<P>[] }
>;

/** One interval's credits, by reaper PID, and the carry to hand the next interval. */
export interface IntervalCredits<P> {
  /** The reapers that reaped first, in `reapedBy`'s order, then those with exits only. */
  shares: Map<number, ReapedShare<P>>;
  carry: ReapedCarry<P>;
}

/**
 * Returns how one interval's reaping is credited: `creditReaped` for each reaper of
 * `reapedBy` (ticks reaped, by PID) and `exitsBy` (its exits, by PID: `groupByReaper`),
 * each taking first what `carry` (the previous interval's) holds for it. `startOf`
 * tells a reaper's start time at the interval's end (`undefined` when it is gone): a
 * carry is taken, and kept, only by the process it was made for.
 */
export function creditInterval<P>(
  reapedBy: ReadonlyMap<number, number>,
  exitsBy: ReadonlyMap<number, readonly ReapedExit<P>[]>,
  startOf: (pid: number) => number | undefined,
  carry: ReapedCarry<P> = new Map(),
  label: string = EXITED_BETWEEN,
): IntervalCredits<P> {
  const shares = new Map<number, ReapedShare<P>>();
  const next = new Map<
    number,
    { starttime: number; ticks: number; exits: readonly ReapedExit<P>[] }
  >();
  for (const reaper of new Set([...reapedBy.keys(), ...exitsBy.keys()])) {
    const start = startOf(reaper);
    const held = carry.get(reaper);
    const mine = held !== undefined && held.starttime === start ? held : undefined;
    const reaped = reapedBy.get(reaper) ?? 0;
    const exits = exitsBy.get(reaper) ?? [];
    const share = creditReaped(reaped, exits, label, mine?.ticks ?? 0, mine?.exits ?? []);
    shares.set(reaper, share);
    // a reaper no longer there reaps nothing more: what it did not reap is dropped
    if (share.carry > 0 && start !== undefined) {
      // the old carry's exits stay while some of it is not reaped
      const still = mine !== undefined && reaped < mine.ticks ? mine.exits : [];
      const figured = exits.filter((e) => e.zombieTicks !== null);
      next.set(reaper, { starttime: start, ticks: share.carry, exits: [...still, ...figured] });
    }
  }
  // a reaper that neither reaped nor had exits here keeps its carry while it lives
  for (const [reaper, held] of carry) {
    if (!shares.has(reaper) && startOf(reaper) === held.starttime) next.set(reaper, held);
  }
  return { shares, carry: next };
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
