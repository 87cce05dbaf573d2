// Files kept open between samples read exactly what a fresh open reads, on live processes
// that exec and rewrite their own command lines, and are closed when their process goes.
import { assertEquals, assertIncludes } from "../../_helpers/assert.ts";
import { installed, needs } from "../../_helpers/needs.ts";
import { waitFor } from "../../_helpers/processes.ts";
import { createProcReader } from "../../../src/procfs/proc_reader.ts";
import { classifyReadError } from "../../../src/procfs/classify_error.ts";
import { KeptFiles } from "../../../src/procfs/kept_files.ts";

const hasPerl = installed("perl");
const decoder = new TextDecoder();
/** This process's descriptors open on `/proc/<pid>/…` (other tests share the process). */
const filesOf = (pid: number) =>
  [...Deno.readDirSync("/proc/self/fd")].filter((entry) => {
    try {
      return Deno.readLinkSync(`/proc/self/fd/${entry.name}`).startsWith(`/proc/${pid}/`);
    } catch {
      return false; // closed meanwhile
    }
  }).length;
const fresh = (pid: number, name: string) => Deno.readFileSync(`/proc/${pid}/${name}`);

/**
 * Ends a child and waits for it, whether or not it ended already (kill throws on a child
 * that has, which in a `finally` would hide the assertion that failed).
 */
async function end(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* it ended */ }
  await child.status;
}

Deno.test({
  ...needs("kept files read what a fresh open reads: exec, rewritten titles, CPU counters", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    // renames itself every 20 ms (perl's $0 rewrites the command line in place), then execs
    const child = new Deno.Command("perl", {
      args: [
        "-e",
        '$| = 1; for my $i (1..50) { $0 = "title-$i-" . ("x" x ($i * 7)); ' +
        'select(undef, undef, undef, 0.02) } exec "sleep", "600"',
      ],
      stdout: "null",
    }).spawn();
    const reader = createProcReader("/proc");
    reader.keepFiles(KeptFiles.open()); // as record, top, metrics and watch do
    try {
      let compared = 0, sawTitle = false;
      const done = await waitFor(() => {
        for (const name of ["cmdline", "stat"]) {
          // the process may change between two reads: one of a few back-to-back pairs
          // must agree (a kept file that served stale text would never catch up)
          let kept = "", now = "";
          for (let attempt = 0; attempt < 5 && (attempt === 0 || kept !== now); attempt++) {
            kept = decoder.decode(reader.readFile(child.pid, name));
            now = decoder.decode(fresh(child.pid, name));
          }
          assertEquals(kept, now, name);
          if (name === "cmdline" && kept.startsWith("title-")) sawTitle = true;
          compared++;
        }
        return decoder.decode(fresh(child.pid, "cmdline")).startsWith("sleep");
      }, 15_000);
      assertEquals(done && sawTitle, true, `compared ${compared} reads`);
      // after the exec: the same kept file reads the new program's command line
      assertEquals(decoder.decode(reader.readFile(child.pid, "cmdline")), "sleep\x00600\x00");
      // its stat and cmdline, and the schedstat that proves a command line unchanged
      assertEquals(filesOf(child.pid), 3);
      child.kill("SIGKILL");
      await child.status;
      // gone: a read is a vanished process, and a listing without it closes its files
      let failure = "";
      try {
        reader.readFile(child.pid, "stat");
      } catch (error) {
        failure = classifyReadError(error);
      }
      assertEquals(failure, "vanished");
      reader.listPids();
      assertEquals(filesOf(child.pid), 0);
    } finally {
      await end(child);
    }
  },
});

/** Reads a process as a sample does: its `stat`, then its command line and I/O counters. */
const sampleBoth = (reader: ReturnType<typeof createProcReader>, pid: number) => {
  reader.readFile(pid, "stat");
  const cmdline = decoder.decode(reader.readFile(pid, "cmdline"));
  return { cmdline, io: decoder.decode(reader.readFile(pid, "io")) };
};
const sample = (reader: ReturnType<typeof createProcReader>, pid: number) =>
  sampleBoth(reader, pid).cmdline;

