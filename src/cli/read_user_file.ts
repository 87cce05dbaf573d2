/**
 * Returns the text of a file the user named on the command line (a playbook, a custom
 * query). Throws one line, `Cannot read "<path>": <reason>`, when it cannot be read.
 */
export function readUserFile(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    throw new Error(`Cannot read "${path}": ${(error as Error).message}`);
  }
}
