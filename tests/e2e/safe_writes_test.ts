// Writes never destroy, refusals never modify, no error is swallowed: each test
// reproduces a defect that was measured and pins what procpath does instead.
import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, logLines, runProcpath, spawnProcpath } from "../_helpers/run_procpath.ts";
import { sql } from "../_helpers/sqlite.ts";
import { syntheticRecording } from "../_helpers/synthetic_recording.ts";
import { needs } from "../_helpers/needs.ts";
import { readUntil } from "../_helpers/processes.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { withTmpfs } from "../_helpers/tmpfs.ts";
import { recordFixture } from "../_helpers/record_fixture.ts";

const BROWSER = fixture("browser");
const isRoot = Deno.uid() === 0;
const unsanitized = { sanitizeResources: false, sanitizeOps: false };

/** A small recording in a new directory, for plot and backfill to read. */
async function recordingDir(): Promise<{ dir: string; db: string }> {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/r.sqlite`;
  await recordFixture(db, ["-r", "3", "-i", "0"]);
  return { dir, db };
}

const plot = (db: string, file: string) => runProcpath(["plot", "-d", db, "-q", "rss", "-f", file]);

Deno.test("plot -f writes into a FIFO, through a symlink and to stdout, and refuses a directory", async () => {
  const { dir, db } = await recordingDir();
  // a FIFO is written, not replaced: the reader gets the chart and the FIFO stays
  const fifo = `${dir}/fifo`;
  new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
  const reader = new Deno.Command("cat", { args: [fifo], stdout: "piped" }).output();
  const viaFifo = await plot(db, fifo);
  assertEquals(viaFifo.code, 0, viaFifo.stderr);
  assertIncludes(new TextDecoder().decode((await reader).stdout), "<svg");
  assertEquals(Deno.lstatSync(fifo).isFifo, true);

  // a symlink is followed: the link stays, its target gets the chart and keeps its mode
  Deno.writeTextFileSync(`${dir}/target.svg`, "old");
  Deno.chmodSync(`${dir}/target.svg`, 0o640);
  Deno.symlinkSync("target.svg", `${dir}/link.svg`);
  const viaLink = await plot(db, `${dir}/link.svg`);
  assertEquals(viaLink.code, 0, viaLink.stderr);
  assertEquals(Deno.lstatSync(`${dir}/link.svg`).isSymlink, true);
  assertIncludes(Deno.readTextFileSync(`${dir}/target.svg`), "<svg");
  assertEquals(Deno.statSync(`${dir}/target.svg`).mode! & 0o777, 0o640);

  // a dangling link's target is created in the target's directory
  Deno.mkdirSync(`${dir}/elsewhere`);
  Deno.symlinkSync("elsewhere/new.svg", `${dir}/dangling.svg`);
  assertEquals((await plot(db, `${dir}/dangling.svg`)).code, 0);
  assertEquals(Deno.lstatSync(`${dir}/dangling.svg`).isSymlink, true);
  assertIncludes(Deno.readTextFileSync(`${dir}/elsewhere/new.svg`), "<svg");

  // - is standard output
  const toStdout = await plot(db, "-");
  assertEquals(toStdout.code, 0, toStdout.stderr);
  assertEquals(toStdout.stdout.startsWith("<?xml"), true);

  // a directory is refused with one line and left as it was
  Deno.mkdirSync(`${dir}/charts`);
  const intoDir = await plot(db, `${dir}/charts`);
  assertEquals(intoDir.code, 1);
  assertEquals(logLines(intoDir.stderr).length, 1);
  assertIncludes(intoDir.stderr, "it is a directory");
  assertEquals([...Deno.readDirSync(`${dir}/charts`)], []);
  // no temporary file is left anywhere
  assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".procpath")), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  ...needs("plot -f onto a character device writes to it and leaves the device node", {
    "making a device node needs root": isRoot,
  }),
  async fn() {
    const { dir, db } = await recordingDir();
    // a node of /dev/null's numbers inside the test's directory: the system's own stays untouched
    const node = `${dir}/null`;
    new Deno.Command("mknod", { args: [node, "c", "1", "3"] }).outputSync();
    const result = await plot(db, node);
    assertEquals(result.code, 0, result.stderr);
    const info = Deno.lstatSync(node);
    assertEquals(info.isCharDevice, true);
    assertEquals(info.size, 0);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("backfill -o and plot -f on a device that is full fail with one line and a non-zero exit", async () => {
  const { dir, db } = await recordingDir();
  for (
    const args of [
      ["backfill", "-d", db, "-g", "all=$..children", "-o", "/dev/full"],
      ["plot", "-d", db, "-q", "rss", "-f", "/dev/full"],
    ]
  ) {
    const { code, stderr } = await runProcpath(args);
    assertEquals(code, 1, args[0]);
    assertEquals(logLines(stderr).length, 1, stderr);
    assertIncludes(stderr, `ERROR   procpath Cannot write "/dev/full": No space left on device`);
    assertEquals(stderr.includes("Wrote"), false);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  ...needs("backfill -o on a full disk keeps the old file, leaves nothing partial and exits 1", {
    "mounting a small tmpfs needs root": isRoot,
  }),
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/r.sqlite`;
      await recordFixture(db, ["-r", "60", "-i", "0"]);
      await withTmpfs("8k", async (mount) => {
        Deno.writeTextFileSync(`${mount}/out.om`, "old\n");
        const { code, stderr } = await runProcpath([
          "backfill",
          "-d",
          db,
          "-g",
          "all=$..children",
          "-o",
          `${mount}/out.om`,
        ]);
        assertEquals(code, 1);
        assertEquals(logLines(stderr).length, 1, stderr);
        assertIncludes(stderr, "No space left on device");
        assertEquals(Deno.readTextFileSync(`${mount}/out.om`), "old\n");
        assertEquals([...Deno.readDirSync(mount)].map((e) => e.name), ["out.om"]);
      });
    });
  },
});

