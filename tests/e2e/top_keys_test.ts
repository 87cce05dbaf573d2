// procpath top as a person drives it in a real terminal (tmux), with thousands of
// processes on the host: the cursor and scrolling, search, filter, folding, sorting,
// columns, help, the signal menu and renice, a resize during a search, and a refused kill.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { repoPath } from "../_helpers/run_procpath.ts";
import { spawnGroup, waitFor } from "../_helpers/processes.ts";
import type { ProcessGroup } from "../_helpers/processes.ts";
import { NOBODY, readableCheckout } from "../_helpers/unprivileged.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";

const hasTmux = installed("tmux");
const hasSetpriv = installed("setpriv");

/** Processes of the host besides the test's own, so that the view has thousands to scroll. */
const FILLERS = 3000;

/** A tmux session `columns`×`rows` running `command` in the checkout. */
class Terminal {
  readonly session = `procpath-keys-${crypto.randomUUID().slice(0, 8)}`;
  constructor(
    readonly columns: number,
    readonly rows: number,
    command: string,
    cwd = repoPath(""),
  ) {
    newSession(
      this.session,
      "-x",
      String(columns),
      "-y",
      String(rows),
      "-c",
      cwd,
    );
    tmux("send-keys", "-t", this.session, `clear; echo READY; ${command}`, "Enter");
  }
  /** The screen's lines, trailing spaces cut. */
  lines(): string[] {
    return tmux("capture-pane", "-p", "-t", this.session).split("\n").map((l) => l.trimEnd());
  }
  text(): string {
    return this.lines().join("\n");
  }
  /** The row drawn in reverse video (the cursor's), as text. */
  cursor(): string {
    const raw = tmux("capture-pane", "-p", "-e", "-t", this.session).split("\n");
    const line = raw.find((l) => l.includes("\x1b[7m")) ?? "";
    // deno-lint-ignore no-control-regex -- the colours tmux puts back are what is cut
    return line.replace(/\x1b\[[0-9;]*m/g, "").trimEnd();
  }
  keys(...keys: string[]): void {
    tmux("send-keys", "-t", this.session, ...keys);
  }
  /** Types text literally (no key names). */
  type(text: string): void {
    tmux("send-keys", "-t", this.session, "-l", text);
  }
  async until(what: string, condition: () => boolean): Promise<void> {
    const ok = await waitFor(condition, 15000);
    assertEquals(ok, true, `${what}; the screen:\n${this.text()}`);
  }
  resize(columns: number, rows: number): void {
    tmux("resize-window", "-t", this.session, "-x", String(columns), "-y", String(rows));
  }
  close(): void {
    tmux("kill-session", "-t", this.session);
  }
}

/** The nice value of a live process (stat field 19). */
function niceOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

const alive = (pid: number) => {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false;
  }
};

/** A parent `sh` whose two `sleep` children carry a marker of their own in their command lines. */
function markedFamily(): { group: ProcessGroup; marker: string; children: () => number[] } {
  const marker = `7777.${Math.floor(Math.random() * 1e6)}`;
  const group = spawnGroup(["sh", "-c", "sleep $0 & sleep $0 & wait", marker]);
  const children = () => {
    try {
      const text = Deno.readTextFileSync(`/proc/${group.pid}/task/${group.pid}/children`).trim();
      return text === "" ? [] : text.split(" ").map(Number).sort((a, b) => a - b);
    } catch {
      return [];
    }
  };
  return { group, marker, children };
}

