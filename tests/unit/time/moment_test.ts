import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { MomentError, parseMoment, resolveMoment } from "../../../src/time/moment.ts";

Deno.test("moments parse as users write them", () => {
  assertEquals(parseMoment("first"), { kind: "first" });
  assertEquals(parseMoment(" last "), { kind: "last" });
  assertEquals(parseMoment("-1h30m"), { kind: "offset", seconds: -5400, from: "last" });
  assertEquals(parseMoment("+90s"), { kind: "offset", seconds: 90, from: "first" });
  assertEquals(parseMoment("+1.5d"), { kind: "offset", seconds: 129600, from: "first" });
  assertEquals(parseMoment("03:00"), { kind: "clock", seconds: 10800 });
  assertEquals(parseMoment("23:59:59"), { kind: "clock", seconds: 86399 });
  assertEquals(parseMoment("1970-01-01T00:01:00"), { kind: "absolute", seconds: 60 });
  assertEquals(parseMoment("1970-01-01T01:01:00+01:00"), { kind: "absolute", seconds: 60 });
  for (const bad of ["", "24:00", "12:60", "-10", "yesterday", "2026-13-01T00:00:00x"]) {
    assertThrows(() => parseMoment(bad), MomentError);
  }
});

Deno.test("a moment resolves to the sample at or before it, inside the recording", () => {
  const times = [100, 110, 120, 130];
  assertEquals(resolveMoment({ kind: "first" }, times), { ts: 100, index: 0, at: 100 });
  assertEquals(resolveMoment({ kind: "absolute", seconds: 125 }, times).index, 2);
  assertEquals(resolveMoment({ kind: "offset", seconds: -15, from: "last" }, times).ts, 110);
  assertEquals(resolveMoment({ kind: "offset", seconds: 10, from: "first" }, times).ts, 110);
  // a little after the last sample is the last; well after it or before the first is refused
  assertEquals(resolveMoment({ kind: "absolute", seconds: 145 }, times).ts, 130);
  assertThrows(() => resolveMoment({ kind: "absolute", seconds: 200 }, times), MomentError);
  assertThrows(() => resolveMoment({ kind: "absolute", seconds: 99 }, times), MomentError);
  assertThrows(() => resolveMoment({ kind: "last" }, []), MomentError);
});
