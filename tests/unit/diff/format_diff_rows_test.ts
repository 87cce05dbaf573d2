import { assertEquals } from "../../_helpers/assert.ts";
import { formatDiff } from "../../../src/diff/diff_recording.ts";
import type { RecordingDiff } from "../../../src/diff/diff_recording.ts";

Deno.test("diff's readable output keeps a command line with a newline, tab or ESC on its row", () => {
  const odd = "sh -c 'a\nb'\tc\x1b[2J";
  const change = {
    pid: 7,
    ppid: 1,
    command: odd,
    processes: 1,
    rssBefore: 1,
    rssAfter: 2,
    rssChange: 1,
    cpuSeconds: 1,
    cpuPercent: 50,
  };
  const diff: RecordingDiff = {
    from: { ts: "2026-12-07 01:00:00", sample: 1 },
    to: { ts: "2026-12-07 01:00:02", sample: 2 },
    samples: 2,
    limit: 10,
    seconds: 2,
    appeared: [{ pid: 7, ppid: 1, command: odd }],
    disappeared: [],
    rssByProcess: [change],
    rssBySubtree: [change],
    cpuByProcess: [change],
    cpuBySubtree: [change],
    events: { started: 1, exited: 0, exitedSampled: 0, commands: [{ command: odd, count: 1 }] },
  };
  const lines = formatDiff(diff);
  const rows = lines.filter((line) => line.includes("sh -c"));
  // appeared, the events' commands and the four change tables: a line each
  assertEquals(rows.length, 6, lines.join("\n"));
  for (const row of rows) assertEquals(row.endsWith("sh -c 'a\\x0ab'\\x09c\\x1b[2J"), true, row);
  assertEquals(lines.some((line) => ["\n", "\t", "\x1b"].some((c) => line.includes(c))), false);
});

Deno.test("diff's event line says how many of its exits are the exited processes listed above", () => {
  const diff: RecordingDiff = {
    from: { ts: "2026-01-01T00:00:00", sample: 1 },
    to: { ts: "2026-01-01T00:00:10", sample: 2 },
    samples: 2,
    limit: 10,
    seconds: 10,
    appeared: [],
    disappeared: [{ pid: 5, ppid: 1, command: "a" }, { pid: 6, ppid: 1, command: "b" }],
    rssByProcess: [],
    rssBySubtree: [],
    cpuByProcess: [],
    cpuBySubtree: [],
    events: { started: 0, exited: 4, exitedSampled: 2, commands: [] },
  };
  const lines = formatDiff(diff);
  assertEquals(lines.includes("exited: 2 processes"), true, lines.join("\n"));
  assertEquals(
    lines.includes(
      "process events in between: 0 started, 4 exited (2 of them listed as exited above)",
    ),
    true,
    lines.join("\n"),
  );
});