Deno.test({
  ...needs("command lines and I/O served unread are what fresh reads give, on churning processes", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    // each renames itself and writes at random moments, and execs itself three times over
    const churn = "my $g = shift // 0; for my $i (1..15) { select(undef, undef, undef, " +
      '0.02 + rand(0.06)); $0 = "churn-g$g-i$i-" . ("y" x ($i * 3)); ' +
      'syswrite(STDOUT, "y" x $i) if rand() < 0.5 } ' +
      'exec $^X, "-e", $ENV{CHURN}, $g + 1 if $g < 3; sleep 60';
    // renames itself and writes 100 bytes only when told (SIGUSR1): the test knows when
    const told = '$SIG{USR1} = sub { syswrite(STDOUT, "x" x 100); $n++; $0 = "told-$n" }; ' +
      "sleep 60 while 1";
    const spawn = (code: string) =>
      new Deno.Command("perl", { args: ["-e", code], env: { CHURN: churn }, stdout: "null" })
        .spawn();
    const children = [...Array.from({ length: 6 }, () => spawn(churn)), spawn(told)];
    const teller = children.at(-1)!;
    const kept = KeptFiles.open();
    const reader = createProcReader("/proc");
    reader.keepFiles(kept);
    try {
      assertEquals(kept !== null, true, "kept files are available");
      // the told process: reused while it sleeps, read again once it renamed itself
      assertEquals(await waitFor(() => sample(reader, teller.pid).includes("USR1"), 5_000), true);
      // once it sleeps (perl starts by compiling), its command line is reused
      const before = kept!.reused;
      const reused = await waitFor(() => {
        sample(reader, teller.pid);
        return kept!.reused > before;
      }, 5_000);
      assertEquals(reused, true, "an unchanged command line is reused");
      let lastIo = sampleBoth(reader, teller.pid).io;
      for (let n = 1; n <= 3; n++) {
        Deno.kill(teller.pid, "SIGUSR1");
        const title = `told-${n}\0`;
        const renamed = await waitFor(
          () => decoder.decode(fresh(teller.pid, "cmdline")) === title,
          5_000,
        );
        assertEquals(renamed, true, `renamed to ${title}`);
        const io = decoder.decode(fresh(teller.pid, "io"));
        assertEquals(sampleBoth(reader, teller.pid), { cmdline: title, io });
        assertEquals(sampleBoth(reader, teller.pid), { cmdline: title, io });
        assertEquals(io === lastIo, false, "the write moved the I/O counters");
        lastIo = io;
      }
      // parsed once while unchanged, parsed again once changed
      let parses = 0;
      const parse = (bytes: Uint8Array) => {
        parses++;
        return decoder.decode(bytes);
      };
      const parsedSample = () => {
        reader.readFile(teller.pid, "stat");
        return reader.readParsed(teller.pid, "cmdline", parse);
      };
      // once it sleeps again (under load it may wait runnable for a while), it is served
      const servedFrom = kept!.reused;
      const served = await waitFor(() => {
        assertEquals(parsedSample(), "told-3\0");
        return kept!.reused > servedFrom;
      }, 5_000);
      assertEquals(served, true, "served unread after its rename");
      parses = 0;
      for (let i = 0; i < 6; i++) assertEquals(parsedSample(), "told-3\0");
      assertEquals(parses, 0, "the parsed value is reused with the bytes");
      Deno.kill(teller.pid, "SIGUSR1");
      const renamedAgain = await waitFor(
        () => decoder.decode(fresh(teller.pid, "cmdline")) === "told-4\0",
        5_000,
      );
      assertEquals(renamedAgain && parsedSample() === "told-4\0", true);
      // the churning ones: every sampled command line against a fresh read; a pair may
      // straddle a change, so one of a few back-to-back pairs must agree
      const reusedBefore = kept!.reused;
      let compared = 0;
      const deadline = performance.now() + 3_000;
      while (performance.now() < deadline) {
        for (const child of children.slice(0, -1)) {
          let kept = "", now = "";
          for (let attempt = 0; attempt < 5 && (attempt === 0 || kept !== now); attempt++) {
            const both = sampleBoth(reader, child.pid);
            kept = both.cmdline + both.io;
            now = decoder.decode(fresh(child.pid, "cmdline")) +
              decoder.decode(fresh(child.pid, "io"));
          }
          assertEquals(kept, now, `pid ${child.pid}`);
          compared++;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assertEquals(compared > 100, true, `compared ${compared}`);
      assertEquals(kept!.reused > reusedBefore, true, "churning processes were reused too");
      // they exec'd: their command lines are the latest generation's
      const execs = children.slice(0, -1).filter((child) =>
        /^churn-g[1-3]/.test(sample(reader, child.pid))
      );
      assertEquals(execs.length > 0, true, "some exec'd during the comparison");
    } finally {
      for (const child of children) await end(child);
      kept?.closeAll();
    }
  },
});

Deno.test("the kept listing of /proc gives the PIDs a directory read gives, ascending", () => {
  const kept = KeptFiles.open();
  assertEquals(kept !== null, true, "kept files are available");
  const pidMax = Number(Deno.readTextFileSync("/proc/sys/kernel/pid_max"));
  // each PID with its process's start time: a PID reused between two reads is two processes
  const readDir = () => {
    const started = new Map<number, string>();
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        started.set(Number(entry.name), stat.slice(stat.lastIndexOf(")")).split(" ")[20]!);
      } catch { /* gone */ }
    }
    return started;
  };
  try {
    for (let round = 0; round < 3; round++) {
      const before = readDir();
      const listed = kept!.listPids();
      const after = readDir();
      assertEquals(listed !== null, true, "getdents64 is there");
      assertEquals(listed!, [...listed!].sort((a, b) => a - b));
      // processes come and go meanwhile (other tests fork thousands): each one alive from
      // the first read to the last must be listed; one born and gone between them may be
      const set = new Set(listed);
      const throughout = [...before].filter(([pid, start]) => after.get(pid) === start);
      assertEquals(throughout.filter(([pid]) => !set.has(pid)), []);
      assertEquals(listed!.filter((pid) => !(pid > 0 && pid <= pidMax)), []);
      assertEquals(set.has(Deno.pid) && set.has(1), true);
    }
  } finally {
    kept!.closeAll();
  }
});

