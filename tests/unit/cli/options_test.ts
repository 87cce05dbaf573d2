import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { OptionValueError } from "../../../src/cli/spec.ts";
import {
  parseLogLevel,
  parsePidList,
  parsePositiveInt,
  parseProcfileList,
  parseProcRoot,
  parseSeconds,
} from "../../../src/cli/options.ts";
import { formatProgress } from "../../../src/cli/progress.ts";
import { Schedule } from "../../../src/record/schedule.ts";

Deno.test("parseProcfileList() trims names, keeps the user's order and rejects unknown ones", () => {
  assertEquals(parseProcfileList("stat, cmdline,io"), ["stat", "cmdline", "io"]);
  assertThrows(
    () => parseProcfileList("stat,smaps"),
    /unknown procfile "smaps"; valid: stat, cmdline/,
  );
});

Deno.test("parsePidList() tolerates spaces and empty items like the reference", () => {
  assertEquals(parsePidList("1, 2,,3,"), [1, 2, 3]);
  assertEquals(parsePidList(""), []);
  assertThrows(() => parsePidList("1,x"), OptionValueError);
});

Deno.test("numeric options accept what the reference accepts", () => {
  assertEquals([parseSeconds("0"), parseSeconds("0.5"), parseSeconds("10")], [0, 0.5, 10]);
  assertThrows(() => parseSeconds("-1"), OptionValueError);
  assertThrows(() => parseSeconds("soon"), OptionValueError);
  assertEquals(parsePositiveInt("4"), 4);
  assertThrows(() => parsePositiveInt("0"), OptionValueError);
  assertEquals([parseLogLevel("debug"), parseLogLevel("WARN")], ["DEBUG", "WARNING"]);
  assertEquals([parseProcRoot("/nonexistent/proc/").path, parseProcRoot("/").path], [
    "/nonexistent/proc",
    "/",
  ]);
  assertEquals([parseProcRoot("/proc/").isLive, parseProcRoot("/proc/").given], [true, "/proc/"]);
});

Deno.test("formatProgress() reads as one short line", () => {
  assertEquals(
    formatProgress({ iterations: 12, rows: 36012, lastMs: 47.6, bytes: 2_100_000 }),
    "recording: 12 iterations, 36,012 rows, last 48 ms, 2.1MB",
  );
});

Deno.test("Schedule keeps iterations on the grid and re-anchors after an overrun", () => {
  const schedule = new Schedule(100, 1000);
  assertEquals(schedule.next(1030), { waitMs: 70, overran: false });
  assertEquals(schedule.next(1150), { waitMs: 50, overran: false });
  assertEquals(schedule.next(1420), { waitMs: 0, overran: true });
  assertEquals(schedule.next(1450), { waitMs: 70, overran: false });
  assertEquals(new Schedule(0, 0).next(5), { waitMs: 0, overran: false });
});