async function drive(columns: number, rows: number): Promise<void> {
  const family = markedFamily();
  await waitFor(() => family.children().length === 2);
  const [first, second] = family.children();
  // few columns: an 80-column terminal keeps room for the tree and its commands
  const t = new Terminal(columns, rows, "scripts/procpath top -i 1 -s pid --columns pid,user,cpu");
  try {
    await t.until("the first frame", () => / more below/.test(t.text()));
    const status = t.lines()[0];
    assertEquals(status.startsWith("procpath top"), true, status);
    const shown = Number(/(\d+) processes/.exec(status)?.[1] ?? 0);
    assertEquals(shown >= FILLERS, true, status);
    for (const line of t.lines()) assertEquals(line.length <= columns, true, line);
    assertIncludes(t.lines()[rows - 1], "more below");
    assertIncludes(t.lines()[rows - 1], "h help"); // the key hints fit beside the marks

    // cursor and scrolling
    t.keys("End");
    await t.until("End reaches the last row", () => {
      const last = t.lines()[rows - 1];
      return last.includes("more above") && !last.includes("more below");
    });
    t.keys("Home");
    await t.until("Home returns", () => !t.lines()[rows - 1].includes("more above"));
    t.keys("PageDown");
    await t.until("a page down scrolls", () => t.lines()[rows - 1].includes("more above"));
    t.keys("Down", "Up", "Home");

    // search: the cursor jumps to the first match, n to the next
    t.keys("/");
    t.type(`sleep ${family.marker}`);
    await t.until("search finds the first child", () => t.cursor().includes(`${first} `));
    t.keys("Enter", "n");
    await t.until("n finds the second child", () => t.cursor().includes(`${second} `));
    t.keys("n");
    await t.until("n wraps round to the first", () => t.cursor().includes(`${first} `));
    t.keys("N");
    await t.until("N goes back to the second", () => t.cursor().includes(`${second} `));
    t.keys("N");
    await t.until("N again: the first", () => t.cursor().includes(`${first} `));

    // filter: only the family's rows
    t.keys("\\");
    t.type(family.marker);
    t.keys("Enter");
    await t.until("the filter leaves the family", () => {
      const body = t.lines().filter((l) => /^\s*\d+ /.test(l));
      return t.lines()[0].includes(`FILTER "${family.marker}"`) && body.length === 3;
    });
    assertEquals(t.text().includes("more below"), false);

    // sorting by any column, with its marker
    t.keys(">");
    await t.until("> sorts by the next column", () => t.text().includes("USER▲"));
    t.keys("I");
    await t.until("I turns the order", () => t.text().includes("USER▼"));
    t.keys("<");
    await t.until("< goes back to PID", () => t.text().includes("PID▲"));

    // folding in the tree: the parent folds its two children
    t.keys("t", "Home", "/");
    t.type(`wait ${family.marker}`);
    t.keys("Enter");
    await t.until("the cursor on the parent", () => t.cursor().includes(`${family.group.pid} `));
    // an 80-column tree cuts the children's commands to "sleep 7777.…"
    const children = () => t.lines().filter((l) => l.includes("sleep 7777.")).length;
    t.keys("-");
    await t.until("- folds the subtree", () => t.cursor().includes("[+2]"));
    assertEquals(children(), 0);
    t.keys("+");
    await t.until("+ unfolds it", () => children() === 2);
    t.keys("*");
    await t.until("* folds every subtree", () => children() === 0);
    t.keys("*");
    await t.until("* again unfolds them", () => children() === 2);

    // help, and any key closes it
    t.keys("h");
    await t.until("h shows the keys", () => t.text().includes("any key closes this screen"));
    t.keys("x");
    await t.until("a key closes help", () => !t.text().includes("any key closes this screen"));
    t.keys("?");
    await t.until("? shows them too", () => t.text().includes("any key closes this screen"));
    t.keys("Escape");
    await t.until("Esc closes help", () => !t.text().includes("any key closes this screen"));

    // columns: PPID added from the setup screen
    t.keys("C");
    await t.until("C shows the columns", () => t.text().includes("Columns:"));
    t.keys("Down", "Space", "Enter");
    await t.until("PPID is shown", () => /PID\S* +PPID +USER /.test(t.text()));

    // renice and kill the children from the table
    t.keys("t", "Home", "/");
    t.type(`sleep ${family.marker}`);
    t.keys("Enter");
    await t.until("the cursor on the first child", () => t.cursor().includes(`${first} `));
    t.keys("[");
    await t.until("[ lowers its priority", () => niceOf(first) === 1);
    await t.until("the status row says so", () => t.text().includes(`${first} now runs at nice 1`));
    t.keys("]");
    if (Deno.uid() === 0) {
      await t.until("] raises it again", () => niceOf(first) === 0);
    } else {
      // raising a priority needs CAP_SYS_NICE: the refusal is one line in the status row
      await t.until("] is refused", () => t.text().includes(`cannot renice ${first} to 0`));
    }
    t.keys("k");
    await t.until("k opens the signal menu", () => t.text().includes(`Send a signal to ${first}`));
    assertIncludes(t.cursor(), "15 SIGTERM");
    t.keys("Escape");
    await t.until("Esc cancels", () => !t.text().includes("Send a signal"));
    assertEquals(alive(first), true);
    t.keys("k", "Down", "Enter");
    await t.until("the second signal is sent", () => !alive(first));
    await t.until("the status row says so", () => t.text().includes(`sent SIGKILL to ${first}`));

    // a terminal resized to 20×5 during a search, then back: the search is still open
    t.keys("/");
    t.type("slee");
    t.resize(20, 5);
    await t.until("too small", () => t.text().includes("terminal too small"));
    t.resize(columns, rows);
    await t.until("the search is back", () => t.text().includes("search: slee"));
    t.keys("Escape", "q");
    await t.until("q restores the shell", () => t.text().includes("READY"));
    assertEquals(t.text().includes("procpath top"), false);
  } finally {
    t.close();
    await family.group.kill();
  }
}

