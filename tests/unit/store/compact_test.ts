import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { simulate } from "../../_helpers/process_simulation.ts";
import {
  BUILTIN_QUERIES,
  columnsFor,
  openRecording,
  openStore,
  SchemaMismatchError,
} from "../../../src/store/mod.ts";
import type { Row } from "../../../src/store/mod.ts";
import { copyRecording } from "../../../src/store/compact_copy.ts";
import { runsOf } from "../../../src/store/compact_writer.ts";
import {
  readLastRecordId,
  readRecordLayout,
  readSampleTimes,
} from "../../../src/store/compact_schema.ts";
import { withTempDirSync } from "../../_helpers/temp_dir.ts";

const COLUMNS = columnsFor(["stat", "cmdline"]);
const META = { procfile_list: '["stat", "cmdline"]', clock_ticks: "100", page_size: "4096" };

/** A row of COLUMNS with the given fields, the rest zero (text columns: "S"). */
function row(fields: Record<string, number | bigint | string | null>): Row {
  return COLUMNS.map((c) => c.name in fields ? fields[c.name]! : c.sqlType === "TEXT" ? "S" : 0);
}

/** Every row of `sql` with integers as bigint and reals as numbers: storage classes kept. */
export function dump(path: string, sql: string): unknown[][] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const statement = db.prepare(sql);
    statement.setReadBigInts(true);
    return (statement.all() as Record<string, unknown>[]).map((r) => Object.values(r));
  } finally {
    db.close();
  }
}

/** A churning tree with PIDs reused: 120 samples of the process simulation, as rows. */
function churningSamples(): { ts: number; rows: Row[] }[] {
  const { samples } = simulate({ seed: 7, ticks: 6000, every: 50, maxPid: 40 });
  return samples.map(({ tick, processes }) => ({
    ts: 1_700_000_000 + tick / 100 + 0.123456,
    rows: processes.map((p) =>
      row({
        stat_pid: p.pid,
        stat_ppid: p.ppid,
        stat_comm: p.comm,
        stat_utime: p.utime,
        stat_stime: p.stime,
        stat_cutime: p.cutime,
        stat_cstime: p.cstime,
        stat_starttime: p.starttime,
        stat_rss: 1000 + (p.pid % 7),
        cmdline: p.pid % 5 === 0 ? null : `/bin/${p.comm} --flag`,
        stat_vsize: p.pid === 3 ? "0xffffffffffffffff" : p.pid === 4 ? 9223372036854775807n : 4096,
      })
    ),
  }));
}

function write(path: string, compact: boolean, samples: { ts: number; rows: Row[] }[]) {
  const store = openStore(path, { columns: COLUMNS, meta: META, compact });
  for (const { ts, rows } of samples) store.insertSnapshot(ts, rows);
  store.close();
}

Deno.test("a compact recording's record view has the plain table's rows, ids, values and order, with PIDs reused", () => {
  withTempDirSync((dir) => {
    const samples = churningSamples();
    const reused = new Set<string>();
    const starts = new Map<number, Set<number>>();
    for (const { rows } of samples) {
      for (const r of rows) {
        const pid = Number(r[COLUMNS.findIndex((c) => c.name === "stat_pid")]);
        const start = Number(r[COLUMNS.findIndex((c) => c.name === "stat_starttime")]);
        const seen = starts.get(pid) ?? new Set();
        starts.set(pid, seen.add(start));
        if (seen.size > 1) reused.add(String(pid));
      }
    }
    assertEquals(reused.size > 10, true, `${reused.size} PIDs reused`);
    write(`${dir}/plain.sqlite`, false, samples);
    write(`${dir}/compact.sqlite`, true, samples);
    for (
      const sql of [
        "SELECT * FROM record",
        "SELECT * FROM record ORDER BY stat_pid, record_id",
        "SELECT typeof(stat_vsize), stat_vsize, typeof(cmdline), typeof(ts) FROM record",
        "SELECT DISTINCT ts FROM record ORDER BY ts",
        "SELECT * FROM record WHERE ts = (SELECT MAX(ts) FROM record) ORDER BY record_id",
        "SELECT stat_pid, MAX(record_id) FROM record GROUP BY stat_pid",
      ]
    ) {
      assertEquals(dump(`${dir}/compact.sqlite`, sql), dump(`${dir}/plain.sqlite`, sql), sql);
    }
    const layouts = [`${dir}/plain.sqlite`, `${dir}/compact.sqlite`].map((path) => {
      const db = new DatabaseSync(path, { readOnly: true });
      const facts = [readRecordLayout(db), readLastRecordId(db), readSampleTimes(db)];
      db.close();
      return facts;
    });
    assertEquals(layouts[0]![0], "plain");
    assertEquals(layouts[1]![0], "compact");
    assertEquals(layouts[1]!.slice(1), layouts[0]!.slice(1));
    assertEquals((layouts[0]![2] as number[]).length, samples.length);
    const plain = openRecording(`${dir}/plain.sqlite`);
    const compact = openRecording(`${dir}/compact.sqlite`);
    for (const name of ["cpu", "cpu_total", "rss"]) {
      const query = BUILTIN_QUERIES[name]!;
      assertEquals(compact.series(query, {}), plain.series(query, {}), name);
      assertEquals(compact.series(query, { pids: [3, 4] }), plain.series(query, { pids: [3, 4] }));
    }
    assertEquals(compact.processFacts({}, true), plain.processFacts({}, true));
    plain.close();
    compact.close();
  });
});

