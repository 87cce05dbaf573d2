import { assertEquals } from "../../_helpers/assert.ts";
import { Interaction } from "../../../src/top/interaction.ts";
import { parseTopColumns } from "../../../src/top/render.ts";
import { rates } from "./_rates.ts";

const list = Array.from({ length: 50 }, (_, i) => rates(i + 1, i === 0 ? 0 : 1, `proc-${i + 1}`));
const parts = { status: "status", header: [] };

function view(signals = true) {
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid"),
    signals,
  });
  const frame = (height = 12) => interaction.frame(list, parts, 60, height).map((l) => l.text);
  const cursor = () => {
    const line = interaction.frame(list, parts, 60, 12).find((l) => l.reverse);
    return line?.text.trim() ?? null;
  };
  frame(); // keys act on the rows of the last frame, as on a screen
  return { interaction, frame, cursor };
}

Deno.test("the cursor moves by row, page and end, and the view scrolls with marks", () => {
  const { interaction, frame, cursor } = view();
  assertEquals(frame().at(-1)!.startsWith("41 more below  h help"), true);
  assertEquals(cursor(), "1 proc-1");
  interaction.key("\x1b[B");
  assertEquals(cursor(), "2 proc-2");
  interaction.key("\x1b[F"); // End
  assertEquals(cursor(), "50 proc-50");
  assertEquals(frame().at(-1)!.startsWith("41 more above  h help"), true);
  interaction.key("\x1b[H"); // Home
  interaction.key("\x1b[6~"); // PgDn: a page less one row of overlap
  assertEquals(cursor(), "9 proc-9");
  assertEquals(frame().at(-1)!.startsWith("8 more above, 33 more below"), true);
});

Deno.test("the cursor stays on its process when the order changes", () => {
  const { interaction, cursor } = view();
  for (let i = 0; i < 4; i++) interaction.key("\x1b[B");
  assertEquals(cursor(), "5 proc-5");
  interaction.key("I"); // PID descending: proc-5 is now near the end
  assertEquals(cursor(), "5 proc-5");
});

Deno.test("search moves to matches as typed; n and N go on; no match says so", () => {
  const { interaction, cursor, frame } = view();
  interaction.key("/");
  for (const c of "proc-3") interaction.key(c);
  assertEquals(cursor(), "3 proc-3");
  assertEquals(frame().at(-1)!.startsWith("search: proc-3"), true);
  interaction.key("\r");
  interaction.key("n");
  assertEquals(cursor(), "30 proc-30");
  interaction.key("N");
  assertEquals(cursor(), "3 proc-3");
  interaction.key("/");
  for (const c of "zzz") interaction.key(c);
  assertEquals(interaction.message, 'no process matches "zzz"');
  assertEquals(cursor(), "3 proc-3");
});

Deno.test("the filter narrows the rows and shows in the status; Esc clears it", () => {
  const { interaction, frame } = view();
  interaction.key("\\");
  for (const c of "proc-4") interaction.key(c);
  interaction.key("\r");
  const lines = frame(20);
  assertEquals(lines[0], 'FILTER "proc-4"  status');
  assertEquals(lines.filter((l) => /^\s+\d+ proc/.test(l)).length, 11); // 4, 40–49
  interaction.key("\\");
  interaction.key("\x1b");
  assertEquals(interaction.filter, "");
});

Deno.test("the kill menu picks a signal; renice is asked for; a replay offers neither", () => {
  const { interaction, frame } = view();
  interaction.key("\x1b[B");
  assertEquals(interaction.key("k").kind, "redraw");
  assertEquals(frame().includes("Send a signal to 2 (proc-2)"), true);
  interaction.key("\x1b[B");
  assertEquals(interaction.key("\r"), { kind: "signal", pid: 2, signal: "SIGKILL" });
  assertEquals(interaction.key("["), { kind: "renice", pid: 2, nice: 1 });
  assertEquals(interaction.key("]"), { kind: "renice", pid: 2, nice: -1 });
  const replay = view(false).interaction;
  replay.frame(list, parts, 60, 12);
  assertEquals(replay.key("k").kind, "ignore");
  assertEquals(replay.key("[").kind, "ignore");
});

Deno.test("help and the column setup take the screen until closed", () => {
  const { interaction, frame } = view();
  interaction.key("?");
  assertEquals(frame().some((l) => l.includes("any key closes this screen")), true);
  interaction.key("x");
  assertEquals(interaction.mode.kind, "browse");
  interaction.key("C");
  interaction.key("\x1b[B");
  interaction.key(" "); // ppid on
  assertEquals(interaction.key("\r"), {
    kind: "columns",
    columns: parseTopColumns("pid,ppid"),
  });
  interaction.key("C");
  interaction.key(" "); // pid off
  interaction.key("\x1b[B");
  interaction.key(" "); // ppid off: the last one stays
  assertEquals(interaction.message, "at least one column stays");
});

Deno.test("folding outside the tree says how to get there", () => {
  const { interaction } = view();
  interaction.key("-");
  assertEquals(interaction.message, "folding works in the tree view: press t");
  interaction.key("t");
  interaction.key("*");
  assertEquals(interaction.collapsed.has(1), true);
});

Deno.test("a second renice key steps on from the first, before a sample shows it", () => {
  const { interaction, frame } = view();
  interaction.key("\x1b[B");
  assertEquals(interaction.key("["), { kind: "renice", pid: 2, nice: 1 });
  interaction.reniced(2, 1);
  assertEquals(interaction.key("["), { kind: "renice", pid: 2, nice: 2 });
  interaction.reniced(2, 2);
  // a frame whose sample does not show it yet keeps the value set
  frame();
  assertEquals(interaction.key("]"), { kind: "renice", pid: 2, nice: 1 });
});
