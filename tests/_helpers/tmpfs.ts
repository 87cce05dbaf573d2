/**
 * Runs `fn` with a tmpfs of `size` (`"8k"`, `"192k"`) mounted on a new temporary
 * directory (root only), read-only with `readOnly`; unmounts and removes it in the end.
 * Returns false, without running `fn`, when it cannot mount: the caller says why it
 * skips.
 */
export async function withTmpfs(
  size: string,
  fn: (mount: string) => Promise<void>,
  readOnly = false,
): Promise<boolean> {
  const mount = await Deno.makeTempDir();
  const options = `size=${size}${readOnly ? ",ro" : ""}`;
  const mounted = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", options, "tmpfs", mount],
    stderr: "null",
  }).outputSync().success;
  if (!mounted) {
    await Deno.remove(mount, { recursive: true });
    return false;
  }
  try {
    await fn(mount);
  } finally {
    new Deno.Command("umount", { args: [mount] }).outputSync();
    await Deno.remove(mount, { recursive: true });
  }
  return true;
}
