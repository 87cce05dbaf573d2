/**
 * The size of the terminal procpath writes to, or `null` when there is none (a pipe, a
 * pseudo-terminal that reports 0×0, a sandbox without the permission).
 */
export function terminalSize(): { columns: number; rows: number } | null {
  try {
    const size = Deno.consoleSize();
    return size.columns > 0 ? size : null;
  } catch {
    return null;
  }
}
