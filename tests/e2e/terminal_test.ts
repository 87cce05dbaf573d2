// What a person sees in a real terminal (tmux), at 40 and 80 columns.
import { installed, needs } from "../_helpers/needs.ts";
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, repoPath } from "../_helpers/run_procpath.ts";
import { waitFor } from "../_helpers/processes.ts";
import { newSession, tmux } from "../_helpers/tmux.ts";

const hasTmux = installed("tmux");

/** Runs `command` in a detached tmux session `columns` wide; returns the session name. */
function open(columns: number, command: string): string {
  const session = `procpath-test-${columns}-${crypto.randomUUID().slice(0, 8)}`;
  newSession(session, "-x", String(columns), "-y", "120", "-c", repoPath(""));
  tmux("send-keys", "-t", session, command, "Enter");
  return session;
}

/** The screen's lines with the terminal's own wrapping undone (-J), trailing spaces cut. */
const screen = (session: string) =>
  tmux("capture-pane", "-p", "-J", "-t", session).split("\n").map((l) => l.trimEnd());

for (const columns of [40, 80]) {
  Deno.test({
    ...needs(`help fits a ${columns}-column terminal: no option line runs past the edge`, {
      "tmux is not installed": hasTmux,
    }),
    async fn() {
      const session = open(columns, "unset COLUMNS; scripts/procpath record --help; echo END");
      try {
        await waitFor(() => screen(session).includes("END"));
        const lines = screen(session);
        const body = lines.slice(lines.findIndex((l) => l.startsWith("Options:")));
        const options = body.slice(0, body.findIndex((l) => l.startsWith("Examples:")));
        assertIncludes(options.join("\n"), "--database-file");
        assertIncludes(options.join("\n"), "(required)");
        for (const line of options) assertEquals(line.length <= columns, true, line);
      } finally {
        tmux("kill-session", "-t", session);
      }
    },
  });

  Deno.test({
    ...needs(`record's status line stays on one line of a ${columns}-column terminal`, {
      "tmux is not installed": hasTmux,
    }),
    async fn() {
      const dir = await Deno.makeTempDir();
      const session = open(
        columns,
        `scripts/procpath record --procfs ${fixture("browser")} -i 0.2 -d ${dir}/r.sqlite`,
      );
      try {
        // every screen seen until the third redraw: never two status lines, never a
        // wrapped one (between an iteration's erase and its redraw there may be none)
        const redrawn = await waitFor(() => {
          const status = screen(session).filter((l) => l.startsWith("recording: "));
          assertEquals(status.length <= 1, true, status.join("\n"));
          for (const line of status) assertEquals(line.length < columns, true, line);
          return status.some((line) => /^recording: ([3-9]|\d\d+) iterations/.test(line));
        });
        assertEquals(redrawn, true, screen(session).join("\n"));
        tmux("send-keys", "-t", session, "C-c", "");
        await waitFor(() => screen(session).some((l) => l.includes("INFO    procpath Recorded")));
        const after = screen(session);
        assertEquals(after.some((l) => l.startsWith("recording: ")), false, after.join("\n"));
      } finally {
        tmux("kill-session", "-t", session);
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
