// `procpath export --format chrome-trace` on real recordings made by the test: the trace
// keeps the format's rules, a trace parser from npm reads it back, and bad input gets
// one line and a non-zero exit.
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { buildModel } from "npm:@tracerbench/trace-model@8.0.0";
import { assertEquals } from "../_helpers/assert.ts";
import { badInputs, ciRecordings } from "../_helpers/ci_recordings.ts";
import { logLines, repoPath, runProcpath } from "../_helpers/run_procpath.ts";
import { spawnGroup, waitUntil } from "../_helpers/processes.ts";
import { traceRuleBreaks } from "../_helpers/trace_rules.ts";

/** The trace `export` writes for `recording`, parsed. */
async function exported(recording: string) {
  const { dir } = await ciRecordings();
  const out = `${dir}/trace-${crypto.randomUUID()}.json`;
  const result = await runProcpath([
    "export",
    "-d",
    recording,
    "--format",
    "chrome-trace",
    "-o",
    out,
  ]);
  assertEquals([result.code, result.stderr], [0, ""]);
  return JSON.parse(Deno.readTextFileSync(out));
}

Deno.test("export: a make -j2 build's trace keeps the format's rules and names every compiler", async () => {
  const { build } = await ciRecordings();
  const trace = await exported(build);
  assertEquals(traceRuleBreaks(trace), []);
  const slices = trace.traceEvents.filter((e: { ph: string }) => e.ph === "X");
  const names = slices.map((e: { name: string }) => e.name);
  // a slice for every fork the kernel reported, counted by SQLite
  const db = new DatabaseSync(build, { readOnly: true });
  const forks = db.prepare("SELECT count(*) n FROM process_event WHERE kind = 'fork'").get();
  db.close();
  assertEquals(slices.length, forks!.n);
  // 13 compiles (main.c and 12 units) and one link, each a cc driver: named where the
  // recorder read the name in time (under load a program may be gone before, and a child
  // whose exec was not read keeps its parent's name)
  const cc = names.filter((n: string) => n === "cc").length;
  assert.ok(cc >= 10, names.join(" "));
  assert.ok(names.filter((n: string) => n === "cc1").length >= 9, names.join(" "));
  assertEquals(names[0], "make");
  // a process alone with its parent (inside its lifetime, no sibling beside it) is drawn
  // inside the parent's slice, on the parent's track
  type Slice = { ts: number; dur: number; tid: number; args: { pid: number; ppid: number } };
  const byPid = new Map<number, Slice>(slices.map((e: Slice) => [e.args.pid, e]));
  const inside = (a: Slice, b: Slice) => b.ts <= a.ts && a.ts + a.dur <= b.ts + b.dur;
  const overlap = (a: Slice, b: Slice) => a.ts < b.ts + b.dur && b.ts < a.ts + a.dur;
  let alone = 0;
  for (const e of slices as Slice[]) {
    const parent = byPid.get(e.args.ppid);
    if (!parent || !inside(e, parent)) continue;
    const siblings = (slices as Slice[]).filter((o) => o !== e && o.args.ppid === e.args.ppid);
    if (siblings.some((o) => overlap(o, e))) continue;
    alone++;
    assertEquals(e.tid, parent.tid, JSON.stringify(e));
  }
  assert.ok(alone >= 13, `${alone} processes alone with their parent`);
  const make = slices[0];
  assertEquals([make.ts, make.args.exit_status, make.args.command], [0, 0, "/usr/bin/make -j2 -s"]);
});

Deno.test("export: @tracerbench/trace-model reads the trace back: one process, named tracks, every slice", async () => {
  const { script } = await ciRecordings();
  const trace = await exported(script);
  const model = buildModel(trace.traceEvents);
  assertEquals(model.processes.length, 1);
  const [process] = model.processes;
  assert.match(process!.name, /^sh \d+$/);
  const events = process!.threads.flatMap((t) => t.events.filter((e) => e.isComplete()));
  const slices = trace.traceEvents.filter((e: { ph: string }) => e.ph === "X");
  assertEquals(events.length, slices.length);
  for (const thread of process!.threads) assert.match(thread.name, /^\S+ \d+$/);
  // every slice the parser nests lies within its parent, as on screen
  for (const e of events) {
    if (e.parent) assert.ok(e.parent.start <= e.start && e.end <= e.parent.end);
  }
  assertEquals(traceRuleBreaks(trace), []);
});

Deno.test("export: the script's short programs each have their slice, the failing ls marked", async () => {
  const { script } = await ciRecordings();
  const trace = await exported(script);
  const slices = trace.traceEvents.filter((e: { ph: string }) => e.ph === "X");
  // the script forks 50 programs (true and printf are the shell's own), ls and sleep
  assertEquals(slices.length, 1 + 50 + 2);
  const failed = slices.filter((e: { args: { exit_status?: number } }) => e.args.exit_status === 2);
  assertEquals(failed.length, 1);
  // its name when the recorder read it in time (a program this short may be gone first)
  assert.ok(["ls", "(gone before it was named)"].includes(failed[0].name), failed[0].name);
});

