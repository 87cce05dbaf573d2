// Conformance with Procpath 1.14: the facts of docs/compatibility.md
// (§4.5 descent and union order, §5 exact integers and host facts, §6 the SQL dialect,
// §7 ε = 0, §8 lenient -e, §2.5 the dry-run log line), each pinned end to end.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { logLines, runProcpath } from "../_helpers/run_procpath.ts";
import { sql } from "../_helpers/sqlite.ts";
import { statLine } from "../_helpers/stat_line.ts";
import { syntheticRecording } from "../_helpers/synthetic_recording.ts";
import { writeFakeTree } from "../_helpers/fake_tree.ts";
import { parseXml } from "../_helpers/xml.ts";
import { parseAuxv } from "../../src/procfs/mod.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

/** The contract's small tree, 1 → {10 → {11, 12}, 20}, as a procfs directory. */
async function smallTree(): Promise<string> {
  const dir = await Deno.makeTempDir();
  writeFakeTree(dir, [
    { pid: 1, ppid: 0 },
    { pid: 10, ppid: 1 },
    { pid: 11, ppid: 10 },
    { pid: 12, ppid: 10 },
    { pid: 20, ppid: 1 },
  ]);
  return dir;
}

/** The contract's measured tree: 1 → 18467 → {18482 → 18484 → {ten}, 18503 → 18517, 18508}. */
async function measuredTree(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const leaves = [18529, 18531, 18555, 18569, 18571, 18593, 18757, 18769, 18770, 18942];
  writeFakeTree(dir, [
    { pid: 1, ppid: 0 },
    { pid: 18467, ppid: 1 },
    { pid: 18482, ppid: 18467 },
    { pid: 18484, ppid: 18482 },
    ...leaves.map((pid) => ({ pid, ppid: 18484 })),
    { pid: 18503, ppid: 18467 },
    { pid: 18517, ppid: 18503 },
    { pid: 18508, ppid: 18467 },
  ]);
  return dir;
}

const pidsOf = async (procfs: string, path: string) => {
  const { code, stdout, stderr } = await runProcpath([
    "query",
    "--procfs",
    procfs,
    "-d",
    ",",
    path,
  ]);
  assertEquals([code, stderr], [0, ""]);
  return stdout.trim();
};

Deno.test("§4.5: recursive descent yields a sibling list's matches before anything below them", async () => {
  const small = await smallTree();
  assertEquals(await pidsOf(small, "$..stat.pid"), "1,10,20,11,12");
  assertEquals(await pidsOf(small, "$..children[0,1].stat.pid"), "1,10,11,20,12");
  assertEquals(await pidsOf(small, "$..children[?(@.stat.pid == 10)]..pid"), "10,11,12");
  const json = await runProcpath(["query", "--procfs", small, "$..stat.pid"]);
  assertEquals(json.stdout, "[1, 10, 20, 11, 12]\n");
  const measured = await measuredTree();
  assertEquals(
    await pidsOf(measured, "$..stat.pid"),
    "1,18467,18482,18503,18508,18484,18529,18531,18555,18569,18571,18593,18757,18769,18770,18942,18517",
  );
  assertEquals(
    await pidsOf(measured, "$..children[0,1].stat.pid"),
    "1,18467,18482,18484,18517,18529,18503,18531",
  );
  await Deno.remove(small, { recursive: true });
  await Deno.remove(measured, { recursive: true });
});

Deno.test("§4.5: the order reaches record's rows and watch's variables", async () => {
  const small = await smallTree();
  const db = `${small}.sqlite`;
  const recorded = await runProcpath([
    "record",
    "--procfs",
    small,
    "-r",
    "1",
    "-d",
    db,
    "$..children[?(@.stat.pid in [20, 11])]",
  ]);
  assertEquals(recorded.code, 0, recorded.stderr);
  assertEquals(sql(db, "SELECT stat_pid FROM record ORDER BY record_id").map((r) => r.stat_pid), [
    20,
    11,
  ]);
  const watched = await runProcpath([
    "watch",
    "--procfs",
    small,
    "-q",
    "P=$..stat.pid",
    "-c",
    "echo $P",
    "-i",
    "1",
    "-r",
    "1",
  ]);
  assertEquals(logLines(watched.stderr), ["INFO №1: 1,10,20,11,12"]);
  await Deno.remove(small, { recursive: true });
  await Deno.remove(db);
});

Deno.test("§5: integers are exact at any size, from procfs through JSON and SQLite and back", async () => {
  await withTempDir(async (dir) => {
    writeFakeTree(dir, [{ pid: 1, ppid: 0 }]);
    const huge = "18446744073709551615"; // 2^64 − 1
    const int64Max = "9223372036854775807"; // 2^63 − 1
    Deno.writeTextFileSync(
      `${dir}/1/stat`,
      statLine({ pid: 1, ppid: 0, comm: "init", vsize: 123456789 }).replace("123456789", huge),
    );
    Deno.writeTextFileSync(
      `${dir}/1/io`,
      `rchar: ${huge}\nwchar: 1\nsyscr: ${int64Max}\nsyscw: 2\nread_bytes: 3\nwrite_bytes: 4\ncancelled_write_bytes: 5\n`,
    );
    const shown = await runProcpath(["query", "--procfs", dir, "-f", "stat,io", "$..children[0]"]);
    assertIncludes(shown.stdout, `"vsize": ${huge}`);
    assertIncludes(shown.stdout, `"rchar": ${huge}`);
    assertIncludes(shown.stdout, `"syscr": ${int64Max}`);
    const delimited = await runProcpath(["query", "--procfs", dir, "-d", ",", "$..stat.vsize"]);
    assertEquals(delimited.stdout, `${huge}\n`);

    const db = `${dir}/r.sqlite`;
    await runProcpath(["record", "--procfs", dir, "-f", "stat,io", "-r", "1", "-d", db]);
    assertEquals(
      sql(
        db,
        "SELECT typeof(io_syscr) s, typeof(io_rchar) r, io_rchar, CAST(io_syscr AS TEXT) syscr FROM record",
      ),
      [{ s: "integer", r: "text", io_rchar: "0xffffffffffffffff", syscr: int64Max }],
    );
    const back = await runProcpath([
      "query",
      "--procfs",
      dir,
      "-f",
      "stat,io",
      "$..children[0]",
      "SELECT io_rchar, io_syscr, stat_vsize FROM record",
    ]);
    assertEquals(
      back.stdout,
      `[{"io_rchar": ${huge}, "io_syscr": ${int64Max}, "stat_vsize": ${huge}}]\n`,
    );
  });
});

