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