Deno.test({
  ...needs("record on a read-only file system gives the system's reason", {
    "mounting a read-only tmpfs needs root": isRoot,
  }),
  async fn() {
    await withTmpfs("64k", async (mount) => {
      const { code, stderr } = await runProcpath(
        ["record", "--procfs", BROWSER, "-r", "1", "-d", `${mount}/r.sqlite`],
      );
      assertEquals(code, 1);
      assertEquals(logLines(stderr).length, 1, stderr);
      assertIncludes(stderr, "Read-only file system");
    }, true);
  },
});

Deno.test("capture into an unwritable place says it cannot write, and leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "x");
    const notDir = await runProcpath(["capture", "--procfs", BROWSER, `${dir}/file`]);
    assertEquals(notDir.code, 1);
    assertIncludes(notDir.stderr, "it is not a directory");
    const missingParent = await runProcpath(["capture", "--procfs", BROWSER, `${dir}/no/such/dir`]);
    assertEquals(missingParent.code, 1);
    assertEquals(logLines(missingParent.stderr).length, 1, missingParent.stderr);
    assertIncludes(missingParent.stderr, `Cannot write "${dir}/no/such/dir"`);
    assertEquals(missingParent.stderr.includes("Cannot read"), false);
    // a capture through a symlink lands in the link's target, whole
    Deno.symlinkSync("real", `${dir}/link`);
    const viaLink = await runProcpath(["capture", "--procfs", BROWSER, `${dir}/link`]);
    assertEquals(viaLink.code, 0, viaLink.stderr);
    assertEquals(Deno.lstatSync(`${dir}/link`).isSymlink, true);
    assertEquals(Deno.statSync(`${dir}/real/1/stat`).isFile, true);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["file", "link", "real"]);
  });
});

