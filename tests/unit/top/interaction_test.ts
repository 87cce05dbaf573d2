import { assertEquals } from "../../_helpers/assert.ts";
import { helpLines, Interaction } from "../../../src/top/interaction.ts";
import { parseTopColumns } from "../../../src/top/render.ts";
import { rates } from "./_rates.ts";
import type { ProcessRates } from "../../../src/model/rates.ts";

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

Deno.test("the cursor stays on its process across refreshes; a new order starts at its top", () => {
  const { interaction, cursor, frame } = view();
  for (let i = 0; i < 4; i++) interaction.key("\x1b[B");
  assertEquals(cursor(), "5 proc-5");
  frame();
  assertEquals(cursor(), "5 proc-5");
  interaction.key("I"); // PID descending: the top of the list is proc-50, in view
  assertEquals(cursor(), "50 proc-50");
  assertEquals(frame()[2]!.trim(), "50 proc-50");
  for (let i = 0; i < 3; i++) interaction.key("\x1b[B");
  interaction.key("T"); // TIME+: the top again
  assertEquals(frame().find((l) => /^\s+\d+ proc/.test(l))!.trim(), cursor());
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
  assertEquals(interaction.key("\r"), { kind: "signal", pids: [2], signal: "SIGKILL" });
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

Deno.test("space tags and moves down, c tags a subtree, k signals the tagged, U untags", () => {
  const tree = [
    rates(1, 0, "init"),
    rates(10, 1, "nginx: master"),
    rates(11, 10, "nginx: worker"),
    rates(12, 11, "nginx: helper"),
    rates(20, 1, "sshd"),
  ];
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid"),
    signals: true,
  });
  const frame = () => interaction.frame(tree, parts, 60, 12);
  frame();
  interaction.key("\x1b[B"); // 10
  interaction.key(" "); // tags 10, the cursor on 11
  interaction.key(" "); // tags 11
  const tagged = frame().filter((l) => l.tagged).map((l) => l.text.trim());
  assertEquals(tagged, ["10 nginx: master", "11 nginx: worker"]);
  assertEquals(frame()[0]!.text, "2 TAGGED  status");
  interaction.key("\x1b[A");
  interaction.key(" "); // untags 11
  interaction.key("\x1b[H");
  interaction.key("\x1b[B");
  interaction.key("c"); // 10 and everything below it
  assertEquals([...interaction.tagged].sort((a, b) => a - b), [10, 11, 12]);
  interaction.key("k");
  assertEquals(frame().some((l) => l.text.includes("3 tagged processes (10, 11, 12)")), true);
  assertEquals(interaction.key("\r"), { kind: "signal", pids: [10, 11, 12], signal: "SIGTERM" });
  // a tagged process that ended is no longer tagged
  interaction.frame(tree.filter((r) => r.pid !== 12), parts, 60, 12);
  assertEquals([...interaction.tagged].sort((a, b) => a - b), [10, 11]);
  interaction.key("U");
  assertEquals(interaction.tagged.size, 0);
  // Z pauses; a replay, which tags nothing, pauses with space too
  interaction.key("Z");
  assertEquals(interaction.paused, true);
  const replay = view(false).interaction;
  replay.key(" ");
  assertEquals([replay.paused, replay.tagged.size], [true, 0]);
});

Deno.test("u shows one user's processes and says which; K hides kernel threads", () => {
  const mixed = [
    rates(1, 0, "init"),
    rates(2, 0, "kthreadd", { kernel: true }),
    rates(3, 2, "kworker/0:1", { kernel: true }),
    rates(40, 1, "sleep 300", { user: "nobody" }),
    rates(41, 1, "sleep 301", { user: "nobody" }),
  ];
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid,user"),
    signals: true,
  });
  const frame = () => interaction.frame(mixed, parts, 60, 12).map((l) => l.text);
  const pids = () =>
    frame().filter((l) => /^\s+\d+ /.test(l)).map((l) => Number(l.trim().split(" ")[0]));
  frame();
  interaction.key("u");
  assertEquals(frame().some((l) => l.trim() === "all users"), true);
  interaction.key("\x1b[B"); // nobody (the users sorted: nobody, root)
  interaction.key("\r");
  assertEquals(pids(), [40, 41]);
  assertEquals(frame()[0], 'USER "nobody"  status');
  interaction.key("u"); // the menu opens on the user shown, and still offers the others
  assertEquals(frame().some((l) => l.trim() === "root"), true);
  interaction.key("\x1b[A");
  interaction.key("\r"); // all users again
  assertEquals(pids(), [1, 2, 3, 40, 41]);
  interaction.key("K");
  assertEquals(pids(), [1, 40, 41]);
  assertEquals(frame()[0], "NO KERNEL THREADS  status");
  assertEquals(interaction.key("H").kind, "redraw");
  assertEquals(interaction.message, "H hides threads of --procfs-target thread");
});

Deno.test("F6 sorts by the chosen column; a hidden sort column shows in the status", () => {
  const { interaction, frame } = view();
  interaction.key("\x1b[17~");
  assertEquals(frame()[2], "Sort by: ↑/↓ choose  Enter sort  Esc cancel");
  interaction.key("\x1b[B"); // pid is chosen first: ppid next
  interaction.key("\r");
  assertEquals(interaction.sort, "ppid");
  assertEquals(frame()[0], "SORT PPID▲  status");
});

Deno.test("a search that matches nothing says so while typing", () => {
  const { interaction, frame } = view();
  interaction.key("/");
  interaction.key("q");
  assertEquals(frame().at(-1)!.startsWith("search: q▏  no match"), true);
  interaction.key("\x7f");
  interaction.key("p");
  assertEquals(frame().at(-1)!.startsWith("search: p▏  Enter"), true);
});

