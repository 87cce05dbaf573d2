import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { PROC_FILE_NAMES, PROC_FILES } from "../../../src/procfs/mod.ts";
import type { ProcFileName } from "../../../src/procfs/mod.ts";
import {
  columnsFor,
  createRecordTableSql,
  flattenNodes,
  openStore,
  RowFlattener,
  SqlError,
  toSqlValue,
} from "../../../src/store/mod.ts";
import { toPythonJson } from "../../../src/text/python_format.ts";

Deno.test("columnsFor() sorts procfiles and prefixes fields, as the reference's schema", () => {
  const names = columnsFor(["stat", "cmdline", "io"]).map((c) => `${c.name} ${c.sqlType}`);
  assertEquals(names.slice(0, 3), ["cmdline TEXT", "io_rchar INTEGER", "io_wchar INTEGER"]);
  assertEquals(names.includes("stat_comm TEXT") && names.includes("stat_rss INTEGER"), true);
  assertEquals(names.at(-1), "stat_cguest_time INTEGER");
  assertEquals(columnsFor(["status"]).find((c) => c.name === "status_uid")?.sqlType, "TEXT");
  assertEquals(columnsFor(["fd"]).map((c) => c.name), [
    "fd_anon",
    "fd_dir",
    "fd_chr",
    "fd_blk",
    "fd_reg",
    "fd_fifo",
    "fd_lnk",
    "fd_sock",
  ]);
});

Deno.test("every procfile's empty value has exactly its declared fields", () => {
  for (const name of PROC_FILE_NAMES) {
    const spec = PROC_FILES[name];
    const empty = spec.empty();
    if (spec.fields === null) assertEquals(empty, null);
    else assertEquals(Object.keys(empty as object), spec.fields.map((f) => f.name), name);
  }
});

Deno.test("createRecordTableSql() creates a table SQLite accepts for every procfile", () => {
  const store = openStore(":memory:", {
    columns: columnsFor([...PROC_FILE_NAMES] as ProcFileName[]),
    meta: { a: "1" },
  });
  assertEquals(store.query("SELECT count(*) n FROM record"), [{ n: 0n }]);
  store.close();
  assertEquals(createRecordTableSql([]).includes("record_id INTEGER PRIMARY KEY NOT NULL"), true);
});

Deno.test("toSqlValue() stores tuples as compact JSON and huge integers as hex text", () => {
  assertEquals(toSqlValue([1000, 1000n]), "[1000,1000]");
  assertEquals(toSqlValue(18446744073709551615n), "0xffffffffffffffff");
  assertEquals(toSqlValue(5n), 5n);
});

Deno.test("flattenNodes() walks depth-first, stores each pid once and reads hex back as integers", () => {
  const columns = columnsFor(["stat", "status"]);
  const child = { stat: { pid: 2, ppid: 1 }, status: { sigign: 18446744073709551615n } };
  const rows = flattenNodes([{ stat: { pid: 1 }, children: [child] }, child, 42], columns);
  assertEquals(rows.length, 2);
  const store = openStore(":memory:", { columns, meta: {} });
  assertEquals(store.insertSnapshot(1700000000.1234567, rows), 2);
  assertEquals(
    store.query("SELECT ts, stat_pid, status_sigign FROM record ORDER BY stat_pid").at(-1),
    {
      ts: 1700000000.123457,
      stat_pid: 2n,
      status_sigign: 18446744073709551615n,
    },
  );
  assertThrows(() => store.query("SELEC 1"), SqlError);
  store.close();
});

Deno.test("big integers stay exact from parsing through JSON and SQLite and back", () => {
  const huge = 18446744073709551615n; // 2^64 − 1
  const int64Max = 9223372036854775807n;
  const stat = PROC_FILES.stat.parse(new TextEncoder().encode(
    `7 (x) S 1 7 7 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 99 ${huge} 5 0\n`,
  )) as Record<string, unknown>;
  const io = PROC_FILES.io.parse(new TextEncoder().encode(
    `rchar: ${huge}\nwchar: 1\nsyscr: ${int64Max}\nsyscw: 2\nread_bytes: 3\nwrite_bytes: 4\ncancelled_write_bytes: 5\n`,
  )) as Record<string, unknown>;
  assertEquals([stat.vsize, io.rchar, io.syscr, stat.rss], [huge, huge, int64Max, 5]);
  assertEquals(toPythonJson({ vsize: stat.vsize }), `{"vsize": ${huge}}`);
  const columns = columnsFor(["stat", "io"]);
  const store = openStore(":memory:", { columns, meta: {} });
  store.insertSnapshot(1, flattenNodes([{ stat, io }], columns));
  const [row] = store.query(
    "SELECT stat_vsize, io_rchar, io_syscr, typeof(io_syscr) t, typeof(io_rchar) h FROM record",
  );
  assertEquals(row, {
    stat_vsize: huge,
    io_rchar: huge,
    io_syscr: int64Max,
    t: "integer",
    h: "text",
  });
  store.close();
});

Deno.test("RowFlattener gives a process whose values are the very ones of the last call its row again", () => {
  const columns = columnsFor(["stat", "cmdline"]);
  const names = columns.map((c) => c.name);
  const at = (name: string) => names.indexOf(name);
  const stat = (pid: number, rss: number) => ({ pid, ppid: pid === 1 ? 0 : 1, comm: "c", rss });
  const one = stat(1, 10), two = stat(2, 20);
  const flattener = new RowFlattener(columns);
  const first = flattener.flatten([{
    stat: one,
    cmdline: "init",
    children: [{ stat: two, cmdline: "b" }],
  }]);
  assertEquals(first.map((row) => [row[at("stat_pid")], row[at("stat_rss")], row[at("cmdline")]]), [
    [1, 10, "init"],
    [2, 20, "b"],
  ]);
  // PID 1 unchanged (same stat record, an equal command line), PID 2 read anew
  const changed = stat(2, 21);
  const second = flattener.flatten([
    { stat: one, cmdline: "init", children: [{ stat: changed, cmdline: "b" }] },
    { stat: changed, cmdline: "b" }, // a second occurrence: stored once
  ]);
  assertEquals(second.length, 2);
  assertEquals(second[0] === first[0], true);
  assertEquals(second[1] === first[1], false);
  assertEquals([second[1]![at("stat_pid")], second[1]![at("stat_rss")]], [2, 21]);
  // a new command line under the same stat record is a new row
  const third = flattener.flatten([{ stat: one, cmdline: "init --x" }]);
  assertEquals(third[0] === first[0], false);
  assertEquals(third[0]![at("cmdline")], "init --x");
  // a process missing from a call is forgotten: back again, it is flattened anew
  const fourth = flattener.flatten([{ stat: one, cmdline: "init --x" }, {
    stat: changed,
    cmdline: "b",
  }]);
  assertEquals(fourth[1] === second[1], false);
  assertEquals(fourth[1], second[1]);
  // the rows are flattenNodes' rows
  assertEquals(
    fourth,
    flattenNodes([{ stat: one, cmdline: "init --x" }, { stat: changed, cmdline: "b" }], columns),
  );
});
