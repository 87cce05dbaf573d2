import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { openOutput, OutputError, writeOutputFile } from "../../../src/files/output_file.ts";
import { followLinks, planOutput } from "../../../src/files/output_path.ts";

Deno.test("planOutput: stdout, a new file, a regular file, a link's target, a FIFO, a directory", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assertEquals(planOutput("-"), { kind: "stdout" });
    assertEquals(planOutput(`${dir}/new.svg`), {
      kind: "replace",
      path: `${dir}/new.svg`,
      dir,
      existing: null,
    });
    Deno.writeTextFileSync(`${dir}/old.svg`, "x");
    Deno.chmodSync(`${dir}/old.svg`, 0o640);
    const old = planOutput(`${dir}/old.svg`);
    assertEquals(old.kind === "replace" && old.existing?.mode, 0o640);
    Deno.symlinkSync("old.svg", `${dir}/a`);
    Deno.symlinkSync("a", `${dir}/b`);
    assertEquals(followLinks(`${dir}/b`).path, `${dir}/old.svg`);
    new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).outputSync();
    assertEquals(planOutput(`${dir}/fifo`), { kind: "direct", path: `${dir}/fifo` });
    assertThrows(() => planOutput(dir), /it is a directory/);
    Deno.symlinkSync("loop", `${dir}/loop`);
    assertThrows(() => planOutput(`${dir}/loop`), /too many levels of symbolic links/);
    assertThrows(() => planOutput(""), OutputError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an aborted output leaves the old file and no temporary file", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/chart.svg`, "old");
    const output = openOutput(`${dir}/chart.svg`);
    output.write("new, half written");
    output.abort();
    assertEquals(Deno.readTextFileSync(`${dir}/chart.svg`), "old");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["chart.svg"]);
    writeOutputFile(`${dir}/chart.svg`, "new");
    assertEquals(Deno.readTextFileSync(`${dir}/chart.svg`), "new");
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["chart.svg"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a new file gets the mode the umask allows", () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeOutputFile(`${dir}/new.om`, "# EOF\n");
    assertEquals(Deno.statSync(`${dir}/new.om`).mode! & 0o777, 0o666 & ~Deno.umask());
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
