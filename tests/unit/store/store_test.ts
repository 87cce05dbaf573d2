import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { PROC_FILE_NAMES, PROC_FILES } from "../../../src/procfs/mod.ts";
import type { ProcFileName } from "../../../src/procfs/mod.ts";
import {
  columnsFor,
  createRecordTableSql,
  flattenNodes,
  openStore,
  SqlError,
  toSqlValue,
} from "../../../src/store/mod.ts";

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
