import { assertEquals } from "../../_helpers/assert.ts";
import { repoPath } from "../../_helpers/run_procpath.ts";

/**
 * Runs a script in a Deno of its own with `flags`: it fills the young generation with
 * garbage, calls `fn` of src/runtime/young_gc.ts, and prints the young generation's use
 * before and after in bytes (V8's own heap statistics, not procpath's). Each call is
 * 200 ms after the one before, as the function allows.
 */
async function youngUse(fn: string, flags: string[]): Promise<[number, number]> {
  const script = `
    import v8 from "node:v8";
    import { ${fn} } from ${JSON.stringify(repoPath("src/runtime/young_gc.ts"))};
    const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_used_size;
    // two collections first (200 ms apart, as the function allows) move the runtime's own
    // young objects out, so what is young next is this script's garbage
    for (let round = 0; round < 2; round++) {
      ${fn}();
      await new Promise((resolve) => setTimeout(resolve, 210));
    }
    let keep = 0;
    for (let i = 0; i < 4000; i++) keep += { i, text: "x" + i }.text.length;
    const before = used();
    ${fn}();
    console.log(JSON.stringify([before, used(), keep]));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags, "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = output.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const { stdout, success } = await output.output();
  assertEquals(success, true);
  const [before, after] = JSON.parse(new TextDecoder().decode(stdout));
  return [before, after];
}

for (const fn of ["collectSampleGarbage", "collectRefreshGarbage"]) {
  Deno.test(`${fn}() empties the young generation with --expose-gc, and does nothing without`, async () => {
    const [before, after] = await youngUse(fn, ["--v8-flags=--expose-gc"]);
    assertEquals(before > 50_000 && after < before / 2, true, `${before} → ${after}`);
    const [plainBefore, plainAfter] = await youngUse(fn, []);
    assertEquals(plainAfter >= plainBefore, true, `${plainBefore} → ${plainAfter}`);
  });
}
