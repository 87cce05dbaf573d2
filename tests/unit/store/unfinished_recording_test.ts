import assert from "node:assert/strict";
import { assertEquals } from "../../_helpers/assert.ts";
import { parseLockHolders, settleUnfinished } from "../../../src/store/unfinished_recording.ts";

Deno.test("parseLockHolders() takes the PIDs locking or waiting on the given inodes, none for an OFD lock", () => {
  const text = [
    "1: POSIX  ADVISORY  READ 26338 fe:00:2327071 128 128",
    "1: -> POSIX  ADVISORY  WRITE 26400 fe:00:2327071 128 128",
    "2: POSIX  ADVISORY  READ 26338 fe:00:2327069 1073741826 1073742335",
    "3: OFDLCK ADVISORY  READ -1 fe:00:2327071 0 EOF",
    "4: FLOCK  ADVISORY  WRITE 77 00:1a:555 0 EOF",
    "",
  ].join("\n");
  assertEquals(parseLockHolders(text, new Set([2327071, 2327069])), [26338, 26400]);
  assertEquals(parseLockHolders(text, new Set([555])), [77]);
  assertEquals(parseLockHolders(text, new Set([1])), []);
});

/** A directory with a "recording" whose write-ahead log is not empty, and a procfs of `locks`. */
function unfinished(locks: string | null) {
  const dir = Deno.makeTempDirSync({ prefix: "procpath-unfinished-" });
  const path = `${dir}/run.sqlite`;
  Deno.writeTextFileSync(path, "not read");
  Deno.writeTextFileSync(`${path}-wal`, "frames");
  Deno.mkdirSync(`${dir}/proc`);
  const ino = Deno.statSync(path).ino!;
  if (locks !== null) {
    Deno.writeTextFileSync(`${dir}/proc/locks`, locks.replace("INO", String(ino)));
  }
  return { dir, path, procfs: `${dir}/proc` };
}

Deno.test("settleUnfinished() refuses a recording a live process holds, naming it, and changes nothing", () => {
  const { dir, path, procfs } = unfinished("1: POSIX  ADVISORY  READ 4242 fe:00:INO 128 128\n");
  try {
    Deno.mkdirSync(`${procfs}/4242`);
    Deno.writeTextFileSync(
      `${procfs}/4242/cmdline`,
      "/x/deno\0run\0-A\0main.ts\0record\0-d\0run.sqlite\0--\0make\0",
    );
    assert.throws(
      () => settleUnfinished(path, { verb: "export", procfs }),
      new RegExp(
        `^RecordingError: Cannot export "${path}": it is still being written by PID 4242 ` +
          "\\(procpath record -d run.sqlite -- make\\); run this again once it has ended$",
      ),
    );
    assertEquals(
      [Deno.readTextFileSync(path), Deno.readTextFileSync(`${path}-wal`)],
      ["not read", "frames"],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("settleUnfinished(): without /proc/locks it cannot tell, and refuses; a finished recording passes", () => {
  const { dir, path, procfs } = unfinished(null);
  try {
    assert.throws(() => settleUnfinished(path, { procfs }), /cannot be read to tell whether/);
    assertEquals(Deno.readTextFileSync(`${path}-wal`), "frames");
    Deno.writeTextFileSync(`${path}-wal`, "");
    assertEquals(settleUnfinished(path, { procfs }), null);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("settleUnfinished(): a gone recorder's file with no sample is refused and left as it was", () => {
  const { dir, path, procfs } = unfinished("");
  try {
    assert.throws(() => settleUnfinished(path, { procfs }), /its recorder is gone .* no sample/);
    assertEquals(
      [Deno.readTextFileSync(path), Deno.readTextFileSync(`${path}-wal`)],
      ["not read", "frames"],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
