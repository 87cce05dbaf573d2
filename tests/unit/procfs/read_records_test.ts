import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { classifyReadError, readDetails, readStats } from "../../../src/procfs/mod.ts";
import type { ReadWarning } from "../../../src/procfs/mod.ts";
import { readForest } from "../../../src/tree/mod.ts";
import { fakeReader } from "../../_helpers/fake_reader.ts";
import { statLine } from "../../_helpers/stat_line.ts";

const denied = () => new Deno.errors.PermissionDenied("Permission denied (os error 13)");

Deno.test("readStats() skips a pid whose stat disappears", () => {
  const reader = fakeReader({ 1: { stat: statLine({ pid: 1, comm: "init", ppid: 0 }) }, 2: {} });
  assertEquals(readStats(reader, [1, 2]).map((r) => r.stat.pid), [1]);
});

Deno.test("readStats() lets Deno's NotCapable through", () => {
  const reader = fakeReader({ 1: { stat: new Deno.errors.NotCapable("Requires all access") } });
  assertThrows(() => readStats(reader, [1]), Deno.errors.NotCapable);
});

Deno.test("readDetails() stores empty io for a denied file and warns once", () => {
  const reader = fakeReader({
    7: { stat: statLine({ pid: 7, comm: "x", ppid: 1 }), io: denied() },
  });
  const warnings: ReadWarning[] = [];
  const [record] = readDetails(reader, readStats(reader, [7]), {
    files: ["stat", "io"],
    warn: (w) => warnings.push(w),
  });
  assertEquals(record.io, {
    rchar: null,
    wchar: null,
    syscr: null,
    syscw: null,
    read_bytes: null,
    write_bytes: null,
    cancelled_write_bytes: null,
  });
  assertEquals(warnings, [{ pid: 7, file: "io", reason: "permission denied" }]);
});

Deno.test("readDetails() stores empty values for unparsable files and zero fds when denied", () => {
  const reader = fakeReader({
    7: { stat: statLine({ pid: 7, comm: "x", ppid: 1 }), status: "nonsense", fd: denied() },
  });
  const warnings: ReadWarning[] = [];
  const [record] = readDetails(reader, readStats(reader, [7]), {
    files: ["status", "fd"],
    warn: (w) => warnings.push(w),
  });
  assertEquals(record.status?.name, null);
  assertEquals(record.fd, { anon: 0, dir: 0, chr: 0, blk: 0, reg: 0, fifo: 0, lnk: 0, sock: 0 });
  assertEquals(warnings.map((w) => w.file), ["status", "fd"]);
});

Deno.test("readDetails() drops a process that vanishes between stat and io", () => {
  const files: Record<number, Record<string, string>> = {
    7: { stat: statLine({ pid: 7, comm: "x", ppid: 1 }), cmdline: "x\0" },
    8: { stat: statLine({ pid: 8, comm: "y", ppid: 1 }), cmdline: "y\0" },
  };
  const reader = fakeReader(files, {
    onRead: (pid, name) => {
      if (pid === 7 && name === "cmdline") delete files[7].stat; // exits mid-read
    },
  });
  const records = readStats(reader, [7, 8]);
  delete files[7].cmdline;
  const alive = readDetails(reader, records, { files: ["cmdline"], warn: () => {} });
  assertEquals(alive.map((r) => [r.stat.pid, r.cmdline]), [[8, "y"]]);
});

Deno.test("readDetails() keeps a process with stat but no other files, silently", () => {
  const reader = fakeReader({ 9: { stat: statLine({ pid: 9, comm: "z", ppid: 1 }) } });
  const warnings: ReadWarning[] = [];
  const [record] = readDetails(reader, readStats(reader, [9]), {
    files: ["cmdline", "io"],
    warn: (w) => warnings.push(w),
  });
  assertEquals([record.cmdline, record.io?.rchar, warnings.length], [null, null, 0]);
});

Deno.test("readForest() reads detail files only for the kept branch", () => {
  const reads: string[] = [];
  const line = (pid: number, ppid: number) => statLine({ pid, comm: `p${pid}`, ppid });
  const reader = fakeReader({
    1: { stat: line(1, 0), cmdline: "init" },
    10: { stat: line(10, 1), cmdline: "a" },
    11: { stat: line(11, 10), cmdline: "b" },
    20: { stat: line(20, 1), cmdline: "c" },
  }, { onRead: (pid, name) => reads.push(`${pid}/${name}`) });
  const roots = readForest(reader, {
    files: ["stat", "cmdline"],
    branchPids: [10],
    warn: () => {},
  });
  assertEquals(roots[0].stat.pid, 1);
  assertEquals(roots[0].children?.map((c) => c.stat.pid), [10]);
  assertEquals(reads.filter((r) => r.endsWith("cmdline")).sort(), [
    "1/cmdline",
    "10/cmdline",
    "11/cmdline",
  ]);
});

Deno.test("classifyReadError() tells vanished, denied and fatal apart, ESRCH included", () => {
  assertEquals(classifyReadError(new Deno.errors.NotFound("x")), "vanished");
  assertEquals(classifyReadError(new Error("No such process (os error 3)")), "vanished");
  assertEquals(classifyReadError(new Deno.errors.PermissionDenied("x")), "denied");
  assertEquals(classifyReadError(new Deno.errors.NotCapable("x")), "fatal");
});
