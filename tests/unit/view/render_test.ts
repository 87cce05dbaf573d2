import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  ColumnError,
  cutLine,
  parseColumns,
  parseSort,
  renderDelimited,
  renderTable,
  renderTree,
  tableRows,
} from "../../../src/view/mod.ts";
import type { ProcessNode } from "../../../src/tree/mod.ts";

const context = { pageSize: 4096, clockTicks: 100, bootTime: 1_700_000_000, now: 1_700_003_600 };

const node = (
  pid: number,
  comm: string,
  extra: { state?: string; rss?: number; tgid?: number; cmdline?: string } = {},
  children?: ProcessNode[],
): ProcessNode => ({
  stat: {
    pid,
    ppid: 0,
    comm,
    state: extra.state ?? "S",
    rss: extra.rss ?? 256,
    utime: 150,
    stime: 50,
    starttime: 100,
    num_threads: 1,
  } as never,
  cmdline: extra.cmdline ?? `${comm} --serve`,
  ...(extra.tgid !== undefined && { status: { tgid: extra.tgid } }),
  ...(children && { children }),
});

// comm with spaces, parentheses and non-ASCII; a zombie
const TREE = [
  node(1, "init", {}, [
    node(10, "python3 (x)", {}, [
      node(11, "Web Content", { rss: 25600 }),
      node(12, "ü", { state: "Z", cmdline: "" }),
    ]),
    node(20, "sh"),
  ]),
];

Deno.test("renderTree() draws pstree-like branches with PID, name and columns", () => {
  // with columns: a header, and the columns aligned whatever the depth, as ps axjf
  assertEquals(renderTree(TREE, { columns: parseColumns("state,rss"), context }), [
    "PROCESS               S  RSS_MIB",
    "1 init                S      1.0",
    "├─ 10 python3 (x)     S      1.0",
    "│  ├─ 11 Web Content  S    100.0",
    "│  └─ 12 ü            Z      1.0",
    "└─ 20 sh              S      1.0",
  ]);
  assertEquals(renderTree(TREE, { columns: [], context, ascii: true, width: 12 }), [
    "1 init",
    "|- 10 pytho…",
    "|  |- 11 We…",
    "|  `- 12 ü",
    "`- 20 sh",
  ]);
  assertEquals(renderTree([], { columns: [], context }), []);
});

Deno.test("renderTree() nests threads under their process as {name}(tid)", () => {
  const threads = [node(1, "init", { tgid: 1 }, [
    node(100, "server", { tgid: 100 }),
    node(101, "worker", { tgid: 100 }),
    node(102, "worker", { tgid: 100 }),
    node(200, "other", { tgid: 200 }),
  ])];
  assertEquals(renderTree(threads, { columns: [], context, threads: true }), [
    "1 init",
    "├─ 100 server",
    "│  ├─ {worker}(101)",
    "│  └─ {worker}(102)",
    "└─ 200 other",
  ]);
});

Deno.test("a selection inside another selected subtree is drawn once", () => {
  const inner = TREE[0].children![0];
  assertEquals(renderTree([TREE[0], inner], { columns: [], context }).length, 5);
});

Deno.test("tables align, sort by any column and cut to a limit; cmdline falls back to [comm]", () => {
  const columns = parseColumns("pid,state,rss,cpu_time,age,cmdline");
  const rows = tableRows(TREE, columns, context, { sort: parseSort("-rss"), limit: 3 });
  assertEquals(renderTable(rows, columns), [
    "PID  S  RSS_MIB     TIME  AGE  COMMAND",
    " 11  S    100.0  0:00:02  59m  Web Content --serve",
    "  1  S      1.0  0:00:02  59m  init --serve",
    " 10  S      1.0  0:00:02  59m  python3 (x) --serve",
  ]);
  const all = tableRows(TREE, parseColumns("pid,cmdline"), context, { sort: parseSort("pid") });
  assertEquals(all.map((r) => r[1]), [
    "init --serve",
    "python3 (x) --serve",
    "Web Content --serve",
    "[ü]",
    "sh --serve",
  ]);
});

Deno.test("CSV quotes what needs quoting; TSV flattens tabs; both print raw values", () => {
  const columns = parseColumns("pid,comm,rss");
  const rows = tableRows([node(7, 'a "b", c', { rss: 512 })], columns, context);
  assertEquals(renderDelimited(rows, columns, ","), ["pid,comm,rss", '7,"a ""b"", c",2']);
  const tabbed = tableRows([node(8, "x\ty")], parseColumns("pid,comm"), context);
  assertEquals(renderDelimited(tabbed, parseColumns("pid,comm"), "\t"), ["pid\tcomm", "8\tx y"]);
});