Deno.test({
  ...needs("a process of more than one thread is always read: schedstat is its main thread's", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    // two threads, both asleep: the main thread's schedstat says nothing of the other's work
    const child = new Deno.Command("perl", {
      args: ["-Mthreads", "-e", "threads->create(sub { sleep 60 })->detach; sleep 60"],
      stdout: "null",
    }).spawn();
    const kept = KeptFiles.open();
    const reader = createProcReader("/proc");
    reader.keepFiles(kept);
    try {
      const twoThreads = await waitFor(
        () => /^Threads:\s+2$/m.test(decoder.decode(fresh(child.pid, "status"))),
        5_000,
      );
      assertEquals(twoThreads, true, "the second thread started");
      const before = kept!.reused;
      for (let i = 0; i < 10; i++) sampleBoth(reader, child.pid);
      assertEquals(kept!.reused, before);
    } finally {
      await end(child);
      kept?.closeAll();
    }
  },
});

Deno.test({
  ...needs("a stopped process is always read: a debugger writes a stopped tracee's memory", {
    "perl is not installed": hasPerl,
  }),
  async fn() {
    const child = new Deno.Command("perl", { args: ["-e", "sleep 60"], stdout: "null" }).spawn();
    const kept = KeptFiles.open();
    const reader = createProcReader("/proc");
    reader.keepFiles(kept);
    const state = () => decoder.decode(fresh(child.pid, "stat")).split(") ")[1]?.[0];
    try {
      // asleep: served unread
      const before = kept!.reused;
      const served = await waitFor(() => {
        sampleBoth(reader, child.pid);
        return kept!.reused > before;
      }, 5_000);
      assertEquals(served, true, "a sleeping process is served unread");
      Deno.kill(child.pid, "SIGSTOP");
      assertEquals(await waitFor(() => state() === "T", 5_000), true, "stopped");
      const stopped = kept!.reused;
      for (let i = 0; i < 10; i++) sampleBoth(reader, child.pid);
      assertEquals(kept!.reused, stopped);
      Deno.kill(child.pid, "SIGCONT");
    } finally {
      await end(child);
      kept?.closeAll();
    }
  },
});

/**
 * A program whose main thread, asleep in `read(0)`, makes a thread for each byte it
 * reads; the thread waits for a byte on the FIFO named by argv[1], then rewrites the
 * command line in place and exits — all while the main thread sleeps.
 */
const RENAMER_C = `
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
static char *title;
static size_t room;
static const char *fifo;
static void *rename_and_exit(void *unused) {
  char byte;
  int fd = open(fifo, O_RDONLY);
  (void)unused;
  if (fd >= 0 && read(fd, &byte, 1) == 1) {
    memset(title, 0, room);
    strcpy(title, "renamed-by-a-thread");
  }
  return NULL;
}
int main(int argc, char **argv) {
  char byte;
  fifo = argv[1];
  title = argv[0];
  room = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
  while (read(0, &byte, 1) == 1) {
    pthread_t thread;
    pthread_create(&thread, NULL, rename_and_exit, NULL);
    pthread_detach(thread);
  }
  return 0;
}
`;

