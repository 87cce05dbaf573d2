import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { convertRecording } from "../../../src/convert/convert_recording.ts";
import { columnsFor, openStore } from "../../../src/store/mod.ts";
import { withTempDirSync } from "../../_helpers/temp_dir.ts";

function recording(path: string) {
  const columns = columnsFor(["stat"]);
  const store = openStore(path, { columns, meta: { procfile_list: '["stat"]' } });
  const row = (pid: number) =>
    columns.map((c) => c.name === "stat_pid" ? pid : c.sqlType === "TEXT" ? "S" : 0);
  for (let ts = 1; ts <= 5; ts++) store.insertSnapshot(ts, [row(1), row(2)]);
  store.close();
}

Deno.test("convertRecording() writes the compact copy and the plain one back, and leaves nothing beside them", () => {
  withTempDirSync((dir) => {
    recording(`${dir}/in.sqlite`);
    const there = convertRecording({
      input: `${dir}/in.sqlite`,
      output: `${dir}/c.sqlite`,
      plain: false,
    });
    assertEquals([there.from, there.to, there.rows, there.samples], ["plain", "compact", 10, 5]);
    assertEquals(there.bytesOut, Deno.statSync(`${dir}/c.sqlite`).size);
    const back = convertRecording({
      input: `${dir}/c.sqlite`,
      output: `${dir}/p.sqlite`,
      plain: true,
    });
    assertEquals([back.from, back.to, back.rows], ["compact", "plain", 10]);
    const db = new DatabaseSync(`${dir}/p.sqlite`, { readOnly: true });
    assertEquals(
      db.prepare("SELECT type FROM sqlite_master WHERE name = 'record'").get()?.type,
      "table",
    );
    db.close();
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "c.sqlite",
      "in.sqlite",
      "p.sqlite",
    ]);
  });
});

Deno.test("convertRecording() refuses an input that is not a recording, or itself as output, and changes nothing", () => {
  withTempDirSync((dir) => {
    Deno.writeTextFileSync(`${dir}/notes.txt`, "not a database\n");
    Deno.writeTextFileSync(`${dir}/out.sqlite`, "kept\n");
    assertThrows(
      () =>
        convertRecording({ input: `${dir}/notes.txt`, output: `${dir}/out.sqlite`, plain: false }),
      /Cannot convert ".*notes.txt": it is not a readable SQLite database/,
    );
    recording(`${dir}/in.sqlite`);
    const before = Deno.readFileSync(`${dir}/in.sqlite`);
    Deno.symlinkSync(`${dir}/in.sqlite`, `${dir}/link.sqlite`);
    assertThrows(
      () =>
        convertRecording({ input: `${dir}/in.sqlite`, output: `${dir}/link.sqlite`, plain: false }),
      /Cannot convert ".*in.sqlite" into itself/,
    );
    assertThrows(
      () =>
        convertRecording({
          input: `${dir}/missing.sqlite`,
          output: `${dir}/out.sqlite`,
          plain: false,
        }),
      /Cannot convert ".*missing.sqlite": No such file/,
    );
    assertEquals(Deno.readTextFileSync(`${dir}/out.sqlite`), "kept\n");
    assertEquals(Deno.readFileSync(`${dir}/in.sqlite`), before);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "in.sqlite",
      "link.sqlite",
      "notes.txt",
      "out.sqlite",
    ]);
  });
});