/** Moves a menu's choice with `key` until the chosen line (trimmed) passes `wanted`. */
async function menuTo(t: Terminal, wanted: (line: string) => boolean, key: string) {
  for (let step = 0; step < 100 && !wanted(t.cursor().trim()); step++) {
    const before = t.cursor();
    t.keys(key);
    await t.until(`${key} moves the menu`, () => t.cursor() !== before);
  }
  assertEquals(wanted(t.cursor().trim()), true, t.cursor());
}

/** The PIDs of the rows on screen (the first figure of each line under the header). */
function rowPids(t: Terminal): number[] {
  const lines = t.lines();
  const header = lines.findIndex((l) => /^\s+PID\S* /.test(l));
  // the last line's scroll marks ("12 more below") are not rows
  return lines.slice(header + 1).filter((l) => !/ more (above|below)/.test(l))
    .map((l) => /^\s*(\d+) /.exec(l)?.[1])
    .filter((pid): pid is string => pid !== undefined).map(Number);
}

/**
 * The rest of an htop user's habits (#34): htop's columns, T with its marker and the
 * top of the list in view, F6, u, K, search feedback, Z, and tagging three processes
 * that one k ends. `nobody` runs the three sleeps `u` looks for (as root), else the
 * test's own user does.
 */
async function driveHabits(columns: number, rows: number): Promise<void> {
  const marker = `8888.${Math.floor(Math.random() * 1e6)}`;
  const asNobody = Deno.uid() === 0 && hasSetpriv ? [...NOBODY] : [];
  const group = spawnGroup([
    ...asNobody,
    "sh",
    "-c",
    "sleep $0 & sleep $0 & sleep $0 & wait",
    marker,
  ]);
  const sleeps = () => {
    try {
      const text = Deno.readTextFileSync(`/proc/${group.pid}/task/${group.pid}/children`).trim();
      return text === "" ? [] : text.split(" ").map(Number).sort((a, b) => a - b);
    } catch {
      return [];
    }
  };
  await waitFor(() => sleeps().length === 3);
  const three = sleeps();
  const user = asNobody.length > 0 ? "nobody" : Deno.env.get("USER") ?? "root";
  const t = new Terminal(columns, rows, "scripts/procpath top -i 1");
  try {
    await t.until("the first frame", () => / more below/.test(t.text()));
    // htop's columns but SHR (it needs status read for every process), CPU% sorted
    const header = t.lines().find((l) => /^\s+PID /.test(l)) ?? "";
    assertEquals(
      header.trim().split(/\s+/).slice(0, 10),
      ["PID", "USER", "PRI", "NI", "VIRT", "RES", "S", "CPU%▼", "MEM%", "TIME+"],
    );
    for (const line of t.lines()) assertEquals(line.length <= columns, true, line);

    // T: TIME+ with its marker, the top of the list in view (after moving far down)
    t.keys("PageDown", "PageDown", "T");
    await t.until("T sorts by TIME+", () => t.text().includes("TIME+▼"));
    await t.until(
      "the top of the list in view",
      () => !t.lines()[rows - 1]!.includes("more above"),
    );
    assertEquals(t.cursor().trim().split(/\s+/)[0], String(rowPids(t)[0]));

    // F6: the sort menu, PID chosen
    t.keys("F6");
    await t.until("F6 opens the sort menu", () => t.text().includes("Sort by:"));
    await menuTo(t, (line) => line.startsWith("pid "), "Up");
    t.keys("Enter");
    await t.until("F6 sorted by PID", () => t.text().includes("PID▲"));

    // F3 search: a text that matches nothing says so while typing
    t.keys("F3");
    t.type("zz-no-such-command-zz");
    await t.until("no match while typing", () => t.lines()[rows - 1]!.includes("no match"));
    t.keys("Escape");

    // u: only that user's rows, the status line says which
    t.keys("u");
    await t.until("u opens the users", () => t.text().includes("all users"));
    await menuTo(t, (line) => line === user, "Down");
    t.keys("Enter");
    await t.until("only the user's rows", () => t.lines()[0].includes(`USER "${user}"`));
    await t.until("the user's rows alone", () => {
      const body = t.lines().filter((l) => /^\s+\d+ /.test(l));
      return body.length > 0 && body.every((l) => l.trim().split(/\s+/)[1] === user);
    });
    if (user === "nobody") {
      // nobody's processes are the test's three sleeps and their shell (others may run some)
      for (const pid of [group.pid, ...three]) {
        await t.until(`${pid} shown`, () => rowPids(t).includes(pid));
      }
    }

    // K hides kernel threads (kthreadd, PID 2, among them), and again shows them
    t.keys("u");
    await t.until("u opens the users again", () => t.text().includes("all users"));
    await menuTo(t, (line) => line === "all users", "Up");
    t.keys("Enter");
    await t.until("every user", () => !t.lines()[0].includes('USER "'));
    t.keys("Home");
    await t.until("PID 2 at the top", () => rowPids(t).includes(2));
    t.keys("K");
    await t.until("K hides kernel threads", () => !rowPids(t).includes(2));
    assertIncludes(t.lines()[0], "NO KERNEL THREADS");
    t.keys("K");
    await t.until("K shows them again", () => rowPids(t).includes(2));

    // Z pauses; space no longer does
    t.keys("Z");
    await t.until("Z pauses", () => t.lines()[0].startsWith("PAUSED"));
    t.keys("Z");
    await t.until("Z resumes", () => !t.lines()[0].startsWith("PAUSED"));

    // tag the three sleeps with space, k, SIGTERM: all three gone
    t.keys("\\");
    t.type(`sleep ${marker}`);
    t.keys("Enter");
    await t.until("the filter leaves the sleeps", () => rowPids(t).length === 3);
    t.keys("Home", "Space", "Space", "Space");
    await t.until("three tagged", () => t.lines()[0].includes("3 TAGGED"));
    t.keys("k");
    await t.until(
      "k offers the tagged",
      () => t.text().includes(`3 tagged processes (${three.join(", ")})`),
    );
    t.keys("Enter");
    await t.until("all three gone", () => three.every((pid) => !alive(pid)));
    await t.until("the status row says so", () => t.text().includes("sent SIGTERM to 3 processes"));
    await t.until("no tag left", () => !t.lines()[0].includes("TAGGED"));
    t.keys("q");
    await t.until("q restores the shell", () => t.text().includes("READY"));
  } finally {
    t.close();
    await group.kill();
  }
}

