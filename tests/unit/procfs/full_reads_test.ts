// procfs files are read to their end: a seq_file of many records (a thread's `children`)
// gives one page per read, so a read that stops at the first short read loses the rest.
// The oracle is Deno's own file read (Rust's read to end of file), which shares nothing
// with procpath's readers.
import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import { UnsafeFileError } from "../../../src/procfs/errors.ts";
import { installed, needs } from "../../_helpers/needs.ts";
import { spawnGroup, waitFor } from "../../_helpers/processes.ts";
import { createProcReader } from "../../../src/procfs/proc_reader.ts";
import { KeptFiles } from "../../../src/procfs/kept_files.ts";
import { ONE_RECORD_FILES } from "../../../src/procfs/one_record_files.ts";

const hasPerl = installed("perl");
const decoder = new TextDecoder();
const PAGE = 4096;
const pathOf = (pid: number, name: string) => `/proc/${pid}/${name}`;
const childrenFile = (pid: number) => `task/${pid}/children`;
/** The kernel's list of a thread's children, read to its end by Deno. */
const oracle = (pid: number) => decoder.decode(Deno.readFileSync(pathOf(pid, childrenFile(pid))));
const pidSet = (text: string) => new Set(text.split(" ").filter((w) => w.trim() !== ""));

/**
 * A perl parent of `count` forked children that sleep, in a process group of its own;
 * a child that ends is reaped by the kernel at once (SIGCHLD ignored).
 */
async function parentOf(count: number) {
  const group = spawnGroup([
    "perl",
    "-e",
    `$SIG{CHLD} = "IGNORE"; for (1..${count}) { my $p = fork; die "fork: $!" unless defined $p; ` +
    `if (!$p) { sleep 600; exit } } sleep 600`,
  ]);
  const ready = await waitFor(() => {
    try {
      return pidSet(oracle(group.pid)).size === count;
    } catch {
      return false;
    }
  }, 20_000);
  return { group, ready };
}

Deno.test({
  ...needs("the reader reads a children list longer than a page whole, its buffer grown first", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    const { group, ready } = await parentOf(1500);
    try {
      assertEquals(ready, true, "1,500 children forked");
      const expected = oracle(group.pid);
      assertEquals(expected.length > PAGE, true, `${expected.length} bytes`);
      const reader = createProcReader("/proc");
      // the shared buffer grows past its first 64 KiB on this process's smaps
      assertEquals(reader.readRootFile("self/smaps").length > 1 << 16, true, "smaps > 64 KiB");
      const read = decoder.decode(reader.readFile(group.pid, childrenFile(group.pid)));
      assertEquals(pidSet(read), pidSet(expected));
      assertEquals(
        new Set(reader.childrenOf(group.pid)!.map(String)),
        pidSet(expected),
        "childrenOf",
      );
    } finally {
      await group.kill();
    }
  },
});

Deno.test({
  ...needs("kept files read a children list longer than a page whole, first and on pread", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    const { group, ready } = await parentOf(1500);
    const kept = KeptFiles.open();
    try {
      assertEquals(ready, true, "1,500 children forked");
      assertEquals(kept !== null, true, "kept files are available");
      // grow the kept files' buffer first, on this process's smaps
      assertEquals(kept!.read(Deno.pid, "smaps", pathOf)!.length > 1 << 16, true);
      const first = decoder.decode(kept!.read(group.pid, childrenFile(group.pid), pathOf)!);
      assertEquals(pidSet(first), pidSet(oracle(group.pid)));
      assertEquals(first.length > PAGE, true);
      // the second read goes through the kept descriptor (pread at offset 0): a child
      // ended since must be missing from it
      const [gone] = [...pidSet(first)];
      Deno.kill(Number(gone), "SIGKILL");
      assertEquals(await waitFor(() => !pidSet(oracle(group.pid)).has(gone!)), true);
      const again = decoder.decode(kept!.read(group.pid, childrenFile(group.pid), pathOf)!);
      assertEquals(pidSet(again), pidSet(oracle(group.pid)));
      assertEquals(pidSet(again).size, 1499);
    } finally {
      kept?.closeAll();
      await group.kill();
    }
  },
});

/**
 * A file's text with the figures that other processes move left out: smaps_rollup's
 * proportional and shared/private splits change when another process maps or unmaps the
 * same file pages between two reads (seen beside a busy suite: Pss 3303 → 3623 kB). Every
 * line and its name stay, so a read cut short still differs.
 */
function unshared(name: string, text: string): string {
  if (name !== "smaps_rollup") return text;
  return text.replace(/^((?:Pss\w*|Shared_\w+|Private_\w+):)\s+\d+ kB$/gm, "$1 (shared)");
}

Deno.test({
  ...needs(
    "files taken whole from one read are, on a sleeping process with a 200 KiB command line",
    {
      "perl is not installed": hasPerl,
    },
  ),
  async fn() {
    // two 100 KiB arguments: more than the readers' first buffer, and than a page
    const long = "x".repeat(100 * 1024);
    const group = spawnGroup(["perl", "-e", "sleep 600", long, long]);
    const kept = KeptFiles.open();
    const reader = createProcReader("/proc");
    const state = () => {
      const stat = decoder.decode(Deno.readFileSync(pathOf(group.pid, "stat")));
      return stat[stat.lastIndexOf(")") + 2];
    };
    try {
      assertEquals(await waitFor(() => state() === "S"), true, "asleep");
      for (const name of ONE_RECORD_FILES) {
        let expected: Uint8Array;
        try {
          expected = Deno.readFileSync(pathOf(group.pid, name));
        } catch {
          continue; // not on this kernel (wchan without kallsyms, schedstat without sched info)
        }
        assertEquals(
          unshared(name, decoder.decode(reader.readFile(group.pid, name))),
          unshared(name, decoder.decode(expected)),
          name,
        );
        assertEquals(
          unshared(name, decoder.decode(kept!.read(group.pid, name, pathOf)!)),
          unshared(name, decoder.decode(expected)),
          name,
        );
        if (name === "cmdline") assertEquals(expected.length > 200 * 1024, true);
      }
    } finally {
      kept?.closeAll();
      await group.kill();
    }
  },
});

Deno.test("a kept file longer than the most allowed is refused as such, the process's other files kept", () => {
  const kept = KeptFiles.open(4096);
  try {
    assertEquals(kept !== null, true, "kept files are available");
    assertEquals(
      decoder.decode(kept!.read(Deno.pid, "stat", pathOf)!).startsWith(`${Deno.pid} (`),
      true,
    );
    assertEquals(
      Deno.readFileSync(pathOf(Deno.pid, "smaps")).length > 1 << 16,
      true,
      "smaps > 64 KiB",
    );
    // not "gone", not a stale errno: the file's own refusal, which readers take as unparsable
    assertThrows(() => kept!.read(Deno.pid, "smaps", pathOf), UnsafeFileError);
    assertEquals(kept!.size, 1, "stat stays open, smaps is not kept");
    assertEquals(
      decoder.decode(kept!.read(Deno.pid, "stat", pathOf)!).startsWith(`${Deno.pid} (`),
      true,
    );
  } finally {
    kept?.closeAll();
  }
});