Deno.test("export: standard output by default, and a warning for a recording without events", async () => {
  const { dir } = await ciRecordings();
  const { noEvents } = await badInputs(await Deno.makeTempDir({ dir }));
  const result = await runProcpath(["export", "-d", noEvents]);
  assertEquals(result.code, 0);
  assert.match(result.stderr, /has no process events/);
  assertEquals(result.stderr.trim().split("\n").length, 1);
  assertEquals(traceRuleBreaks(JSON.parse(result.stdout)), []);
});

Deno.test("export: bad input gets one line and exit 1 or 2, and leaves -o as it was", async () => {
  const { dir, build } = await ciRecordings();
  const bad = await badInputs(await Deno.makeTempDir({ dir }));
  const out = `${dir}/kept.json`;
  Deno.writeTextFileSync(out, "kept");
  const cases: [string[], number, RegExp][] = [
    [["-d", bad.empty], 1, /not a procpath recording/],
    [["-d", bad.foreign], 1, /not a procpath recording/],
    [["-d", bad.noSamples], 1, /holds no sample/],
    [["-d", `${dir}/missing.sqlite`], 1, /Cannot read/],
    [["-d", dir], 1, /not a regular file/],
    [["-d", build, "--format", "svg"], 2, /format/],
    [["-d", build, "-o", dir], 1, /Cannot write .*directory/],
    [["-d", build, "-o", "/dev/full"], 1, /Cannot write "\/dev\/full"/],
  ];
  for (const [args, code, message] of cases) {
    const result = await runProcpath(["export", ...args]);
    assertEquals(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
    // the refusals shared with report say what was being done
    assert.doesNotMatch(result.stderr, /Cannot report/);
    if (code === 1 && !args.includes("-o")) assert.match(result.stderr, /Cannot (export|read) "/);
  }
  const refused = await runProcpath(["export", "-d", bad.foreign, "-o", out]);
  assertEquals([refused.code, Deno.readTextFileSync(out)], [1, "kept"]);
});

Deno.test("export: a recording still being written is refused naming its recorder; once that is SIGKILLed, what it committed is exported", async () => {
  const { dir } = await ciRecordings();
  const path = `${dir}/live-${crypto.randomUUID()}.sqlite`;
  const recorder = spawnGroup([
    repoPath("scripts/procpath"),
    "record",
    "-i",
    "0.2",
    "-d",
    path,
    "--",
    "sleep",
    "60",
  ]);
  /** The samples committed so far, read as any reader may while the recorder writes. */
  const committed = () => {
    try {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return Number(db.prepare("SELECT COUNT(DISTINCT ts) n FROM record").get()!.n);
      } finally {
        db.close();
      }
    } catch {
      return 0;
    }
  };
  try {
    await waitUntil(() => committed() >= 3, { ms: 30_000, message: () => `${committed()}` });
    const before = Deno.readFileSync(path);
    const result = await runProcpath(["export", "-d", path]);
    assertEquals(result.code, 1);
    // setsid execs procpath's script, which execs Deno: the group's leader is the recorder
    assert.match(
      result.stderr,
      new RegExp(`Cannot export ".*": it is still being written by PID ${recorder.pid} \\(`),
    );
    assertEquals(result.stderr.trim().split("\n").length, 1);
    // report shares the refusal, in its own words
    const report = await runProcpath(["report", "-d", path, "--format", "json"]);
    assertEquals(report.code, 1);
    assert.match(report.stderr, new RegExp(`Cannot report on ".*": .* by PID ${recorder.pid} `));
    assertEquals(Deno.readFileSync(path), before);
    assert.ok(Deno.statSync(`${path}-wal`).size > 0);
  } finally {
    // the recorder and its sleep: SIGKILL leaves the write-ahead log unfolded
    await recorder.kill();
  }
  const seen = committed();
  const result = await runProcpath(["export", "-d", path]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(logLines(result.stderr).length, 1, result.stderr);
  assert.match(result.stderr, /The recorder of ".*" is gone .*recovered into the file/);
  const trace = JSON.parse(result.stdout);
  assertEquals(traceRuleBreaks(trace), []);
  // deno-lint-ignore no-explicit-any
  const slices = trace.traceEvents.filter((e: any) => e.ph === "X").map((e: any) => e.name);
  assert.ok(slices.includes("sleep"), slices.join(" "));
  // the counters: one RSS reading a committed sample
  // deno-lint-ignore no-explicit-any
  const rss = trace.traceEvents.filter((e: any) => e.name === "RSS MiB");
  assertEquals(rss.length, seen);
  assertEquals(Deno.statSync(`${path}-wal`).size, 0);
});
