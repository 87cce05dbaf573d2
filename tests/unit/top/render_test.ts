import { assertEquals } from "../../_helpers/assert.ts";
import {
  batchBlock,
  compareBy,
  countLine,
  frameRows,
  headerLine,
  orderRows,
  parentPids,
  parseTopColumns,
  rowText,
  totalCpu,
} from "../../../src/top/render.ts";
import { rates } from "./_rates.ts";

Deno.test("top's batch block closes with a total line of the summed columns", () => {
  const row = (pid: number, cpu: number, rss: number) =>
    rates(pid, 1, `p${pid}`, {
      state: "R",
      threads: 2,
      rssMib: rss,
      userPercent: cpu,
      systemPercent: 1,
      writeRate: 1024,
      memPercent: 0.5,
    });
  const block = batchBlock("heading", [row(10, 20, 1.5), row(11, 30, 2.5)], { sort: "pid" });
  assertEquals(
    block.split("\n")[4],
    "  TOTAL   50.0    2.0   52.0       4.0    4        -     2.0K 2 processes",
  );
  // one process needs no total
  assertEquals(batchBlock("h", [row(10, 20, 1.5)], { sort: "pid" }).includes("TOTAL"), false);
});

Deno.test("any column sorts: figures largest first, text and IDs ascending, I the other way", () => {
  const list = [
    rates(3, 1, "c", { userPercent: 5, user: "bob" }),
    rates(1, 0, "a", { userPercent: 50, user: "root" }),
    rates(2, 1, "b", { userPercent: 5, user: "alice" }),
  ];
  const pids = (sort: string, invert = false) =>
    [...list].sort(compareBy(sort, invert)).map((r) => r.pid).join();
  assertEquals(pids("cpu"), "1,2,3"); // ties by PID
  assertEquals(pids("cpu", true), "2,3,1");
  assertEquals(pids("pid"), "1,2,3");
  assertEquals(pids("user"), "2,3,1");
  assertEquals(pids("command", true), "3,2,1");
});

Deno.test("the sorted column's header carries the marker of its direction", () => {
  const columns = parseTopColumns("pid,cpu,state");
  assertEquals(headerLine(columns, { by: "cpu" }), "    PID  CPU%▼ S   COMMAND");
  assertEquals(headerLine(columns, { by: "pid", ascii: true }), "   PID^   CPU% S   COMMAND");
  assertEquals(headerLine(columns, { by: "state" }), "    PID   CPU% S▲  COMMAND");
  assertEquals(headerLine(columns, { by: "command", invert: true }), "    PID   CPU% S   COMMAND▼");
});

Deno.test("the tree folds a collapsed subtree into its row and a filter keeps ancestors", () => {
  const list = [
    rates(1, 0, "init"),
    rates(10, 1, "nginx: master"),
    rates(11, 10, "nginx: worker"),
    rates(12, 10, "nginx: worker"),
    rates(20, 1, "sshd"),
  ];
  const lines = (options: Parameters<typeof orderRows>[1]) =>
    orderRows(list, options).map((row) => rowText(row, parseTopColumns("pid")));
  assertEquals(lines({ tree: true, sort: "pid", collapsed: new Set([10]) }), [
    "      1 init",
    "     10 ├─ [+2] nginx: master",
    "     20 └─ sshd",
  ]);
  const filtered = orderRows(list, { tree: true, sort: "pid", filter: "WORKER" });
  assertEquals(filtered.map((r) => [r.rates.pid, r.context ?? false]), [
    [1, true],
    [10, true],
    [11, false],
    [12, false],
  ]);
  // the table keeps the matches alone
  assertEquals(orderRows(list, { tree: false, sort: "pid", filter: "sshd" }).length, 1);
});

Deno.test("a deep tree keeps its innermost branches behind … so the command shows", () => {
  const row = { rates: rates(5, 4, "deep"), prefix: "   ".repeat(10) + "└─ ", folded: 0 };
  assertEquals(rowText(row, parseTopColumns("pid"), 6), "      5 …  └─ deep");
  assertEquals(rowText(row, parseTopColumns("pid")).endsWith("   └─ deep"), true);
});

