import { assertEquals } from "../../_helpers/assert.ts";
import {
  formatPythonFloat,
  PyFloat,
  toPythonJson,
  toPythonJsonBytes,
  toPythonStr,
} from "../../../src/text/python_format.ts";
import { createProcReader } from "../../../src/procfs/mod.ts";
import { readForest } from "../../../src/tree/mod.ts";
import { fixture } from "../../_helpers/run_procpath.ts";

Deno.test("formatPythonFloat() matches Python's repr", () => {
  const cases: [number, string][] = [
    [2648, "2648.0"],
    [0.1, "0.1"],
    [1e16, "1e+16"],
    [1e-5, "1e-05"],
    [18.9609375, "18.9609375"],
    [-2.5, "-2.5"],
    [0, "0.0"],
    [123456789012345.6, "123456789012345.6"],
  ];
  for (const [value, text] of cases) assertEquals(formatPythonFloat(value), text);
});

Deno.test("toPythonJson() sorts keys and spaces separators like json.dumps", () => {
  assertEquals(
    toPythonJson([{ total: new PyFloat(2648), stat_pid: 10n }]),
    '[{"stat_pid": 10, "total": 2648.0}]',
  );
  assertEquals(toPythonJson([]), "[]");
  assertEquals(
    toPythonJson({ b: [1, 2], a: "é" }, 2),
    '{\n  "a": "é",\n  "b": [\n    1,\n    2\n  ]\n}',
  );
  assertEquals(toPythonJson({ x: null, y: true }), '{"x": null, "y": true}');
});

Deno.test("toPythonStr() prints scalars as str() and objects as JSON", () => {
  assertEquals([1, "a b", null, true, new PyFloat(1)].map(toPythonStr), [
    "1",
    "a b",
    "None",
    "True",
    "1.0",
  ]);
  assertEquals(toPythonStr({ stat_pid: 1 }), '{"stat_pid": 1}');
});

Deno.test("toPythonJson() writes values deeper than its recursion limit exactly like shallow ones", () => {
  // 1000 levels: past the recursive writer's limit, the iterative one takes over
  let deep: unknown = { name: "leaf", pid: 1 }; // keys in sorted order, as Python prints them
  for (let i = 0; i < 1000; i++) deep = { children: [deep, i] };
  assertEquals(toPythonJson(deep, 1), JSON.stringify(deep, null, 1));
  const inline = toPythonJson(deep);
  assertEquals(inline.startsWith('{"children": [{"children": ['), true);
  assertEquals(inline.endsWith("}, 998]}, 999]}"), true);
  assertEquals(inline.length, JSON.stringify(deep).length + 2 * 1000 + 3); // the spaces of ", " and ": "
});

Deno.test("toPythonJsonBytes() writes the bytes of toPythonJson() for trees, odd strings and deep chains", () => {
  const roots = readForest(createProcReader(fixture("browser")), {
    files: ["stat", "cmdline", "io", "status", "fd", "smaps_rollup"],
    warn: () => {},
  });
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 2000; i++) deep = { children: [deep], n: i };
  const values: unknown[] = [
    roots,
    [],
    {},
    [
      'é\u0000\u001b"\\',
      "\ud83d\ude00",
      "\ud800",
      "\u2028",
      new PyFloat(2648),
      0.1,
      -0.0,
      2n ** 70n,
    ],
    { z: { b: 1, a: [null, true, false] }, a: "x" },
    deep,
  ];
  for (const value of values) {
    assertEquals(new TextDecoder().decode(toPythonJsonBytes(value)), toPythonJson(value));
  }
});
