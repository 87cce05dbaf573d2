// `report`, `compare` and `export` held to oracles that share no code with procpath:
// `/usr/bin/time`'s count of a program's peak memory and CPU, gcc's own `-time` of each
// compiler pass, and the recorded shell's own `cutime`/`cstime` read from its
// /proc/PID/stat; and a recording two `record` runs appended to, read run by run.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { assertEquals } from "../_helpers/assert.ts";
import { temporaryDir, writeCProject } from "../_helpers/ci_recordings.ts";
import { hasTime, installed, needs } from "../_helpers/needs.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";
import { AFTER_LAST, EXITED_BETWEEN } from "../../src/record/summary.ts";

const HAVE = {
  "gcc is not installed": installed("gcc"),
  "make is not installed": installed("make"),
  "/usr/bin/time is not installed": hasTime,
};

/** Runs `procpath ARGS` and returns its parsed JSON output; fails unless it exits 0. */
async function json(args: string[]) {
  const result = await runProcpath(args);
  assertEquals(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** A program's row of a report, by name. */
// deno-lint-ignore no-explicit-any
const program = (report: any, name: string) =>
  // deno-lint-ignore no-explicit-any
  report.programs.find((p: any) => p.program === name);

/**
 * Records `command` (in `cwd`) into `path` at interval `interval`; returns what it and
 * the command printed, standard output then error.
 */
async function record(path: string, command: string[], cwd: string, interval = "1") {
  const result = await runProcpath(["record", "-i", interval, "-d", path, "--", ...command], {
    cwd,
  });
  assertEquals(result.code, 0, result.stderr);
  return result.stdout + result.stderr;
}

/** The recorded shell's own CPU and its reaped children's, from the stat line it printed; s. */
function shellStat(printed: string): number {
  const line = printed.trim().split("\n").findLast((l) => /^\d+ \(/.test(l))!;
  const fields = line.slice(line.lastIndexOf(")") + 2).trim().split(" ").map(Number);
  // after the name: state is field 3; utime 14, stime 15, cutime 16, cstime 17 (proc(5))
  return (fields[11]! + fields[12]! + fields[13]! + fields[14]!) / 100;
}

Deno.test({
  ...needs(
    "report: a 400 MiB process between two samples is /usr/bin/time's peak, and its CPU is not put on the sleep beside it",
    HAVE,
  ),
  async fn() {
    const dir = await temporaryDir("procpath-oracle-report-");
    Deno.writeTextFileSync(
      `${dir}/alloc2.c`,
      "#include <sys/mman.h>\nint main(void) { unsigned long n = 400ul << 20;\n" +
        "  char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | " +
        "MAP_POPULATE, -1, 0);\n  return p == MAP_FAILED; }\n",
    );
    const cc = new Deno.Command("gcc", { args: ["-o", `${dir}/alloc2`, `${dir}/alloc2.c`] })
      .outputSync();
    assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
    // the memory oracle: the kernel's count of the program alone, read by /usr/bin/time
    const timed = new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", `${dir}/alloc2`],
      stderr: "piped",
    }).outputSync();
    const maxKib = Number(new TextDecoder().decode(timed.stderr).trim().split("\n").at(-1));
    assert.ok(maxKib > 400 * 1024, `alloc2 peaked at ${maxKib} KiB`);

    const path = `${dir}/alloc.sqlite`;
    // the CPU oracle, of this very run (populating 400 MiB takes 0.15 s alone and three
    // times that beside two more): the shell's cutime + cstime once its children are
    // reaped, which its own stat line tells
    // launched from a process larger than alloc2 (this test holds 600 MiB), as from a
    // busy test runner: procpath's getrusage(RUSAGE_SELF) peak holds its launcher's,
    // which once hid the 400 MiB
    let launcher: Uint8Array | null = new Uint8Array(600 << 20).fill(1);
    const printed = await record(
      path,
      ["sh", "-c", "sleep 0.2; ./alloc2; sleep 1.5; cat /proc/$$/stat"],
      dir,
    );
    assert.equal(launcher.length, 600 << 20);
    launcher = null;
    // record's own summary says it too
    assert.match(printed, /40\d\.\d MiB the largest process/);
    const oracleCpu = shellStat(printed);
    const report = await json(["report", "-d", path, "--format", "json"]);
    // the largest process is the kernel's count the recorder noted, not a sampled sleep
    const noted = () => {
      const db = new DatabaseSync(path, { readOnly: true });
      const row = db.prepare("SELECT value FROM meta WHERE key = 'runs'").get();
      db.close();
      return `${row?.value}; ${JSON.stringify(report.largest_process)}`;
    };
    assertEquals(
      [report.largest_process.command, report.largest_process.source],
      [null, "kernel"],
      noted(),
    );
    const kib = report.largest_process.rss_bytes / 1024;
    assert.ok(Math.abs(kib - maxKib) <= maxKib * 0.02, `${kib} KiB against ${maxKib}`);
    const markdown = await runProcpath(["report", "-d", path]);
    assert.match(
      markdown.stdout,
      /\| largest process \| 40\d\.\d MiB, the kernel's count .*; the peak fell between samples/,
    );
    assertEquals(report.cpu_source, "rusage");

    // CPU: the run's is what the shell counted (alloc2's, the sleeps' next to nothing)
    // plus the final cat's. alloc2's own is at most that; what sh
    // reaped from alloc2 and the sleep before it (whose exits' CPU the zombies could not
    // tell) is alloc2's or said to be no one's, never the sleep's
    const alloc2 = program(report, "alloc2"), sleep = program(report, "sleep");
    const tolerance = Math.max(0.03, oracleCpu * 0.1);
    assert.ok(Math.abs(report.cpu_s - oracleCpu) <= tolerance, `${report.cpu_s} vs ${oracleCpu}`);
    assert.ok(alloc2.cpu_s <= oracleCpu + tolerance, `alloc2 ${alloc2.cpu_s} s`);
    assert.ok(sleep.cpu_s <= 0.02, `sleep ${sleep.cpu_s} s`);
    const unattributed = (program(report, EXITED_BETWEEN)?.cpu_s ?? 0) +
      (program(report, AFTER_LAST)?.cpu_s ?? 0);
    assert.ok(alloc2.cpu_s + unattributed >= oracleCpu - tolerance, `${alloc2.cpu_s}`);
    // every second the run counts is some program's, or said to be no one's
    // deno-lint-ignore no-explicit-any
    const sum = report.programs.reduce((a: number, p: any) => a + p.cpu_s, 0);
    assert.ok(Math.abs(sum - report.cpu_s) <= 0.01 * report.programs.length, `${sum}`);
    // no sample holds alloc2's memory: its peak is unknown or a marked lower bound
    assert.ok(alloc2.peak_rss_bytes === null || alloc2.peak_rss_bytes < maxKib * 1024);
    assert.match(markdown.stdout, /\| alloc2 \| [^|]+ \| (–|[\d.]+) \|/);
    assert.match(markdown.stdout, /Peak RSS is the largest sum .* a lower bound/);

    // compare gates on the larger lower bound: the 400 MiB, not the few MiB of a sample
    const compared = await json(["compare", path, path, "--format", "json"]);
    // deno-lint-ignore no-explicit-any
    const peak = compared.metrics.find((m: any) => m.metric === "peak_rss");
    assert.ok(peak.base / 1024 >= maxKib * 0.98, `${peak.base}`);
    // and the trace carries the run's kernel counts
    const trace = await json(["export", "-d", path]);
    assert.ok(Math.abs(trace.otherData.largest_process_rss_mib * 1024 - maxKib) <= maxKib * 0.02);
    assert.match(trace.otherData.largest_process_source, /^the kernel's count/);
  },
});

Deno.test({
  ...needs("report, export and compare on a recording two runs were appended to", HAVE),
  async fn() {
    const dir = await temporaryDir("procpath-two-runs-");
    const path = `${dir}/twice.sqlite`;
    // sh, ls and sleep: three processes a run
    for (let i = 0; i < 2; i++) {
      await record(path, ["sh", "-c", "ls / > /dev/null; sleep 0.6"], dir, "0.5");
    }
    const refused = await runProcpath(["report", "-d", path]);
    assertEquals([refused.code, refused.stdout], [1, ""]);
    const line = refused.stderr.trim();
    assertEquals(line.split("\n").length, 1, line);
    assert.match(
      line,
      /holds 2 \(1: sh -c .* at \d\d:\d\d:\d\d UTC, 2: .*\); choose one with --run N/,
    );

    for (const n of [1, 2]) {
      const report = await json(["report", "-d", path, "--run", String(n), "--format", "json"]);
      assertEquals([report.run, report.runs, report.processes, report.failures], [n, 2, 3, 0]);
      for (const format of ["markdown", "json", "html"]) {
        const out = await runProcpath([
          "report",
          "-d",
          path,
          "--run",
          String(n),
          "--format",
          format,
        ]);
        assertEquals(out.code, 0, out.stderr);
        assert.doesNotMatch(out.stdout, /NaN|Infinity/, format);
      }
    }
    const beyond = await runProcpath(["report", "-d", path, "--run", "3"]);
    assertEquals(beyond.code, 1);
    assert.match(beyond.stderr, /Cannot report on run 3 of .*: it holds 2 runs/);

    const trace = await runProcpath(["export", "-d", path]);
    assertEquals(trace.code, 1);
    const second = await json(["export", "-d", path, "--run", "2"]);
    // deno-lint-ignore no-explicit-any
    assertEquals(second.traceEvents.filter((e: any) => e.ph === "X").length, 3);

    const both = await runProcpath(["compare", path, path]);
    assertEquals(both.code, 2);
    assert.match(both.stderr, /choose one with --base-run N/);
    const compared = await json([
      "compare",
      path,
      path,
      "--base-run",
      "1",
      "--new-run",
      "2",
      "--format",
      "json",
    ]);
    // deno-lint-ignore no-explicit-any
    const processes = compared.metrics.find((m: any) => m.metric === "processes");
    assertEquals([processes.base, processes.new], [3, 3]);

    // a recording whose recorders did not note their runs (an older procpath): the runs
    // are told apart by the recorders that forked their commands
    const old = `${dir}/old.sqlite`;
    Deno.copyFileSync(path, old);
    const db = new DatabaseSync(old);
    db.exec("DELETE FROM meta WHERE key = 'runs'");
    db.close();
    const oldRefused = await runProcpath(["report", "-d", old]);
    assert.match(oldRefused.stderr, /holds 2 \(1: a run at .*, 2: a run at .*\)/);
    const oldSecond = await json(["report", "-d", old, "--run", "2", "--format", "json"]);
    assertEquals(oldSecond.processes, 3);
  },
});

Deno.test({
  ...needs(
    "report and compare of make -j2 against the shell's cutime and gcc -time's count of cc1",
    HAVE,
  ),
  async fn() {
    const dir = await temporaryDir("procpath-oracle-make-");
    writeCProject(dir, 10);
    const path = `${dir}/builds.sqlite`;
    const kernel: number[] = [], cc1: number[] = [];
    for (let i = 0; i < 2; i++) {
      // -B rebuilds everything; gcc -time prints each pass's user and system seconds;
      // the shell's stat, read once make is reaped, is the build's CPU by the kernel
      const printed = await record(
        path,
        [
          "sh",
          "-c",
          "make -B -j2 -s CFLAGS='-O2 -time' 2> times.txt; sleep 0.3; cat /proc/$$/stat",
        ],
        dir,
        "0.5",
      );
      kernel.push(shellStat(printed));
      cc1.push(
        Deno.readTextFileSync(`${dir}/times.txt`).split("\n").filter((l) => l.startsWith("# cc1 "))
          .map((l) => l.split(" ").slice(2, 4).map(Number).reduce((a, b) => a + b, 0))
          .reduce((a, b) => a + b, 0),
      );
    }
    for (const n of [1, 2]) {
      const report = await json(["report", "-d", path, "--run", String(n), "--format", "json"]);
      const k = kernel[n - 1]!;
      assert.ok(Math.abs(report.cpu_s - k) <= Math.max(0.03, k * 0.03), `${report.cpu_s} vs ${k}`);
      // cc1 per pass counted by gcc in 10 ms steps: what the report names cc1 is at most
      // that (a step a pass of slack), and with what it leaves unattributed at least
      const c = program(report, "cc1").cpu_s, oracle = cc1[n - 1]!;
      const unattributed = (program(report, EXITED_BETWEEN)?.cpu_s ?? 0) +
        (program(report, AFTER_LAST)?.cpu_s ?? 0);
      assert.ok(c <= oracle + 0.11, `cc1 ${c} vs ${oracle}`);
      assert.ok(c + unattributed >= oracle - 0.11, `cc1 ${c} + ${unattributed} vs ${oracle}`);
      // `as` lives a few ms: no sample sees most of them, and the table says so
      const as = program(report, "as");
      assert.ok(as.unsampled_processes > 0 && as.unsampled_processes <= as.processes);
    }
    const compared = await json([
      "compare",
      path,
      path,
      "--base-run",
      "1",
      "--new-run",
      "2",
      "--format",
      "json",
    ]);
    // deno-lint-ignore no-explicit-any
    const cpu = compared.metrics.find((m: any) => m.metric === "cpu");
    assert.ok(Math.abs(cpu.base - kernel[0]!) <= Math.max(0.03, kernel[0]! * 0.03), `${cpu.base}`);
    assert.ok(Math.abs(cpu.new - kernel[1]!) <= Math.max(0.03, kernel[1]! * 0.03), `${cpu.new}`);
    // the trace's slices and the CPU it says no slice holds are the kernel's count
    const trace = await json(["export", "-d", path, "--run", "1"]);
    const slices = trace.traceEvents
      // deno-lint-ignore no-explicit-any
      .filter((e: any) => e.ph === "X").reduce((a: number, e: any) => a + e.args.cpu_s, 0) +
      Number(trace.otherData.cpu_unattributed_s ?? 0);
    assert.ok(
      Math.abs(slices - kernel[0]!) <= Math.max(0.05, kernel[0]! * 0.05),
      `slices and unattributed ${slices} s, kernel ${kernel[0]} s, cpu_s ${trace.otherData.cpu_s}`,
    );
  },
});

Deno.test({
  ...needs(
    "report: a peak no sample saw is /usr/bin/time's and said to fall between samples, though the process was sampled",
    HAVE,
  ),
  async fn() {
    const dir = await temporaryDir("procpath-oracle-peak-");
    // asleep 0.7 s (sampled), 300 MiB touched and let go at once, asleep 0.7 s (sampled)
    Deno.writeTextFileSync(
      `${dir}/peak.c`,
      "#include <sys/mman.h>\n#include <unistd.h>\nint main(void) { unsigned long n = 300ul << 20;\n" +
        "  usleep(700000);\n  char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | " +
        "MAP_ANONYMOUS | MAP_POPULATE, -1, 0);\n  if (p == MAP_FAILED) return 1;\n" +
        "  munmap(p, n);\n  usleep(700000);\n  return 0; }\n",
    );
    const cc = new Deno.Command("gcc", { args: ["-o", `${dir}/peak`, `${dir}/peak.c`] })
      .outputSync();
    assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
    const timed = new Deno.Command("/usr/bin/time", {
      args: ["-f", "%M", `${dir}/peak`],
      stderr: "piped",
    }).outputSync();
    const maxKib = Number(new TextDecoder().decode(timed.stderr).trim().split("\n").at(-1));
    assert.ok(maxKib > 300 * 1024, `peak peaked at ${maxKib} KiB`);

    const path = `${dir}/peak.sqlite`;
    await record(path, ["./peak"], dir, "0.5");
    const report = await json(["report", "-d", path, "--format", "json"]);
    const peak = program(report, "./peak") ?? program(report, "peak");
    assert.ok(peak, JSON.stringify(report.programs));
    // sampled while asleep, a few hundred KiB: not the 300 MiB
    assertEquals(peak.unsampled_processes, 0);
    assert.ok(report.peak_rss_bytes < 50 << 20, `${report.peak_rss_bytes}`);
    // the kernel's count, and the run's one process is the one it counted
    assertEquals(report.largest_process.source, "kernel", JSON.stringify(report.largest_process));
    assert.match(report.largest_process.command, /\/peak$/);
    const kib = report.largest_process.rss_bytes / 1024;
    assert.ok(Math.abs(kib - maxKib) <= maxKib * 0.02, `${kib} KiB against ${maxKib}`);
    assert.match(report.largest_sampled_process.command, /\/peak$/);

    const markdown = (await runProcpath(["report", "-d", path])).stdout;
    assert.doesNotMatch(markdown, /lived between samples/);
    assert.match(
      markdown,
      /\| largest process \| 30\d\.\d MiB, the kernel's count \(getrusage ru\\_maxrss\): \S*\/peak; the peak fell between samples \(no sample saw it\)/,
    );
    assert.match(
      markdown,
      /\| peak RSS \| \d+\.\d MiB, the most the samples saw of the whole tree at once, at /,
    );
    const trace = await json(["export", "-d", path]);
    assertEquals(typeof trace.otherData.largest_process_rss_mib, "number");
    assert.ok(Math.abs(trace.otherData.largest_process_rss_mib * 1024 - maxKib) <= maxKib * 0.02);
    assert.match(trace.otherData.largest_process_source, /fell between samples/);
  },
});

Deno.test({
  ...needs(
    "report of a --no-events run: the command and status its recorder noted, lifetimes from stat",
    {
      "gcc is not installed": installed("gcc"),
    },
  ),
  async fn() {
    const dir = await temporaryDir("procpath-no-events-");
    Deno.writeTextFileSync(
      `${dir}/spin.c`,
      "#include <stdlib.h>\n#include <time.h>\nstatic double now(void) { struct timespec t;\n" +
        "  clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }\n" +
        "int main(int argc, char **argv) { double end = now() + atof(argv[1]);\n" +
        "  volatile unsigned long x = 0; while (now() < end) x++; return 0; }\n",
    );
    const cc = new Deno.Command("gcc", { args: ["-o", `${dir}/spin`, `${dir}/spin.c`] })
      .outputSync();
    assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
    const path = `${dir}/ne.sqlite`;
    const script = "for i in 1 2 3 4 5 6 7 8; do ./spin 0.1; done; exit 3";
    const started = performance.now();
    const recorded = await runProcpath(
      ["record", "-i", "0.5", "--no-events", "-d", path, "--", "sh", "-c", script],
      { cwd: dir },
    );
    const wall = (performance.now() - started) / 1000;
    assertEquals(recorded.code, 3, recorded.stderr);
    const report = await json(["report", "-d", path, "--format", "json"]);
    assertEquals(
      [report.command, report.exit_status, report.process_events],
      [`sh -c ${script}`, 3, false],
    );
    // sh ran eight 0.1 s spins, so the samples saw it twice at least: it lived from its
    // start (its stat) to its last sample, within the time record took
    const sh = program(report, "sh");
    assert.ok(sh.longest_lifetime_s >= 0.5 && sh.longest_lifetime_s <= wall, JSON.stringify(sh));
    // a spin a sample saw lived from its start, at most its 0.1 s and its exec
    const spin = program(report, "./spin");
    if (spin) {
      assert.ok(spin.longest_lifetime_s > 0, JSON.stringify(spin));
      assert.ok(spin.longest_lifetime_s < 0.2, JSON.stringify(spin));
    }
    const markdown = (await runProcpath(["report", "-d", path])).stdout;
    assert.match(markdown, /^### procpath report: sh -c for i in .* — exit status 3\n/);
    // CPU the shell reaped names no program, and the table says no list at all
    assert.doesNotMatch(markdown, /[^-]: \|/);
  },
});
