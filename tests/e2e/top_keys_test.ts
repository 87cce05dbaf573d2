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
  const t = new Terminal(columns, rows, "scripts/procpath top -i 1 -s pid");
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
    await t.until("> sorts by the next column", () => t.text().includes("USR%▼"));
    t.keys("I");
    await t.until("I turns the order", () => t.text().includes("USR%▲"));
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

    // columns: USER added from the setup screen
    t.keys("C");
    await t.until("C shows the columns", () => t.text().includes("Columns:"));
    t.keys("Down", "Down", "Space", "Enter");
    await t.until("USER is shown", () => /PID\S* USER /.test(t.text()));

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
