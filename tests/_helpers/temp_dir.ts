/**
 * Runs `body` with a new temporary directory, then removes it with all it holds, even
 * when `body` throws: a failed test leaves nothing behind in /tmp.
 */
export async function withTempDir<T>(
  body: (dir: string) => Promise<T>,
  prefix?: string,
): Promise<T> {
  const dir = await Deno.makeTempDir(prefix === undefined ? {} : { prefix });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** `withTempDir` for a synchronous `body`. */
export function withTempDirSync<T>(body: (dir: string) => T, prefix?: string): T {
  const dir = Deno.makeTempDirSync(prefix === undefined ? {} : { prefix });
  try {
    return body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