Deno.test("an unknown column is refused with the valid ones named", () => {
  assertThrows(
    () => parseColumns("pid,nope"),
    ColumnError,
    'unknown column "nope"; valid: pid, ppid',
  );
  assertEquals(parseColumns("io.read_bytes,status.vmrss").map((c) => c.files), [
    ["stat", "io"],
    ["stat", "status"],
  ]);
});

// how fast is measured by scripts/bench_query.ts, not asserted here
Deno.test("a 10,000-process tree renders a header and a line per process, a table a row each", () => {
  const children = Array.from({ length: 9999 }, (_, i) => node(i + 2, `worker ${i}`));
  const lines = renderTree([node(1, "init", {}, children)], {
    columns: parseColumns("rss,cmdline"),
    context,
  });
  const table = renderTable(
    tableRows([node(1, "init", {}, children)], parseColumns("pid,rss,cmdline"), context, {
      sort: parseSort("-rss"),
    }),
    parseColumns("pid,rss,cmdline"),
  );
  assertEquals([lines.length, table.length], [10001, 10001]);
  assertEquals(lines.at(-1)!.includes("worker 9998"), true);
});

Deno.test("rows sort by the exact value, not the rounded figure shown, and by a column not shown", () => {
  // 8 GiB of memory: 0.1 % is 8.4 MB, so these three all show %MEM 0.0 or 0.1
  const memory = { ...context, memoryBytes: 8 * 1024 ** 3 };
  const nodes = [
    node(2, "a", { rss: 100 }),
    node(3, "b", { rss: 300 }),
    node(4, "c", { rss: 200 }),
  ];
  const rows = tableRows(nodes, parseColumns("pid,mem"), memory, {
    sort: parseSort("-mem"),
    selectedOnly: true,
  });
  assertEquals(rows.map((r) => r[0]), [3, 4, 2]);
  assertEquals(renderTable(rows, parseColumns("pid,mem"))[1], "  3   0.0");
  const hidden = tableRows(nodes, parseColumns("pid"), memory, {
    sort: parseSort("-rss"),
    limit: 2,
    selectedOnly: true,
  });
  assertEquals(hidden, [[3], [4]]);
  // ties keep the tree's order; an absent value sorts last either way
  const tied = [node(5, "x", { rss: 7 }), node(6, "y", { rss: 7 }), node(7, "z", { rss: 9 })];
  assertEquals(
    tableRows(tied, parseColumns("pid"), memory, { sort: parseSort("-rss"), selectedOnly: true }),
    [[7], [5], [6]],
  );
});

Deno.test("an unknown or double sort column is refused", () => {
  assertThrows(() => parseSort("-nope"), ColumnError, 'unknown column "nope"');
  assertThrows(() => parseSort("rss,pid"), ColumnError, "sort by one column");
  assertEquals(parseSort("+io.read_bytes").descending, false);
});

Deno.test("a command line with a newline, tab or ESC stays on its row in the table and the tree", () => {
  const odd = node(9, "e\x1bvil", { cmdline: "sh -c 'a\nb'\tc\x1b[2J" });
  const table = renderTable(
    tableRows([odd], parseColumns("pid,cmdline"), context),
    parseColumns("pid,cmdline"),
  );
  assertEquals(table, ["PID  COMMAND", "  9  sh -c 'a\\x0ab'\\x09c\\x1b[2J"]);
  const tree = renderTree([odd], { columns: parseColumns("cmdline"), context, width: 30 });
  assertEquals(tree.length, 2);
  assertEquals(tree[1], "9 e\\x1bvil  sh -c 'a\\x0ab'\\x0…");
  assertEquals(tree[1]!.length, 30);
});

Deno.test("a captured thread tree: threads that are roots are drawn once, under their process", () => {
  // the process's parent was not captured: its threads (ppid = that parent) are roots too
  const main = node(10, "app", { tgid: 10 });
  const forest = [main, node(11, "worker", { tgid: 10 }), node(12, "worker", { tgid: 10 })];
  const whole = renderTree(forest, { columns: [], context, threads: true, forest });
  assertEquals(whole, ["10 app", "├─ {worker}(11)", "└─ {worker}(12)"]);
  // a thread selected alone is drawn alone
  const one = renderTree([forest[1]!], { columns: [], context, threads: true, forest });
  assertEquals(one, ["11 worker"]);
});

Deno.test("lines are cut by terminal columns: a wide character takes two, none is split", () => {
  assertEquals(cutLine("ab日本語", 5), "ab日…");
  assertEquals(cutLine("ab日本語", 8), "ab日本語");
  assertEquals(cutLine("a🚀🚀🚀", 4), "a🚀…");
  assertEquals(cutLine("e\u0301e\u0301e\u0301", 2), "e\u0301…");
  // a table aligns by columns too
  const rows = tableRows([node(1, "日本"), node(22, "ab")], parseColumns("comm,pid"), context);
  assertEquals(renderTable(rows, parseColumns("comm,pid")), [
    "COMM  PID",
    "日本    1",
    "ab     22",
  ]);
});
