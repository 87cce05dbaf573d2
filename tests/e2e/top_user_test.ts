// Live top's USER, looked up only where it shows or chooses rows (src/top/owners.ts):
// the rows on screen show their owners, and `u` with USER hidden still offers every
// user and keeps to the chosen one. The oracle is coreutils' `stat -c %U /proc/PID`.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { repoPath } from "../_helpers/run_procpath.ts";
import { spawnGroup, waitFor } from "../_helpers/processes.ts";
import { NOBODY } from "../_helpers/unprivileged.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";

const hasTmux = installed("tmux");
const asNobody = Deno.uid() === 0 && installed("setpriv");

/** The owner's name of /proc/PID as coreutils' stat prints it; null once gone. */
function ownerOf(pid: number): string | null {
  const out = new Deno.Command("stat", { args: ["-c", "%U", `/proc/${pid}`], stderr: "null" })
    .outputSync();
  return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
}

/** A tmux terminal 100×30 running `command` in the checkout. */
function terminal(command: string) {
  const session = `procpath-user-${crypto.randomUUID().slice(0, 8)}`;
  newSession(session, "-x", "100", "-y", "30", "-c", repoPath(""));
  tmux("send-keys", "-t", session, `clear; echo READY; ${command}`, "Enter");
  const lines = () => tmux("capture-pane", "-p", "-t", session).split("\n");
  const text = () => lines().join("\n");
  const cursor = () => {
    const raw = tmux("capture-pane", "-p", "-e", "-t", session).split("\n");
    // deno-lint-ignore no-control-regex -- the colours tmux puts back are what is cut
    return (raw.find((l) => l.includes("\x1b[7m")) ?? "").replace(/\x1b\[[0-9;]*m/g, "").trim();
  };
  const until = async (what: string, condition: () => boolean) =>
    assertEquals(await waitFor(condition, 15000), true, `${what}; the screen:\n${text()}`);
  /** The PID and USER of each process row (`--columns pid,user`) or the PID alone. */
  const rows = () =>
    lines().filter((l) => /^\s+\d+ /.test(l) && !/ more (above|below)/.test(l))
      .map((l) => l.trim().split(/\s+/));
  /** Waits for `count` refreshes: the status line's clock moves on each. */
  const refreshes = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const status = lines()[0];
      await until("a refresh", () => lines()[0] !== status);
    }
  };
  return {
    refreshes,
    lines,
    text,
    cursor,
    until,
    rows,
    keys: (...keys: string[]) => tmux("send-keys", "-t", session, ...keys),
    type: (text: string) => tmux("send-keys", "-t", session, "-l", text),
    close: () => tmux("kill-session", "-t", session),
  };
}

Deno.test({
  ...needs("live top's USER: the owners of the rows shown, and u with USER hidden", {
    "tmux is not installed": hasTmux,
  }),
  async fn() {
    const marker = `6666.${Math.floor(Math.random() * 1e6)}`;
    const group = spawnGroup([
      ...(asNobody ? NOBODY : []),
      "sh",
      "-c",
      "sleep $0 & sleep $0 & wait",
      marker,
    ]);
    try {
      const children = () => {
        try {
          return Deno.readTextFileSync(`/proc/${group.pid}/task/${group.pid}/children`).trim()
            .split(" ").filter(Boolean).map(Number);
        } catch {
          return [];
        }
      };
      await waitFor(() => children().length === 2);
      const family = [group.pid, ...children()].sort((a, b) => a - b);
      // the shell runs its sleeps after setpriv's exec: its owner is the one it keeps
      const user = ownerOf(group.pid)!;
      assertEquals(asNobody ? user === "nobody" : user !== null, true, String(user));

      // USER shown: each row's owner is stat's (the host's rows on screen too)
      const shown = terminal("scripts/procpath top -i 1 -s pid --columns pid,user");
      try {
        await shown.until("the first frame", () => shown.rows().length > 10);
        // two refreshes later: the USER of each refresh's rows is looked up again
        await shown.refreshes(2);
        const rows = shown.rows();
        const checked = rows.filter(([pid, owner]) => {
          const now = ownerOf(Number(pid));
          if (now === null) return false; // ended since the frame
          assertEquals(owner, now, `PID ${pid}`);
          return true;
        });
        assertEquals(checked.length > 10, true, shown.text());
        shown.keys("q");
        await shown.until("q restores the shell", () => shown.text().includes("READY"));
      } finally {
        shown.close();
      }

      // USER hidden: u still offers the family's user, and keeps to it
      const t = terminal("scripts/procpath top -i 1 -s pid --columns pid,cpu");
      try {
        await t.until("the first frame", () => t.rows().length > 10);
        t.keys("u");
        await t.until("u opens the users", () => t.text().includes("all users"));
        await t.until(`u offers ${user}`, () => t.lines().some((l) => l.trim() === user));
        for (let step = 0; step < 100 && t.cursor() !== user; step++) {
          const before = t.cursor();
          t.keys("Down");
          await t.until("Down moves the menu", () => t.cursor() !== before);
        }
        t.keys("Enter");
        await t.until("only the user's rows", () => t.lines()[0]!.includes(`USER "${user}"`));
        t.keys("\\");
        t.type(marker);
        t.keys("Enter");
        await t.until(
          "the family's three processes",
          () => t.rows().map(([pid]) => Number(pid)).join() === family.join(),
        );
        // another refresh: still the user's alone
        await t.refreshes(1);
        assertEquals(t.rows().map(([pid]) => Number(pid)), family);
        t.keys("q");
        await t.until("q restores the shell", () => t.text().includes("READY"));
      } finally {
        t.close();
      }
    } finally {
      await group.kill();
    }
  },
});