Deno.test("an idle process costs one state for the whole recording, and an unchanged sample no layout", () => {
  withTempDirSync((dir) => {
    const rows = Array.from(
      { length: 50 },
      (_, i) => row({ stat_pid: 100 + i, cmdline: "sleep 1d" }),
    );
    const busy = (n: number) => row({ stat_pid: 99, stat_utime: n });
    write(`${dir}/idle.sqlite`, true, [
      ...Array.from({ length: 10 }, (_, i) => ({ ts: 100 + i, rows })),
      ...Array.from({ length: 5 }, (_, i) => ({ ts: 200 + i, rows: [busy(i), ...rows] })),
    ]);
    const count = (table: string) =>
      Number(dump(`${dir}/idle.sqlite`, `SELECT COUNT(*) FROM ${table}`)[0]![0]);
    assertEquals(count("record_state"), 50 + 5);
    assertEquals(count("(SELECT DISTINCT layout_id FROM record_run)"), 1 + 5);
    // the changed process's states are a run of their own beside the idle ones'
    assertEquals(count("record_run"), 1 + 5 * 2);
    assertEquals(count("record_sample"), 15);
    assertEquals(count("record"), 10 * 50 + 5 * 51);
  });
});

Deno.test("appending to a compact recording carries on its ids and its processes' states", () => {
  withTempDirSync((dir) => {
    const path = `${dir}/a.sqlite`;
    const rows = [row({ stat_pid: 1, stat_vsize: "0xffffffffffffffff" }), row({ stat_pid: 2 })];
    write(path, true, [{ ts: 1, rows }, { ts: 2, rows }]);
    write(path, true, [{ ts: 3, rows: [rows[0]!, row({ stat_pid: 3 }), rows[1]!] }]);
    assertEquals(dump(path, "SELECT record_id, ts, stat_pid FROM record"), [
      [1n, 1, 1n],
      [2n, 1, 2n],
      [3n, 2, 1n],
      [4n, 2, 2n],
      [5n, 3, 1n],
      [6n, 3, 3n],
      [7n, 3, 2n],
    ]);
    // the appended sample stored only PID 3's state
    assertEquals(dump(path, "SELECT * FROM record_run"), [
      [1n, 0n, 1n, 2n],
      [2n, 0n, 1n, 1n],
      [2n, 1n, 3n, 1n],
      [2n, 2n, 2n, 1n],
    ]);
  });
});

Deno.test("appending in the other layout is refused with one line and leaves the file as it was", () => {
  withTempDirSync((dir) => {
    for (const compact of [true, false]) {
      const path = `${dir}/${compact}.sqlite`;
      write(path, compact, [{ ts: 1, rows: [row({ stat_pid: 1 })] }]);
      const before = Deno.readFileSync(path);
      const message = `Cannot append to "${path}": it is a ${
        compact ? "compact" : "plain"
      } recording; record ${compact ? "with" : "without"} --compact, or into a new database`;
      assertThrows(
        () => openStore(path, { columns: COLUMNS, meta: META, compact: !compact, wal: true }),
        SchemaMismatchError,
      );
      assertThrows(
        () => openStore(path, { columns: COLUMNS, meta: META, compact: !compact, wal: true }),
        new RegExp(`: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
      );
      assertEquals(Deno.readFileSync(path), before);
    }
  });
});

Deno.test("copyRecording() turns plain into compact and back with every value, event and meta row", () => {
  withTempDirSync((dir) => {
    const samples = churningSamples();
    const store = openStore(`${dir}/plain.sqlite`, {
      columns: COLUMNS,
      meta: META,
      events: true,
    });
    for (const { ts, rows } of samples) store.insertSnapshot(ts, rows);
    store.insertEvents([{
      ts: 5.5,
      kind: "exit",
      pid: 9,
      ppid: 1,
      comm: "x",
      cmdline: null,
      exitCode: 0,
      exitSignal: null,
      utime: 1,
      stime: 2,
      cutime: 0,
      cstime: 0,
    }]);
    store.close();
    const there = copyRecording(`${dir}/plain.sqlite`, `${dir}/compact.sqlite`, { compact: true });
    const back = copyRecording(`${dir}/compact.sqlite`, `${dir}/back.sqlite`, { compact: false });
    const rows = samples.reduce((n, s) => n + s.rows.length, 0);
    assertEquals(there, { from: "plain", rows, samples: samples.length });
    assertEquals(back, { from: "compact", rows, samples: samples.length });
    for (
      const sql of ["SELECT * FROM record", "SELECT * FROM meta", "SELECT * FROM process_event"]
    ) {
      const plain = dump(`${dir}/plain.sqlite`, sql);
      assertEquals(dump(`${dir}/compact.sqlite`, sql), plain, sql);
      assertEquals(dump(`${dir}/back.sqlite`, sql), plain, sql);
    }
    assertEquals(
      dump(
        `${dir}/back.sqlite`,
        "SELECT name, type, pk, \"notnull\" FROM pragma_table_info('record')",
      ),
      dump(
        `${dir}/plain.sqlite`,
        "SELECT name, type, pk, \"notnull\" FROM pragma_table_info('record')",
      ),
    );
  });
});

Deno.test("runsOf() cuts a sample's states into runs of consecutive ids", () => {
  assertEquals(runsOf([1, 2, 3, 9, 10, 4]), [
    { position: 0, first: 1, count: 3 },
    { position: 3, first: 9, count: 2 },
    { position: 5, first: 4, count: 1 },
  ]);
  assertEquals(runsOf([]), []);
});