Deno.test("§5: host facts come from the machine, so a tree without self/auxv records", async () => {
  const small = await smallTree();
  const db = `${small}.sqlite`;
  const { code, stderr } = await runProcpath(["record", "--procfs", small, "-r", "1", "-d", db]);
  assertEquals([code, logLines(stderr).length], [0, 1]);
  const meta = Object.fromEntries(
    sql(db, "SELECT key, value FROM meta").map((r) => [r.key, r.value]),
  );
  const host = parseAuxv(Deno.readFileSync("/proc/self/auxv"));
  assertEquals(meta.platform_node, Deno.hostname());
  assertEquals(meta.page_size, String(host.pageSize));
  assertEquals(meta.clock_ticks, String(host.clockTicks));
  assertEquals(
    meta.physical_pages,
    String(Math.floor(Deno.systemMemoryInfo().total / host.pageSize!)),
  );
  const withSql = await runProcpath([
    "query",
    "--procfs",
    small,
    "$..children[?(@.stat.pid == 1)]",
    "SELECT COUNT(*) n FROM record",
  ]);
  assertEquals([withSql.code, withSql.stdout], [0, '[{"n": 5}]\n']); // 1 and its subtree
  await Deno.remove(small, { recursive: true });
  await Deno.remove(db);
});

Deno.test("§6: double-quoted string literals work in query SQL and custom query files", async () => {
  const small = await smallTree();
  const quoted = await runProcpath([
    "query",
    "--procfs",
    small,
    "$..children[?(@.stat.pid == 1)]",
    'SELECT "," || stat_pid || "," x FROM record WHERE stat_pid = 1',
  ]);
  assertEquals([quoted.code, quoted.stdout], [0, '[{"x": ",1,"}]\n']);
  const db = `${small}.sqlite`;
  await runProcpath(["record", "--procfs", small, "-r", "1", "-d", db]);
  Deno.writeTextFileSync(
    `${small}/q.sql`,
    'SELECT ts, stat_pid pid, stat_rss value FROM record WHERE instr(",1,10,", "," || stat_pid || ",")',
  );
  const plotted = await runProcpath([
    "plot",
    "-d",
    db,
    "--custom-query-file",
    `${small}/q.sql`,
    "-f",
    `${small}/p.svg`,
  ]);
  assertEquals([plotted.code, plotted.stderr], [0, ""]);
  await Deno.remove(small, { recursive: true });
  await Deno.remove(db);
});

Deno.test("§7: plot -e 0 draws every point; -e 1 drops the collinear ones", async () => {
  await withTempDir(async (dir) => {
    const db = syntheticRecording(`${dir}/r.sqlite`, ["stat", "cmdline"]);
    const insert = db.prepare(
      "INSERT INTO record (ts, stat_pid, stat_ppid, stat_comm, stat_rss) VALUES (?, 7, 1, 'x', ?)",
    );
    for (let i = 0; i < 6; i++) insert.run(1700000000 + i, 256 * i);
    db.close();
    const segments = async (epsilon: string) => {
      const out = `${dir}/e${epsilon}.svg`;
      const { code } = await runProcpath([
        "plot",
        "-d",
        `${dir}/r.sqlite`,
        "-q",
        "rss",
        "-e",
        epsilon,
        "-f",
        out,
      ]);
      assertEquals(code, 0);
      const line = Array.from(parseXml(Deno.readTextFileSync(out)).getElementsByTagName("path"))
        .find((p) => p.getAttribute("class") === "line")!;
      return (line.getAttribute("d")!.match(/[ML]/g) ?? []).length;
    };
    assertEquals(await segments("0"), 6);
    assertEquals(await segments("1"), 2);
  });
});

Deno.test("§8: -e keeps a value's first line and warns about a failing command without stopping", async () => {
  const small = await smallTree();
  const db = `${small}.sqlite`;
  const { code, stderr } = await runProcpath([
    "record",
    "--procfs",
    small,
    "-e",
    'P=printf "10\\n11"; exit 3',
    "-v",
    "1",
    "-i",
    "0.05",
    "-r",
    "3",
    "-d",
    db,
    "$..children[?(@.stat.pid == $P)]",
  ]);
  assertEquals(code, 0);
  const lines = logLines(stderr);
  assertEquals(
    lines.filter((l) => l.includes("exited with code 3; using its output")).length >= 3,
    true,
    stderr,
  );
  assertIncludes(lines.at(-1)!, "INFO Recorded 3 samples, 9 rows");
  assertEquals(sql(db, "SELECT DISTINCT stat_pid FROM record ORDER BY 1").map((r) => r.stat_pid), [
    10,
    11,
    12,
  ]);
  await Deno.remove(small, { recursive: true });
  await Deno.remove(db);
});
