/**
 * Returns the text of a file the user named on the command line (a playbook, a custom
 * query). Throws one line, `Cannot read "<path>": <reason>`, when it cannot be read or
 * is not a regular file (a FIFO would block the read forever).
 */
export function readUserFile(path: string): string {
  try {
    requireRegularFile(path);
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new Error(`Cannot read "${path}": ${(error as Error).message}`, { cause: error });
  }
}

/** Throws unless `path` names a regular file (following links). */
export function requireRegularFile(path: string): void {
  if (!Deno.statSync(path).isFile) throw new Error("not a regular file");
}

/**
 * Writes `text` to `path` through a temporary file beside it and a rename, so the
 * path holds either its old content or the whole new text, never a partial one (a
 * full disk, a kill). Throws one line, `Cannot write "<path>": <reason>`.
 */
export function writeFileAtomically(path: string, text: string): void {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  let temp: string | null = null;
  try {
    temp = Deno.makeTempFileSync({ dir, prefix: ".procpath-", suffix: ".tmp" });
    Deno.writeTextFileSync(temp, text);
    // a temporary file is private (0600); the result gets the mode a new file usually has
    Deno.chmodSync(temp, existingMode(path) ?? 0o644);
    Deno.renameSync(temp, path);
  } catch (error) {
    if (temp !== null) {
      try {
        Deno.removeSync(temp);
      } catch { /* already renamed or never written */ }
    }
    throw new Error(`Cannot write "${path}": ${(error as Error).message}`, { cause: error });
  }
}

function existingMode(path: string): number | null {
  try {
    return (Deno.statSync(path).mode ?? 0o644) & 0o7777;
  } catch {
    return null;
  }
}
