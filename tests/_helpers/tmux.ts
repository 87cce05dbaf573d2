/** Runs `tmux` with `args` (a detached session's commands); returns what it printed. */
export function tmux(...args: string[]): string {
  return new TextDecoder().decode(new Deno.Command("tmux", { args }).outputSync().stdout);
}

/**
 * Starts a detached session `name` (`args`: its size and directory) and returns once it
 * exists. tmux ends its server with the last session: a session asked for while another
 * test's last one was closing found a server on its way out and was never made.
 */
export function newSession(name: string, ...args: string[]): void {
  for (let attempt = 0; attempt < 20; attempt++) {
    tmux("new-session", "-d", "-s", name, ...args);
    const made = new Deno.Command("tmux", { args: ["has-session", "-t", name], stderr: "null" })
      .outputSync().success;
    if (made) return;
  }
  throw new Error(`tmux could not start the session ${name}`);
}
