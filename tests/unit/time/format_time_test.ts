import { assertEquals } from "../../_helpers/assert.ts";
import { formatCpuTime } from "../../../src/time/format_time.ts";

Deno.test("TIME+ reads as top prints it", () => {
  assertEquals(formatCpuTime(0), "0:00.00");
  assertEquals(formatCpuTime(61.5), "1:01.50");
  assertEquals(formatCpuTime(3 * 3600 + 5 * 60 + 7), "3h05:07");
});
