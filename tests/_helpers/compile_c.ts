/**
 * Compiles the C file `source` to `out` with `cc` (`flags` first, as `-O2`, `-pthread`)
 * and returns `out`; throws with the compiler's messages when it fails.
 */
export function compileC(source: string, out: string, flags: string[] = []): string {
  const result = new Deno.Command("cc", {
    args: [...flags, "-o", out, source],
    stdout: "null",
    stderr: "piped",
  }).outputSync();
  if (!result.success) throw new Error(new TextDecoder().decode(result.stderr));
  return out;
}
