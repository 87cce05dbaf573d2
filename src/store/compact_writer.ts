/**
 * Writes samples into the compact layout (`compact_schema.ts`): a process whose values
 * are those of its previous sample keeps its state, a sample whose states are the
 * previous sample's keeps its layout, and a layout is stored as runs of consecutive
 * states, so an idle process costs nothing after its first sample and a changed one
 * about its state's row.
 *
 * @module
 */
import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { StateColumn } from "./compact_schema.ts";
import { inTransaction } from "./_connect.ts";

/** A value as bound to or read from SQLite (integers as bigint when read back). */
export type StoredValue = number | bigint | string | Uint8Array | null;

/** Bound parameters per statement: well under SQLite's default limit of 32766. */
const BIND_LIMIT = 2000;

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Appends samples to a compact recording. */
export interface CompactWriter {
  /**
   * Stores one sample's rows (values in column order) at `ts` (unix seconds, stored as
   * given) in one transaction; returns the row count. The first row's `record_id` is
   * `firstRecordId` when given (a converted recording keeps its ids), else the one after
   * the last sample's. On a failure nothing of the sample is stored and the writer stays
   * as before it.
   */
  insertSnapshot(
    ts: StoredValue,
    rows: readonly (readonly StoredValue[])[],
    firstRecordId?: number,
  ): number;
}

/** A process's last stored state. */
interface Kept {
  id: number;
  row: readonly StoredValue[];
}

/** True when two stored values are the same value of the same kind. */
function sameValue(a: StoredValue, b: StoredValue): boolean {
  if (a === b) return true;
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
    return false;
  }
  return a.every((byte, i) => byte === b[i]);
}

/** A run of consecutive states: `count` of them from `first`, at `position` in the sample. */
interface Run {
  position: number;
  first: number;
  count: number;
}

/** Cuts a sample's list of states into runs of consecutive ids. */
export function runsOf(ids: readonly number[]): Run[] {
  const runs: Run[] = [];
  let run: Run | null = null;
  ids.forEach((id, position) => {
    if (run !== null && id === run.first + run.count) run.count++;
    else runs.push(run = { position, first: id, count: 1 });
  });
  return runs;
}

