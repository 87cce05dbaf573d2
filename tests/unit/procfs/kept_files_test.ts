// Files kept open between samples read exactly what a fresh open reads, on live processes
// that exec and rewrite their own command lines, and are closed when their process goes.
import { assertEquals } from "../../_helpers/assert.ts";
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
        'select(undef, undef, undef, 0.02) } exec "sleep", "30"',
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
      assertEquals(decoder.decode(reader.readFile(child.pid, "cmdline")), "sleep\x0030\x00");
      assertEquals(filesOf(child.pid), 2); // its stat and cmdline, kept
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
      try {
        child.kill("SIGKILL");
        await child.status;
      } catch { /* ended above */ }
    }
  },
});
