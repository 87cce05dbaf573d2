// Exits named exactly by the kernel's taskstats, checked against counts that share no
// procpath code: gcc's own `-time` (its rusage of each cc1 it waited for) for the CPU
// a real `make -j2` spent in cc1, and `/usr/bin/time -f %M` for a brief peak between
// samples. Skipped, with the reason, where the kernel refuses a taskstats listener.
import { assertEquals } from "../_helpers/assert.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { installed, needs } from "../_helpers/needs.ts";
import { sql } from "../_helpers/sqlite.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";
import { compileC } from "../_helpers/compile_c.ts";
import { writeMakeProject } from "../_helpers/make_project.ts";
import { openLibc } from "../../src/kernel/libc.ts";
import { openTaskstats } from "../../src/kernel/taskstats.ts";
import { AFTER_LAST, EXITED_BETWEEN } from "../../src/model/reaped_credit.ts";

const unsanitized = { sanitizeResources: false, sanitizeOps: false };

/** Null when this user may register a taskstats listener, else the kernel's reason. */
const refusal = (() => {
  const lib = openLibc();
  if (lib === null) return "libc cannot be reached through Deno's FFI";
  const socket = openTaskstats(lib, "0");
  if (typeof socket === "string") return socket;
  socket.close();
  return null;
})();
const taskstats = { [`${refusal} here`]: refusal === null };

/** The summary's "most CPU" rows: program (or label) → seconds. */
function creditedSeconds(stderr: string): Map<string, number> {
  const rows = new Map<string, number>();
  const block = stderr.slice(stderr.indexOf("most CPU"));
  for (const line of block.split("\n").slice(1)) {
    const row = /^ {4,}([\d.]+) s {2}(.*)$/.exec(line);
    if (!row) continue;
    // `cc1 (11 processes, …): command`, `(label): programs`, `children of make`
    const name = row[2]!.startsWith("(")
      ? row[2]!.slice(0, row[2]!.indexOf(")") + 1)
      : row[2]!.split(/ \(|:/)[0]!;
    rows.set(name, (rows.get(name) ?? 0) + Number(row[1]));
  }
  return rows;
}

Deno.test({
  ...needs(
    "taskstats: make -j2's cc1 is credited the CPU gcc says it used; nothing is left unsplit",
    {
      ...taskstats,
      "gcc is not installed": installed("gcc"),
      "make is not installed": installed("make"),
    },
  ),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      // compiles of ~0.5 s: at -i 1 most begin and end between two samples, and make
      // reaps each before a zombie could be read
      writeMakeProject(dir, { files: 8, functions: 200, compile: "gcc -time -O2 -c $< -o $@" });
      const db = `${dir}/make.sqlite`;
      const { code, stderr } = await runProcpath(
        ["record", "-i", "1", "-d", db, "--", "make", "-s", "-j2"],
        { cwd: dir },
      );
      assertEquals(code, 0, stderr);
      // gcc -time: "# cc1 0.50 0.02", the user and system seconds of each cc1 it reaped
      const cc1Lines = [...stderr.matchAll(/^# cc1 ([\d.]+) ([\d.]+)/gm)];
      assertEquals(cc1Lines.length, 8, stderr);
      const oracle = cc1Lines.reduce((sum, m) => sum + Number(m[1]) + Number(m[2]), 0);
      const meta = sql(db, "SELECT value FROM meta WHERE key = 'process_events'");
      assertEquals(String(meta[0]?.value).includes("exits' CPU from the kernel's taskstats"), true);

      const credited = creditedSeconds(stderr);
      const cc1 = credited.get("cc1") ?? 0;
      // gcc's figures are hundredths, each of 8 rounded: 0.08 s, and 3 % for the rest
      assertEquals(
        Math.abs(cc1 - oracle) <= 0.03 * oracle + 0.08,
        true,
        `cc1 ${oracle} s: ${stderr}`,
      );
      const unsplit = (credited.get(EXITED_BETWEEN) ?? 0) + (credited.get(AFTER_LAST) ?? 0);
      assertEquals(unsplit <= 0.02 * oracle, true, `unsplit ${unsplit} s: ${stderr}`);

      // the recording: every cc1's exit row holds its CPU, together gcc's count
      const rows = sql(
        db,
        "SELECT e.utime + e.stime AS ticks FROM process_event e WHERE e.kind = 'exit' AND " +
          "e.pid IN (SELECT pid FROM process_event WHERE kind = 'exec' AND cmdline LIKE '%/cc1 %')",
      );
      assertEquals(rows.length, 8, JSON.stringify(rows));
      assertEquals(rows.every((r) => r.ticks !== null), true, JSON.stringify(rows));
      const hz = Number(
        sql(db, "SELECT value FROM meta WHERE key = 'clock_ticks'")[0]?.value ?? 100,
      );
      const stored = rows.reduce((sum, r) => sum + Number(r.ticks), 0) / hz;
      assertEquals(
        Math.abs(stored - oracle) <= 0.03 * oracle + 0.08,
        true,
        `${stored} s of ${oracle}`,
      );
    }, "procpath-taskstats-");
  },
});

const ALLOC_60 = `#include <stdlib.h>
#include <string.h>
int main(void) {
  size_t size = 60u << 20;
  char *block = malloc(size);
  if (!block) return 1;
  memset(block, 1, size); /* resident, every page */
  return block[size - 1] == 1 ? 0 : 2;
}
`;

Deno.test({
  ...needs(
    "taskstats: a 60 MiB peak between samples is the summary's largest, as /usr/bin/time's %M",
    {
      ...taskstats,
      "/usr/bin/time is not installed": installed("/usr/bin/time"),
      "cc is not installed": installed("cc"),
    },
  ),
  ...unsanitized,
  async fn() {
    await withTempDir(async (dir) => {
      Deno.writeTextFileSync(`${dir}/alloc.c`, ALLOC_60);
      const alloc = compileC(`${dir}/alloc.c`, `${dir}/alloc60`);
      // lives ~50 ms between samples 2 s apart, below procpath's own peak (which the
      // kernel's ru_maxrss of reaped children cannot see under)
      const { code, stderr } = await runProcpath([
        "record",
        "-i",
        "2",
        "-d",
        `${dir}/peak.sqlite`,
        "--",
        "sh",
        "-c",
        `sleep 0.3; /usr/bin/time -f 'PEAK %M' ${alloc}; sleep 0.3`,
      ]);
      assertEquals(code, 0, stderr);
      const oracle = Number(/PEAK (\d+)/.exec(stderr)![1]) * 1024;
      const largest = /([\d.]+) MiB the largest process/.exec(stderr);
      if (!largest) throw new Error(stderr);
      const bytes = Number(largest[1]) * 1024 * 1024;
      assertEquals(
        Math.abs(bytes / oracle - 1) <= 0.02,
        true,
        `${largest[1]} MiB, %M ${oracle}: ${stderr}`,
      );
    }, "procpath-taskstats-");
  },
});
