/** Runs `tmux` with `args` (a detached session's commands); returns what it printed. */
export function tmux(...args: string[]): string {
  return new TextDecoder().decode(new Deno.Command("tmux", { args }).outputSync().stdout);
}