function sameRow(a: readonly StoredValue[], b: readonly StoredValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * Returns a writer into the compact tables of `db` (created already) for `columns`;
 * `keyColumn` is the index of the column that tells processes apart (`stat_pid`), or
 * -1 to match them by position. Appending to a recording carries on from its last
 * sample: its ids, and its processes' states for the next sample to reuse.
 */
export function openCompactWriter(
  db: DatabaseSync,
  columns: readonly StateColumn[],
  keyColumn: number,
): CompactWriter {
  const keyOf = (row: readonly StoredValue[], at: number): unknown =>
    keyColumn < 0 ? at : row[keyColumn];
  const next = db.prepare(
    "SELECT (SELECT COALESCE(MAX(state_id), 0) FROM record_state) state, " +
      "(SELECT COALESCE(MAX(layout_id), 0) FROM record_run) layout, " +
      "(SELECT COUNT(*) FROM record_ordinal) ordinals",
  ).get() as { state: number; layout: number; ordinals: number };
  let nextState = Number(next.state) + 1;
  let nextLayout = Number(next.layout) + 1;
  let ordinals = Number(next.ordinals);
  let nextRecord = 1;
  let lastLayout: { id: number; key: string } | null = null;
  let kept = new Map<unknown, Kept>();
  const last = db.prepare(
    "SELECT first_record_id first, layout_id id FROM record_sample ORDER BY sample_id DESC LIMIT 1",
  ).get() as { first: number; id: number } | undefined;
  if (last !== undefined) {
    const runs = db.prepare(
      "SELECT first_state, count FROM record_run WHERE layout_id = ? ORDER BY position",
    ).all(last.id) as { first_state: number; count: number }[];
    const ids = runs.flatMap((run) =>
      Array.from({ length: Number(run.count) }, (_, n) => Number(run.first_state) + n)
    );
    nextRecord = Number(last.first) + ids.length;
    lastLayout = { id: Number(last.id), key: ids.join(",") };
    const read = db.prepare(
      `SELECT state_id, ${columns.map((c) => c.name).join(", ")} FROM record_state ` +
        "WHERE state_id BETWEEN ? AND ?",
    );
    read.setReadBigInts(true);
    (read as unknown as { setReturnArrays(on: boolean): void }).setReturnArrays(true);
    // as a flattened sample holds them: integers as numbers where exact
    const asFlattened = (value: StoredValue) =>
      typeof value === "bigint" && value >= -MAX_EXACT && value <= MAX_EXACT
        ? Number(value)
        : value;
    const byId = new Map<number, StoredValue[]>();
    for (const run of runs) {
      const from = Number(run.first_state), to = from + Number(run.count) - 1;
      for (const values of read.all(from, to) as unknown as StoredValue[][]) {
        byId.set(Number(values[0]), values.slice(1).map(asFlattened));
      }
    }
    ids.forEach((id, at) => {
      const row = byId.get(id);
      if (row !== undefined) kept.set(keyOf(row, at), { id, row });
    });
  }

  const width = columns.length + 1;
  const names = ["state_id", ...columns.map((c) => c.name)].join(", ");
  const tuple = `(?${", ?".repeat(columns.length)})`;
  const batch = Math.max(1, Math.floor(BIND_LIMIT / width));
  const insertStates = (count: number) =>
    db.prepare(`INSERT INTO record_state (${names}) VALUES ${Array(count).fill(tuple).join(", ")}`);
  const insertBatch = insertStates(batch);
  const insertOne = insertStates(1);
  const insertRun = db.prepare(
    "INSERT INTO record_run (layout_id, position, first_state, count) VALUES (?, ?, ?, ?)",
  );
  const insertOrdinals = db.prepare(
    "WITH RECURSIVE c(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM c WHERE n + 1 < ?) " +
      "INSERT INTO record_ordinal (n) SELECT n FROM c",
  );
  const insertSample = db.prepare(
    "INSERT INTO record_sample (ts, first_record_id, layout_id) VALUES (?, ?, ?)",
  );

  return {
    insertSnapshot(ts, rows, firstRecordId) {
      if (rows.length === 0) return 0;
      const first = firstRecordId ?? nextRecord;
      const now = new Map<unknown, Kept>();
      const ids: number[] = new Array(rows.length);
      const fresh: { id: number; row: readonly StoredValue[] }[] = [];
      let stateId = nextState;
      rows.forEach((row, at) => {
        const key = keyOf(row, at);
        const before = kept.get(key);
        let id: number;
        // the very row of the previous sample (a process the reader found unchanged)
        if (before !== undefined && before.row === row) {
          ids[at] = before.id;
          now.set(key, before);
          return;
        }
        if (before !== undefined && sameRow(before.row, row)) id = before.id;
        else fresh.push({ id: id = stateId++, row });
        ids[at] = id;
        now.set(key, { id, row });
      });
      const key = ids.join(",");
      const layoutId = key === lastLayout?.key ? lastLayout.id : nextLayout;
      const runs = layoutId === nextLayout ? runsOf(ids) : [];
      const longest = runs.reduce((most, run) => Math.max(most, run.count), ordinals);
      inTransaction(db, () => {
        let at = 0;
        const values: SQLInputValue[] = new Array(batch * width);
        for (; at + batch <= fresh.length; at += batch) {
          for (let r = 0; r < batch; r++) {
            const { id, row } = fresh[at + r]!;
            values[r * width] = id;
            for (let c = 0; c < columns.length; c++) values[r * width + 1 + c] = row[c]!;
          }
          insertBatch.run(...values);
        }
        for (; at < fresh.length; at++) insertOne.run(fresh[at]!.id, ...fresh[at]!.row);
        if (longest > ordinals) insertOrdinals.run(ordinals, longest);
        for (const run of runs) insertRun.run(layoutId, run.position, run.first, run.count);
        insertSample.run(ts, first, layoutId);
      });
      // only a committed sample moves the writer on
      nextState = stateId;
      if (layoutId === nextLayout) nextLayout++;
      lastLayout = { id: layoutId, key };
      nextRecord = first + rows.length;
      ordinals = longest;
      kept = now;
      return rows.length;
    },
  };
}
