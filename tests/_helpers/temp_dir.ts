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
