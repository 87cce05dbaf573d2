import { assertEquals } from "../../_helpers/assert.ts";
import { describeExit } from "../../../src/record/exit_text.ts";

Deno.test("describeExit names the signal that ended the command", () => {
  assertEquals(describeExit(139, "SIGSEGV"), "exited with status 139 (killed by SIGSEGV)");
  assertEquals(
    describeExit(137, "SIGKILL", true),
    "exited with status 137 after a stop signal (killed by SIGKILL)",
  );
});

Deno.test("describeExit hints at the signal of a shell's 128 + N, and at nothing else", () => {
  assertEquals(
    describeExit(130, null),
    "exited with status 130 (128 + 2: a program it ran was likely killed by SIGINT)",
  );
  // 0, an ordinary failure, 128 itself and numbers past Linux's signals: the status alone
  for (const status of [0, 1, 127, 128, 160, 255]) {
    assertEquals(describeExit(status, null), `exited with status ${status}`);
  }
});