Deno.test({
  ...needs(`top's keys at 80×24 and 200×60 with ${FILLERS} more processes on the host`, {
    "tmux is not installed": hasTmux,
  }),
  async fn() {
    const fillers = spawnGroup([
      "sh",
      "-c",
      `i=0; while [ $i -lt ${FILLERS} ]; do sleep 6000 & i=$((i+1)); done; wait`,
    ]);
    try {
      const count = () => {
        try {
          return Deno.readTextFileSync(`/proc/${fillers.pid}/task/${fillers.pid}/children`)
            .trim().split(" ").length;
        } catch {
          return 0;
        }
      };
      assertEquals(await waitFor(() => count() >= FILLERS, 60000), true, `${count()} started`);
      await drive(80, 24);
      await drive(200, 60);
      await driveHabits(80, 24);
      await driveHabits(200, 60);
    } finally {
      await fillers.kill();
    }
  },
});

Deno.test({
  ...needs("a kill the system refuses is one line in the status row; top goes on", {
    "tmux is not installed": hasTmux,
    "setpriv is not installed": hasSetpriv || Deno.uid() !== 0,
  }),
  async fn() {
    // as root, top runs as uid 65534 against the test's process; else against PID 1 (root's)
    const family = Deno.uid() === 0 ? markedFamily() : null;
    const checkout = Deno.uid() === 0 ? await readableCheckout() : null;
    const target = family ? family.group.pid : 1;
    const command = checkout
      ? `${NOBODY.join(" ")} env HOME=/nonexistent ${checkout.procpath} top --pid ${target} -i 1`
      : `scripts/procpath top --pid ${target} -i 1`;
    const t = new Terminal(80, 24, command);
    try {
      await t.until("the first frame", () => t.cursor().includes(`${target} `));
      t.keys("k", "Enter");
      await t.until(
        "the refusal",
        () => t.lines()[23].startsWith(`cannot send SIGTERM to ${target}: `),
      );
      assertIncludes(t.lines()[23], "not permitted");
      assertEquals(family === null || alive(target), true);
      t.keys("q");
      await t.until("q restores the shell", () => t.text().includes("READY"));
    } finally {
      t.close();
      await family?.group.kill();
      await checkout?.remove();
    }
  },
});