Deno.test("frameRows: the table sorted, or the tree with branches, cut to the width", async () => {
  const { frameRows } = await import("../../../src/top/render.ts");
  const list = [
    rates(1, 0, "init", { userPercent: 1 }),
    rates(2, 1, "busy worker", { userPercent: 50 }),
    rates(3, 1, "idle"),
  ];
  const columns = parseTopColumns("pid,cpu");
  assertEquals(frameRows(list, { tree: false, sort: "cpu", columns }), [
    "      2   50.0 busy worker",
    "      1    1.0 init",
    "      3    0.0 idle",
  ]);
  assertEquals(frameRows(list, { tree: true, sort: "pid", columns, width: 22, ascii: true }), [
    "      1    1.0 init",
    "      2   50.0 |- bus…",
    "      3    0.0 `- idle",
  ]);
});

Deno.test("thread target: the total counts each process's memory and threads once, and says threads of processes", () => {
  // process 10 with threads 11 and 12 (each row repeats its process's RSS and thread count), process 20 alone
  const task = (pid: number, cpu: number) =>
    rates(pid, 1, "p", { threads: pid < 20 ? 3 : 1, rssMib: pid < 20 ? 8 : 2, userPercent: cpu });
  const processOf = new Map([[10, 10], [11, 10], [12, 10], [20, 20]]);
  const rows = [task(10, 1), task(11, 2), task(12, 3), task(20, 4)];
  const block = batchBlock("h", rows, { sort: "pid", processOf }).split("\n");
  assertEquals(
    block.at(-3),
    "  TOTAL   10.0    0.0   10.0      10.0    4        -        - 4 threads of 2 processes",
  );
  assertEquals(countLine(rows, processOf), "4 threads of 2 processes");
  assertEquals(countLine(rows.slice(0, 1)), "1 process");
  assertEquals(countLine(rows.slice(0, 1), processOf), "1 thread of 1 process");
});

Deno.test("the status CPU splits exited children from the rows' sum where it shows", () => {
  assertEquals(totalCpu([rates(1, 0, "a", { userPercent: 3 })]), "CPU 3.0% incl. exited");
  assertEquals(
    totalCpu([rates(1, 0, "a", { userPercent: 3, reapedPercent: 96.5 })]),
    "CPU 99.5% incl. exited: 3.0% rows + 96.5% exited children",
  );
});

Deno.test("a command or text cell with control characters stays one row, escaped before it is cut", () => {
  const row = {
    rates: rates(7, 1, "sh -c 'a\nb'\t\x1b[2J", { user: "x\ny" }),
    prefix: "",
    folded: 0,
  };
  const columns = parseTopColumns("pid,user");
  assertEquals(rowText(row, columns), "      7 x\\x0ay    sh -c 'a\\x0ab'\\x09\\x1b[2J");
  const [line] = frameRows([row.rates], { tree: false, sort: "pid", columns, width: 30 });
  assertEquals(line, "      7 x\\x0ay    sh -c 'a\\x0…");
});

Deno.test("thread target: the tree nests a process's threads under it, beside its children", () => {
  // process 10 (thread 11) under 1; its child 20; a thread's ppid is its process's parent's
  const rows = [rates(10, 1, "a"), rates(11, 1, "a"), rates(20, 10, "b"), rates(1, 0, "init")];
  const processOf = new Map([[1, 1], [10, 10], [11, 10], [20, 20]]);
  const tree = orderRows(rows, { tree: true, sort: "pid", processOf });
  assertEquals(tree.map((r) => `${r.prefix}${r.rates.pid}`), [
    "1",
    "└─ 10",
    "   ├─ 11",
    "   └─ 20",
  ]);
  assertEquals([...parentPids(rows, processOf)].sort(), [1, 10]);
});