Deno.test({
  ...needs(
    "a thread made after a stat read, that renames the process and exits, is never missed (#31)",
    { "cc is not installed": installed("cc"), "mkfifo is not installed": installed("mkfifo") },
  ),
  async fn() {
    const dir = Deno.makeTempDirSync();
    const fifo = `${dir}/go`;
    Deno.writeTextFileSync(`${dir}/renamer.c`, RENAMER_C);
    const built = new Deno.Command("cc", {
      args: ["-O1", "-pthread", "-o", `${dir}/renamer`, `${dir}/renamer.c`],
    }).outputSync();
    assertEquals(built.success, true, new TextDecoder().decode(built.stderr));
    assertEquals(new Deno.Command("mkfifo", { args: [fifo] }).outputSync().success, true);
    const child = new Deno.Command(`${dir}/renamer`, {
      args: [fifo, "original-title-long-enough-for-the-new-one"],
      stdin: "piped",
    }).spawn();
    const input = child.stdin.getWriter();
    const kept = KeptFiles.open();
    const reader = createProcReader("/proc");
    reader.keepFiles(kept);
    const threads = () =>
      /^Threads:\s+(\d+)$/m.exec(decoder.decode(fresh(child.pid, "status")))![1];
    const mainState = () => {
      const stat = decoder.decode(fresh(child.pid, `task/${child.pid}/stat`));
      return stat[stat.lastIndexOf(")") + 2];
    };
    try {
      // asleep in read(0), its command line served unread
      const before = kept!.reused;
      const served = await waitFor(() => {
        sample(reader, child.pid);
        return kept!.reused > before;
      }, 10_000);
      assertEquals(served, true, "served unread while it sleeps");
      // a sample's stat: one thread, asleep
      reader.readFile(child.pid, "stat");
      // the main thread wakes, makes the thread, and sleeps again
      await input.write(new Uint8Array([1]));
      const made = await waitFor(() => threads() === "2" && mainState() === "S", 5_000);
      assertEquals(made, true, "the thread is made and the main thread asleep");
      // the same sample's command line: still the original one
      assertIncludes(
        decoder.decode(reader.readFile(child.pid, "cmdline")),
        "original-title",
      );
      // the thread renames the process and exits; the main thread sleeps on
      const writer = Deno.openSync(fifo, { write: true });
      writer.writeSync(new Uint8Array([1]));
      writer.close();
      const renamed = await waitFor(
        () =>
          threads() === "1" && decoder.decode(fresh(child.pid, "cmdline")).startsWith("renamed"),
        5_000,
      );
      assertEquals(renamed, true, "renamed by the thread, which ended");
      // the next sample reads the new command line
      assertEquals(sample(reader, child.pid), decoder.decode(fresh(child.pid, "cmdline")));
    } finally {
      await input.close().catch(() => {});
      await end(child);
      kept?.closeAll();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("a stat that reads as the last one is the value parsed then; other bytes are parsed anew", async () => {
  const child = new Deno.Command("sleep", { args: ["600"] }).spawn();
  const kept = KeptFiles.open();
  assertEquals(kept !== null, true, "kept files are available");
  try {
    const pathOf = (pid: number, name: string) => `/proc/${pid}/${name}`;
    kept!.read(child.pid, "stat", pathOf); // the process's slot, as a sample's first read
    let calls = 0;
    const parse = (bytes: Uint8Array) => {
      calls++;
      return { text: decoder.decode(bytes) };
    };
    const line = (state: string) => new TextEncoder().encode(`7 (a b) ${state} 1 7 7 0 -1 0 5`);
    const bytes = line("S");
    const first = kept!.parsed(child.pid, "stat", bytes, parse);
    assertEquals(first, { text: "7 (a b) S 1 7 7 0 -1 0 5" });
    // the same bytes in another buffer: the very value, not parsed again
    assertEquals(kept!.parsed(child.pid, "stat", bytes.slice(), parse) === first, true);
    assertEquals(calls, 1);
    // the buffer a read returned is reused: what was kept is a copy, not a view of it
    bytes.set(line("R"));
    const second = kept!.parsed(child.pid, "stat", bytes, parse);
    assertEquals([second, calls], [{ text: "7 (a b) R 1 7 7 0 -1 0 5" }, 2]);
    // another parser is never served the first one's value
    assertEquals(kept!.parsed(child.pid, "stat", bytes, (b) => b.length), bytes.length);
    // a longer line after a shorter one
    const longer = new TextEncoder().encode("7 (a b) S 1 7 7 0 -1 0 50");
    assertEquals(kept!.parsed(child.pid, "stat", longer, parse), {
      text: "7 (a b) S 1 7 7 0 -1 0 50",
    });
    // a process without kept files is parsed every time
    const none = new TextEncoder().encode("9 (c) S 1");
    const a = kept!.parsed(999_999_999, "stat", none, parse);
    assertEquals(kept!.parsed(999_999_999, "stat", none, parse) === a, false);
  } finally {
    kept!.closeAll();
    await end(child);
  }
});