/** The `stat` calls of `/proc/PID` directories (a USER lookup each) in an strace log. */
function ownerLookups(log: string): number {
  return Deno.readTextFileSync(log).split("\n").filter((l) => /"\/proc\/\d+"/.test(l)).length;
}

Deno.test({
  ...needs(
    "top looks up no owner while USER is hidden, and only the rows on screen's while shown",
    {
      "tmux is not installed": hasTmux,
      "strace is not installed": installed("strace"),
    },
  ),
  async fn() {
    const dir = await Deno.makeTempDir();
    // enough processes that looking up every one's owner could not pass for the screen's
    const fillers = spawnGroup([
      "sh",
      "-c",
      "i=0; while [ $i -lt 300 ]; do sleep 6000 & i=$((i+1)); done; wait",
    ]);
    try {
      const started = () => {
        try {
          return Deno.readTextFileSync(`/proc/${fillers.pid}/task/${fillers.pid}/children`)
            .trim().split(" ").filter(Boolean).length;
        } catch {
          return 0;
        }
      };
      assertEquals(await waitFor(() => started() >= 300, 30000), true, `${started()} started`);
      const trace = (log: string) =>
        `strace -f -qq -e trace=stat,statx,newfstatat,lstat -o ${log} scripts/procpath`;

      // batch, USER hidden then shown: none, then every row's (a block prints them all)
      for (const [columns, some] of [["pid,cpu", false], ["pid,user", true]] as const) {
        const log = `${dir}/batch-${columns}.log`;
        const out = await new Deno.Command("sh", {
          args: ["-c", `${trace(log)} top -b -i 0.2 -r 2 --columns ${columns}`],
          cwd: repoPath(""),
          stdout: "piped",
          stderr: "null",
        }).output();
        assertEquals(out.code, 0);
        const rows = new TextDecoder().decode(out.stdout).split("\n")
          .filter((l) => /^\s+\d+ /.test(l)).length;
        const lookups = ownerLookups(log);
        assertEquals(some ? lookups >= rows / 2 && rows > 600 : lookups === 0, true, `${lookups}`);
      }

      // live, 100×30: hidden, none; shown, the ~26 rows on screen a frame, not every process
      for (const [columns, most] of [["pid,cpu", 0], ["pid,user", 26 * 8]] as const) {
        const log = `${dir}/live-${columns}.log`;
        const t = terminal(`${trace(log)} top -i 1 -s pid --columns ${columns}`);
        try {
          await t.until("the first frame", () => t.rows().length > 10);
          await t.refreshes(3);
          t.keys("q");
          await t.until("q restores the shell", () => t.text().includes("READY"));
        } finally {
          t.close();
        }
        const lookups = ownerLookups(log);
        assertEquals(lookups <= most && (most === 0 || lookups > 0), true, `${lookups}`);
      }
    } finally {
      await fillers.kill();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
