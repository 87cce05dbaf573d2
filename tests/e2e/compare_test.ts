// `procpath compare` on real runs recorded by the test: a job and its double (a C
// project of twice the files; a script of twice the programs), the gate's exit status,
// and bad input as exit 2.
import assert from "node:assert/strict";
import { assertEquals } from "../_helpers/assert.ts";
import {
  badInputs,
  recordJob,
  shortProgramsScript,
  temporaryDir,
  writeCProject,
} from "../_helpers/ci_recordings.ts";
import { runProcpath } from "../_helpers/run_procpath.ts";

interface Runs {
  dir: string;
  build: string;
  buildTwice: string;
  script: string;
  scriptTwice: string;
}

let made: Promise<Runs> | null = null;

/** The four recordings, made once for this file. */
function runs(): Promise<Runs> {
  made ??= (async () => {
    const dir = await temporaryDir("procpath-compare-");
    const build = async (name: string, files: number) => {
      const project = `${dir}/${name}`;
      Deno.mkdirSync(project);
      writeCProject(project, files);
      await recordJob(`${dir}/${name}.sqlite`, ["make", "-j2", "-s"], { cwd: project });
      return `${dir}/${name}.sqlite`;
    };
    const script = async (name: string, count: number) => {
      Deno.writeTextFileSync(`${dir}/${name}.sh`, shortProgramsScript(count));
      await recordJob(`${dir}/${name}.sqlite`, ["sh", `${dir}/${name}.sh`]);
      return `${dir}/${name}.sqlite`;
    };
    return {
      dir,
      build: await build("build", 8),
      buildTwice: await build("build-twice", 16),
      script: await script("script", 60),
      scriptTwice: await script("script-twice", 120),
    };
  })();
  return made;
}

const metric = (json: { metrics: { metric: string }[] }, name: string) =>
  json.metrics.find((m) => m.metric === name) as unknown as {
    base: number;
    new: number;
    change_pct: number;
    exceeded: boolean;
  };

Deno.test("compare: a script and its double — twice the processes, the gate fails at +50 %", async () => {
  const { script, scriptTwice } = await runs();
  const result = await runProcpath([
    "compare",
    script,
    scriptTwice,
    "--max-increase",
    "processes=50%",
    "--format",
    "json",
  ]);
  assertEquals(result.code, 1, result.stderr);
  const json = JSON.parse(result.stdout);
  // 50 programs the shell forks per 60 lines (true and printf are its own), ls, sleep, sh
  assertEquals([metric(json, "processes").base, metric(json, "processes").new], [53, 103]);
  assertEquals(metric(json, "processes").exceeded, true);
  assertEquals(json.exceeded, true);
});

Deno.test("compare: a build and its double — the compilers' CPU about doubles, a wide gate passes", async () => {
  const { build, buildTwice } = await runs();
  const gated = await runProcpath([
    "compare",
    build,
    buildTwice,
    "--max-increase",
    "cpu=40%",
    "--format",
    "json",
  ]);
  assertEquals(gated.code, 1, gated.stderr);
  const json = JSON.parse(gated.stdout);
  const cpu = metric(json, "cpu");
  // 16 units of the same code against 8 (main.c and the link are the same in both)
  assert.ok(cpu.change_pct > 40 && cpu.change_pct < 200, JSON.stringify(cpu));
  // the first program (CPU no zombie told apart is "(exited, not split)", no program)
  // deno-lint-ignore no-explicit-any
  const first = json.programs.find((p: any) => !p.program.startsWith("("));
  assertEquals(first.program, "cc1");
  // 9 compilers against 17, less any whose name the recorder could not read in time
  const { base, new: now } = first;
  assert.ok(base.processes <= 9 && now.processes <= 17 && now.processes > base.processes * 1.5);
  const wide = await runProcpath(["compare", build, buildTwice, "--max-increase", "cpu=400%"]);
  assertEquals(wide.code, 0, wide.stderr);
  assert.match(wide.stdout, /\| CPU \| [\d.]+ s \| [\d.]+ s \| \+[\d.]+ % \| \+400 % \| ok \|/);
});

Deno.test("compare --rerun: a change no larger than a rerun's passes the gate", async () => {
  const { script, scriptTwice } = await runs();
  const args = ["compare", script, scriptTwice, "--max-increase", "processes=50%", "--rerun"];
  // the base against itself as its rerun: no noise, the doubled processes fail
  assertEquals((await runProcpath([...args, script])).code, 1);
  // a "rerun" as far off as the new run: the change is within noise
  const noisy = await runProcpath([...args, scriptTwice, "--format", "json"]);
  assertEquals(noisy.code, 0, noisy.stderr);
  const processes = metric(JSON.parse(noisy.stdout), "processes") as unknown as {
    noise: boolean;
    noise_band: number;
  };
  assertEquals([processes.noise, processes.noise_band], [true, 100]);
});

Deno.test("compare: a run against itself exits 0, every measure within noise", async () => {
  const { build } = await runs();
  const result = await runProcpath([
    "compare",
    build,
    build,
    "--max-increase",
    "cpu=0%",
    "--max-increase",
    "wall=0%",
  ]);
  assertEquals([result.code, result.stderr], [0, ""]);
  assertEquals((result.stdout.match(/within noise/g) ?? []).length, 5);
});

Deno.test("compare: recordings without events are compared, with a warning for each", async () => {
  const { dir } = await runs();
  const { noEvents } = await badInputs(await Deno.makeTempDir({ dir }));
  const result = await runProcpath(["compare", noEvents, noEvents, "--max-increase", "cpu=1%"]);
  assertEquals(result.code, 0, result.stderr);
  assertEquals(
    result.stderr.trim().split("\n").filter((l) => /has no process events/.test(l)).length,
    2,
  );
});

Deno.test("compare: bad input is exit 2 with one line (1 means a limit was exceeded)", async () => {
  const { dir, build } = await runs();
  const bad = await badInputs(await Deno.makeTempDir({ dir }));
  const cases: [string[], RegExp][] = [
    [[build, bad.foreign], /not a procpath recording/],
    [[bad.empty, build], /not a procpath recording/],
    [[build, bad.noSamples], /holds no sample/],
    [[build, `${dir}/missing.sqlite`], /Cannot read/],
    [[build, build, "--max-increase", "cpu=10"], /expected METRIC=N%/],
    [[build, build, "--max-increase", "memory=10%"], /unknown metric "memory"/],
    [[build], /missing required argument|new/],
  ];
  for (const [args, message] of cases) {
    const result = await runProcpath(["compare", ...args]);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assertEquals(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
});