Deno.test({
  ...needs("a replay's help lists the replay's keys only, and its header has bars", {
    "tmux is not installed": hasTmux,
  }),
  async fn() {
    const dir = await Deno.makeTempDir();
    const family = markedFamily();
    try {
      await waitFor(() => family.children().length === 2);
      const record = new Deno.Command(repoPath("scripts/procpath"), {
        args: [
          "record",
          "-r",
          "3",
          "-i",
          "0.2",
          "-d",
          `${dir}/r.sqlite`,
          "--pid",
          `${family.group.pid}`,
        ],
        stdout: "null",
        stderr: "null",
      });
      assertEquals((await record.output()).code, 0);
      for (const [columns, rows] of [[80, 24], [200, 60]]) {
        const t = new Terminal(columns, rows, `scripts/procpath top --recording ${dir}/r.sqlite`);
        try {
          await t.until("the replay", () => t.lines()[0].startsWith("replay "));
          // the header: the selection's tasks, its memory and CPU as bars
          await t.until("the header's bars", () => /^RSS\[.*\] {2}CPU\[.*\]$/.test(t.lines()[2]));
          assertIncludes(t.lines()[1], "tasks 3, ");
          t.keys("h");
          await t.until("h shows the keys", () => t.text().includes("any key closes this screen"));
          const help = t.text();
          for (const key of ["→ ←", "g G", "] [", "Z"]) assertIncludes(help, key);
          for (const key of ["k  F9", "renice", "tag"]) {
            assertEquals(help.includes(key), false, key);
          }
          t.keys("q");
          t.keys("q");
          await t.until("q restores the shell", () => t.text().includes("READY"));
        } finally {
          t.close();
        }
      }
    } finally {
      await family.group.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
