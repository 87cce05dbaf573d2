import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  compileQuery,
  ignoresProcfile,
  QuerySyntaxError,
  runQuery,
  substitute,
} from "../../../src/query/mod.ts";

const node = (
  pid: number,
  comm: string,
  extra: Record<string, unknown> = {},
  children?: unknown[],
) => ({
  stat: { pid, comm },
  cmdline: `${comm} --pid ${pid}`,
  ...extra,
  ...(children ? { children } : {}),
});
// The contract's fake tree: 1 → {10 → {11, 12}, 20}
const DOC = {
  children: [
    node(1, "init", {}, [
      node(10, "bash", { status: { pid: 10 } }, [
        node(11, "kworker/0:1", { status: { pid: 11 } }),
        node(12, "python3", { status: { pid: 12 } }),
      ]),
      node(20, "python3 (x)"),
    ]),
  ],
};
const q = (path: string) => runQuery(compileQuery(path), DOC);

Deno.test("runQuery() selects a subtree's pids, status duplicates included", () => {
  assertEquals(q("$..children[?(@.stat.pid == 10)]..pid"), [10, 10, 11, 11, 12, 12]);
});

Deno.test("runQuery() walks the whole tree with recursive descent", () => {
  assertEquals(q("$..stat.pid"), [1, 10, 20, 11, 12]);
  assertEquals(q("$..children[0,1].stat.pid"), [1, 10, 11, 20, 12]);
  assertEquals(q("$.children[0].children[-1].stat.pid"), [20]);
  assertEquals(q("$.children[0].children[0:2].stat.comm"), ["bash", "python3 (x)"]);
  assertEquals(q("$.children[0]['stat']['pid']"), [1]);
  assertEquals(q("$.children[*].stat.pid"), [1]);
});

Deno.test("runQuery() evaluates the reference's Python filters unchanged", () => {
  assertEquals(q("$..children[?(@.stat.pid in [11, 20])].stat.pid").sort(), [11, 20]);
  assertEquals(q("$..children[?(@.stat.pid not in [1, 11, 20])].stat.pid"), [10, 12]);
  assertEquals(q("$..children[?(not @.stat.pid == 10 and @.stat.pid < 13)].stat.pid"), [1, 11, 12]);
  assertEquals(q("$..children[?('python' in @.stat.comm)].stat.pid"), [20, 12]);
  assertEquals(q('$..children[?(@.stat.comm == "bash" or @.stat.pid == 1)].stat.pid'), [1, 10]);
  assertEquals(q("$..children[?(@.stat.comm.startswith\\('kw'\\))].stat.pid"), [11]);
  assertEquals(q("$..children[?(@.status is not None)].stat.pid"), [10, 11, 12]);
  assertEquals(q("$..children[?(@.stat.pid == 1 and True)].stat.pid"), [1]);
  assertEquals(q("$..children[?(len(@.stat.comm) == 4)].stat.pid"), [1, 10]);
});

Deno.test("runQuery() accepts JavaScript spellings and regex tests", () => {
  assertEquals(q("$..children[?(@.stat.pid === 10 || !(@.stat.pid != 20))].stat.pid"), [10, 20]);
  assertEquals(q("$..children[?(@.cmdline =~ /^python3 --pid 1\\d$/)].stat.pid"), [12]);
  assertEquals(q("$..children[?(@.stat.comm.match(/^k/))].stat.pid"), [11]);
  assertEquals(q("$..children[?(@.stat.pid > 10 && @.stat.pid <= 12)].stat.pid"), [11, 12]);
});

Deno.test("runQuery() treats a filter touching a missing key or a type mismatch as no match", () => {
  assertEquals(q("$..children[?(@.io.read_bytes > 0)].stat.pid"), []);
  assertEquals(q("$..children[?(@.stat.comm > 3)].stat.pid"), []);
  assertEquals(q("$..children[?(@.stat.pid == '10')].stat.pid"), []);
});

Deno.test("runQuery() cannot reach the runtime from a filter", () => {
  for (
    const inert of [
      "@.constructor",
      "@.__proto__",
      "@.stat.constructor",
      "@['__proto__']",
      "@.stat.pid.toString",
      "[].constructor",
      "@.cmdline.length",
    ]
  ) {
    assertEquals(q(`$..children[?(${inert})].stat.pid`), [], inert);
  }
  for (
    const rejected of [
      "globalThis",
      "Deno",
      "Deno.exit(3)",
      "this",
      "@.constructor.constructor('return Deno')()",
      "eval('1')",
      "Function('x')",
      "@.x = 1",
      "import('data:x')",
      "Deno.writeTextFileSync('/tmp/pwned', 'x')",
      "@.cmdline.replace('a', 'b')",
      "new Date()",
    ]
  ) {
    assertThrows(() => compileQuery(`$..children[?(${rejected})]`), QuerySyntaxError, rejected);
  }
});

Deno.test("compileQuery() reports where a path is wrong", () => {
  assertThrows(() => compileQuery("!@#$"), /expected "\$" at position 0/);
  assertThrows(() => compileQuery("$..pid["), /at position 7/);
  assertThrows(() => compileQuery("$..children[?(@.stat.pid == 1]"), /closing/);
  assertThrows(() => compileQuery("$..children[?(@.stat.pid ==)]"), QuerySyntaxError);
  assertThrows(() => compileQuery("$..children[?(@.stat.pid in [, 2])]"), /empty item/);
});

Deno.test("substitute() behaves like string.Template.safe_substitute", () => {
  assertEquals(
    substitute("[$C1, ${C2}] $$ $X $..x $.y", { C1: "1", C2: "2" }),
    "[1, 2] $ $X $..x $.y",
  );
});

Deno.test("ignoresProcfile() is true only when no result or filter can reach the procfile", () => {
  const cases: [string, boolean][] = [
    ["$..children[?(@.stat.pid == 1)]..pid", true],
    ["$..stat.comm", true],
    ["$..children[?(@.stat.comm == 'sh')].stat", true],
    ["$..children[?(@.stat.pid == 1)]", false], // whole nodes
    ["$..children", false],
    ["$..cmdline", false],
    ["$..children[?('sh' in @.cmdline)]..pid", false],
    ["$..children[?(@['cmd' + 'line'])]..pid", false], // a computed key could be anything
    ["$..children[?(@['cmdline'])]..pid", false],
    ["$..children[?($.children)]..pid", false], // the root holds everything
    ["$..children[0].stat.pid", true],
  ];
  for (const [query, expected] of cases) {
    assertEquals(ignoresProcfile(compileQuery(query), "cmdline"), expected, query);
  }
});