Deno.test("the help screen lists the keys of where it runs: live or a replay", () => {
  const live = helpLines(true).join("\n"), replay = helpLines(false).join("\n");
  for (const text of ["k  F9", "space", "Z"]) assertEquals(live.includes(text), true, text);
  for (const text of ["g G", "→ ←"]) assertEquals(live.includes(text), false, text);
  for (const text of ["g G", "→ ←", "Z", "F6"]) assertEquals(replay.includes(text), true, text);
  for (const text of ["k  F9", "renice", "tag"]) assertEquals(replay.includes(text), false, text);
});

Deno.test("H hides the threads besides each process's main one (the thread target)", () => {
  // process 10 with threads 11 and 12; process 20 alone
  const tasks = [rates(10, 1, "app"), rates(11, 1, "app"), rates(12, 1, "app"), rates(20, 1, "db")];
  const processOf = new Map([[10, 10], [11, 10], [12, 10], [20, 20]]);
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid"),
    signals: true,
  });
  const pids = () =>
    interaction.frame(tasks, { ...parts, processOf }, 60, 12).map((l) => l.text)
      .filter((l) => /^\s+\d+ /.test(l)).map((l) => Number(l.trim().split(" ")[0]));
  assertEquals(pids(), [10, 11, 12, 20]);
  interaction.key("H");
  assertEquals(pids(), [10, 20]);
  assertEquals(interaction.markers(), ["NO USER THREADS"]);
  interaction.key("H");
  assertEquals(pids(), [10, 11, 12, 20]);
});

/**
 * Rows without a user, as the live source gives them, and a lookup that fills each from
 * the test's own table (a third of the PIDs "alice", the rest "bob") and counts the
 * PIDs it was asked for: a live lookup is a `stat` of /proc/PID each.
 */
function ownerless(count: number) {
  const owner = (pid: number) => pid % 3 === 0 ? "alice" : "bob";
  const asked: number[] = [];
  const owners = (rows: readonly ProcessRates[]) => {
    for (const row of rows) {
      if (row.user !== null) continue;
      asked.push(row.pid);
      row.user = owner(row.pid);
    }
  };
  // each refresh's rows are new, without users again
  const refresh = () =>
    Array.from({ length: count }, (_, i) => rates(i + 1, 1, `job-${i + 1}`, { user: null }));
  return { owner, asked, refresh, parts: { status: "status", header: [], owners } };
}

/** The PID and USER of each process row of a frame `pid,user` (or `pid`) wide. */
const cells = (lines: readonly string[]) =>
  lines.filter((l) => /^\s+\d+ /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 2));

Deno.test("USER is looked up only for what shows it or chooses by it", () => {
  const { owner, asked, refresh, parts } = ownerless(500);
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid,cpu"),
    signals: true,
  });
  const frame = (height = 12) => interaction.frame(refresh(), parts, 80, height).map((l) => l.text);
  // USER hidden, no user chosen: no process's owner is looked up
  frame();
  frame();
  assertEquals(asked.length, 0);

  // USER shown: the rows on screen only, each with its own user
  interaction.columns = parseTopColumns("pid,user");
  const shown = cells(frame());
  assertEquals(shown.length > 0 && shown.length <= 12, true);
  assertEquals(shown.map(([pid, user]) => user === owner(Number(pid))), shown.map(() => true));
  assertEquals(asked.sort((a, b) => a - b), shown.map(([pid]) => Number(pid)));

  // sorted by USER: every row's, in the users' order (alice's rows first, by PID)
  asked.length = 0;
  interaction.key(">"); // the column right of PID
  assertEquals(interaction.sort, "user");
  const byUser = cells(frame());
  assertEquals(asked.length, 500);
  assertEquals(byUser.length >= 5, true);
  assertEquals(byUser.map(([pid]) => Number(pid)), byUser.map((_, i) => 3 * (i + 1)));
  assertEquals(byUser.every(([, user]) => user === "alice"), true);
});

Deno.test("u offers the users of every process and keeps to the chosen one across refreshes", () => {
  const { owner, asked, refresh, parts } = ownerless(300);
  const interaction = new Interaction({
    tree: false,
    sort: "pid",
    columns: parseTopColumns("pid,cpu"),
    signals: true,
  });
  const frame = (height = 40) => interaction.frame(refresh(), parts, 80, height).map((l) => l.text);
  frame();
  assertEquals(asked.length, 0);
  interaction.key("u");
  assertEquals(asked.length, 300);
  const menu = frame();
  assertEquals(menu.filter((l) => /^\s+(all users|alice|bob)$/.test(l)).map((l) => l.trim()), [
    "all users",
    "alice",
    "bob",
  ]);
  interaction.key("\x1b[B"); // alice
  interaction.key("\r");
  for (let refreshes = 0; refreshes < 2; refreshes++) {
    const lines = frame();
    assertEquals(lines[0], 'USER "alice"  status');
    const pids = cells(lines).map(([pid]) => Number(pid));
    assertEquals(pids, Array.from({ length: 100 }, (_, i) => 3 * (i + 1)).slice(0, pids.length));
    assertEquals(pids.length > 20 && pids.every((pid) => owner(pid) === "alice"), true);
  }
  // every user again: the lookups stop with the choice
  interaction.key("u");
  interaction.key("\x1b[A");
  interaction.key("\r");
  asked.length = 0;
  frame();
  assertEquals(asked.length, 0);
});
