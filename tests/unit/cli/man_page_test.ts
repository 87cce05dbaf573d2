import { assertEquals } from "../../_helpers/assert.ts";
import { manPage } from "../../../src/cli/man_page.ts";
import { loadCommands } from "../../../src/cli/commands.ts";
import { KEY_HELP } from "../../../src/top/interaction.ts";
import { installed } from "../../_helpers/needs.ts";

const page = async () => manPage((await loadCommands(undefined)).commands);

Deno.test("the man page lists every key of top's help screen, from its table", async () => {
  const text = await page();
  const section = text.slice(text.indexOf(".SH TOP KEYS"), text.indexOf(".SH EXIT STATUS"));
  const keys = [...section.matchAll(/^\.B (.*)$/gm)].map((m) => m[1]);
  const roffed = (s: string) => s.replace(/\\/g, "\\e").replace(/-/g, "\\-");
  assertEquals(keys, KEY_HELP.map((k) => roffed(k.keys)));
  assertEquals(section.includes("(live only)") && section.includes("(replay only)"), true);
});

Deno.test({
  name: "man reads the page without a warning at 80 and 60 columns",
  ignore: !installed("man"),
  async fn() {
    const file = await Deno.makeTempFile({ suffix: ".1" });
    try {
      await Deno.writeTextFile(file, await page());
      for (const columns of ["80", "60"]) {
        const out = await new Deno.Command("man", {
          args: ["--warnings", "-l", file],
          env: { COLUMNS: columns, MANPAGER: "cat", MAN_KEEP_FORMATTING: "" },
          stdout: "null",
          stderr: "piped",
        }).output();
        assertEquals(new TextDecoder().decode(out.stderr), "", columns);
      }
    } finally {
      await Deno.remove(file);
    }
  },
});