Deno.test("a record refused for a foreign meta table leaves the file byte for byte, with no side files", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/foreign.sqlite`;
    const setup = syntheticRecording(db, ["stat"]);
    setup.exec("DROP TABLE meta; CREATE TABLE meta (k TEXT, v TEXT, extra INTEGER)");
    setup.close();
    const before = Deno.readFileSync(db);
    const { code, stderr } = await runProcpath(
      ["record", "--procfs", BROWSER, "-f", "stat", "-r", "1", "-d", db],
    );
    assertEquals(code, 1);
    assertEquals(logLines(stderr).length, 1, stderr);
    assertIncludes(stderr, "its meta table is not a procpath recording's");
    assertEquals(Deno.readFileSync(db), before);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["foreign.sqlite"]);
  });
});

Deno.test("plot on a database that is not a recording says so", async () => {
  await withTempDir(async (dir) => {
    const db = `${dir}/other.sqlite`;
    const setup = syntheticRecording(db, ["stat"]);
    setup.exec("DROP TABLE record");
    setup.close();
    const { code, stderr } = await runProcpath([
      "plot",
      "-d",
      db,
      "-q",
      "rss",
      "-f",
      `${dir}/x.svg`,
    ]);
    assertEquals(code, 1);
    assertIncludes(stderr, "is not a procpath recording: it has no record table");
    assertEquals(stderr.includes("procfiles missing"), false);
  });
});

Deno.test("a key no procfile has is warned about with the nearest name; the result and exit stay", async () => {
  for (
    const [query, said] of [
      ["$..chilren", 'The query names "chilren", a key no process has'],
      ["$..children[?(@.stat.pdi == 1)]", 'but stat has no field "pdi"'],
      ["$..stat.pdi", 'but stat has no field "pdi"'],
    ]
  ) {
    const { code, stdout, stderr } = await runProcpath(["query", "--procfs", BROWSER, query]);
    assertEquals(code, 0, query);
    assertEquals(stdout.trim(), "[]", query);
    assertEquals(logLines(stderr).length, 1, stderr);
    assertIncludes(stderr, said);
    assertIncludes(
      stderr,
      query.includes("pdi") ? "did you mean stat.pid?" : "did you mean children?",
    );
  }
  // valid keys, from a node and from a procfile, are not warned about
  const fine = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "-f",
    "stat,status",
    "$..children[?(@.status.vmrss > 1 and @.stat.pid > 0)]..pid",
  ]);
  assertEquals(fine.code, 0);
  assertEquals(fine.stderr, "");
});

Deno.test("record says once when its selection has been empty for the first samples", async () => {
  await withTempDir(async (dir) => {
    const { code, stderr } = await runProcpath([
      "record",
      "--procfs",
      BROWSER,
      "-r",
      "5",
      "-i",
      "0",
      "-d",
      `${dir}/r.sqlite`,
      "$..children[?(@.stat.pid == 999999)]",
    ]);
    assertEquals(code, 0);
    const lines = logLines(stderr);
    assertEquals(lines.length, 2, stderr);
    assertIncludes(lines[0], "WARNING The selection has been empty for the first 3 samples");
    assertIncludes(lines[1], "Recorded 0 samples, 0 rows");
    assertIncludes(lines[1], "(5 more samples selected nothing)");
  });
});

Deno.test({
  name:
    "watch relays a procpath record's summary at its own level, once prefixed, counting stored samples",
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      const db = `${dir}/run.sqlite`;
      const procpath = new URL("../../scripts/procpath", import.meta.url).pathname;
      // the recorder samples a shell until it exits: its last sample selects nothing
      const { code, stderr } = await runProcpath([
        "watch",
        "--no-restart",
        "-i",
        "0.1",
        "-c",
        "sleep 1",
        "-c",
        `${procpath} record -d ${db} -i 0.2 --stop-without-result -p $WPS1`,
      ]);
      assertEquals(code, 0, stderr);
      const summary = stderr.split("\n").find((line) => line.includes("Recorded "));
      assertEquals(summary !== undefined, true, stderr);
      assertIncludes(summary!, "INFO    procpath №2: Recorded ");
      assertEquals(summary!.match(/procpath/g)!.length, 1, summary);
      const [, samples] = /Recorded (\d+) samples?/.exec(summary!)!;
      assertEquals(sql(db, "SELECT COUNT(DISTINCT ts) s FROM record")[0].s, Number(samples));
    });
  },
});

Deno.test({
  name: "explore bound to every address answers for the machine's host name and addresses",
  ...unsanitized,
  async fn() {
    const { dir, db } = await recordingDir();
    const child = spawnProcpath(["explore", "-d", db, "-b", "0.0.0.0", "-p", "0"]);
    const { match, rest } = await readUntil(child.stderr, /http:\/\/[^:]+:(\d+)\/#token=(\w+)/);
    const [, port, token] = match;
    /** The status of GET /api/meta sent to loopback with `host` as the Host header. */
    const statusFor = async (host: string) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      await conn.write(
        new TextEncoder().encode(
          `GET /api/meta HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
            `Authorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
        ),
      );
      const text = new TextDecoder().decode(await new Response(conn.readable).arrayBuffer());
      return Number(text.split(" ")[1]);
    };
    try {
      assertEquals(await statusFor(Deno.hostname()), 200);
      const address = Deno.networkInterfaces().find((nic) =>
        nic.family === "IPv4" && nic.address !== "127.0.0.1"
      )?.address;
      if (address) assertEquals(await statusFor(address), 200);
      assertEquals(await statusFor("rebound.example"), 421);
    } finally {
      child.kill("SIGINT");
      await child.status;
      await rest;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
