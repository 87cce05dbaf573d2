import { assertEquals } from "../../_helpers/assert.ts";
import { queryWarnings, ReadWarnings } from "../../../src/snapshot/read_warnings.ts";
import { compileQuery } from "../../../src/query/mod.ts";

Deno.test("read warnings: one line per procfile and reason, repeats counted once at the end", () => {
  const said: string[] = [];
  const warnings = new ReadWarnings((line) => said.push(line));
  for (const pid of [1, 2, 3, 4, 5, 6]) {
    warnings.collect({ pid, file: "io", reason: "permission denied" });
  }
  warnings.collect({ pid: 9, file: "fd", reason: "permission denied" });
  warnings.flush();
  warnings.collect({ pid: 1, file: "io", reason: "permission denied" });
  warnings.collect({ pid: 2, file: "io", reason: "permission denied" });
  warnings.flush();
  warnings.finish();
  assertEquals(said, [
    "Storing empty values for procfile io of 6 processes (pids 1, 2, 3, 4, 5, …) because of permission denied",
    "Storing empty values for pid 9, procfile fd because of permission denied",
    'The warning "Storing empty values for procfile io of 6 processes (pids 1, 2, 3, 4, 5, …) because of permission denied" repeated in 1 later snapshot',
  ]);
});

Deno.test("query warnings: a procfile the query reads but -f leaves out, a mistyped key", () => {
  const unread = queryWarnings(compileQuery("$..children[?(@.status.vmrss > 1)]"), ["stat"]);
  assertEquals(unread.length, 1);
  assertEquals(unread[0].includes("status"), true, unread[0]);
  const typo = queryWarnings(compileQuery("$..chilren[?(@.stat.pid == 1)]"), ["stat"]);
  assertEquals(typo.some((w) => w.includes("children")), true, typo.join("\n"));
  assertEquals(queryWarnings(compileQuery("$..children[?(@.stat.pid == 1)]"), ["stat"]), []);
});
