/**
 * USER of live processes, looked up only for the rows that need it. Live, a process's
 * user is the owner of `/proc/PID` (its effective uid, as ps and htop take it): a `stat`
 * call each, ~10 ms a refresh for 3,000 processes when done for all of them. The view
 * asks for it only where it shows or uses it: the rows on screen while the USER column
 * shows, every row while the rows are sorted or filtered by user (`u`, `-s user`).
 *
 * Not cached across refreshes: a process's owner changes with `setuid` without any
 * other sign in what top reads (its start time and PID stay), and a refresh's rows are
 * new each time, so each refresh looks up afresh the (few) rows it needs.
 *
 * @module
 */
import type { ProcessRates } from "../model/rates.ts";

/** Fills in `user` of the given rows that have none (a row already carrying one is left). */
export type OwnerLookup = (rows: readonly ProcessRates[]) => void;

/**
 * The lookup of a live procfs at `procfs`: the owner's name from `userNames` (the
 * number where it has none); a process gone since its read keeps `null` (shown `-`).
 * `ownerOf` returns the uid owning a path (the `stat` call; tests count them), throws once gone.
 */
export function ownerLookup(
  procfs: string,
  userNames: ReadonlyMap<number, string> | undefined,
  ownerOf: (path: string) => number | null = (path) => Deno.statSync(path).uid,
): OwnerLookup {
  return (rows) => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (row.user !== null) continue;
      let uid: number | null;
      try {
        uid = ownerOf(`${procfs}/${row.pid}`);
      } catch {
        continue; // gone: no owner to show
      }
      if (uid !== null) row.user = userNames?.get(uid) ?? String(uid);
    }
  };
}

/** Whether `columns` show USER. */
export const showsUser = (columns: readonly { name: string }[]): boolean =>
  columns.some((c) => c.name === "user");
