// In a child process of its own: the test runner shares one process among test files,
// so a signal sent to it would reach their listeners too.
import { assertEquals } from "../../_helpers/assert.ts";
import { repoPath } from "../../_helpers/run_procpath.ts";

const SCRIPT = `
import { listenForStop } from "${repoPath("src/signals/stop_signals.ts")}";
const stop = listenForStop();
const started = performance.now();
console.log("ready");
await stop.sleep(60_000);
console.log("woke", stop.requested, stop.again.aborted, performance.now() - started < 30_000);
await new Promise((resolve) => stop.again.addEventListener("abort", resolve));
console.log("again", stop.again.aborted);
stop.dispose();
`;

Deno.test("a stop signal ends a sleep early; a second one says the user will not wait", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", SCRIPT],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`ended before ${pattern}: ${text}`);
      text += value;
    }
  };
  try {
    await until(/ready\n/);
    child.kill("SIGTERM");
    await until(/woke[^\n]*\n/); // the second signal once the first was seen
    child.kill("SIGHUP");
    await until(/again[^\n]*\n/);
    assertEquals(text.split("\n").slice(1, 3), ["woke true false true", "again true"]);
    assertEquals((await child.status).code, 0);
  } catch (error) {
    child.kill("SIGKILL");
    await child.status;
    throw error;
  }
});
