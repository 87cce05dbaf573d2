import { assertEquals } from "../../_helpers/assert.ts";
import { installed } from "../../_helpers/needs.ts";
import { parseElfSymbols, symbolAt } from "../../../src/inspect/elf_symbols.ts";

Deno.test({
  name: "parseElfSymbols() finds every function nm lists in a binary, at nm's address",
  ignore: !installed("nm"),
  fn() {
    // the oracle: binutils' nm over the same file (the running Deno, a large ELF file)
    const file = Deno.execPath();
    const nm = new Deno.Command("nm", { args: ["--defined-only", "-D", file], stdout: "piped" })
      .outputSync();
    const listed = new TextDecoder().decode(nm.stdout).split("\n")
      .map((line) => /^([0-9a-f]+) [Tt] (\S+)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => ({ address: BigInt(`0x${m![1]}`), name: m![2]! }));
    const table = parseElfSymbols(Deno.readFileSync(file))!;
    assertEquals(table !== null, true);
    if (listed.length === 0) return;
    // nm's addresses are the image's; a file offset maps back through the load segments
    let checked = 0;
    for (const { address, name } of listed.slice(0, 200)) {
      const segment = table.segments.find((s) => address >= s.vaddr && address < s.vaddr + s.size);
      if (!segment) continue;
      const offset = address - segment.vaddr + segment.offset;
      const found = symbolAt(table, offset);
      // aliases share an address: any of them names it
      const aliases = listed.filter((l) => l.address === address).map((l) => l.name);
      assertEquals(aliases.includes(found ?? ""), true, `${name} at ${address}: ${found}`);
      checked++;
    }
    assertEquals(checked > 0, true);
  },
});

Deno.test("parseElfSymbols() refuses what is not a 64-bit little-endian ELF file", () => {
  assertEquals(parseElfSymbols(new TextEncoder().encode("#!/bin/sh\necho hi\n")), null);
  assertEquals(parseElfSymbols(new Uint8Array(16)), null);
});
