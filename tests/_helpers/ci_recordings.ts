/**
 * Real recordings of CI-like jobs, made by `record -- COMMAND` the way a CI step makes
 * them: a generated C project built with `make -j2`, and a shell script of many
 * distinct short programs. Each is made once per test file and cached in a temporary
 * directory.
 */
import { DatabaseSync } from "node:sqlite";
import { runProcpath } from "./run_procpath.ts";
import { syntheticRecording } from "./synthetic_recording.ts";

/** A C project of `files` sources (each a few functions) and a Makefile, written in `dir`. */
export function writeCProject(dir: string, files = 12, functions = 40): void {
  const objects: string[] = [];
  for (let i = 0; i < files; i++) {
    const body = Array.from(
      { length: functions },
      (_, k) =>
        `int f${i}_${k}(int x) { int s = 0; for (int j = 0; j < x; j++) s += j * ${
          k + 1
        } ^ ${i}; ` +
        `return s; }`,
    ).join("\n");
    Deno.writeTextFileSync(`${dir}/unit${i}.c`, `${body}\n`);
    objects.push(`unit${i}.o`);
  }
  Deno.writeTextFileSync(
    `${dir}/main.c`,
    "int f0_0(int);\nint main(void) { return f0_0(3) == 0 ? 0 : 0; }\n",
  );
  Deno.writeTextFileSync(
    `${dir}/Makefile`,
    `CFLAGS = -O2\nprog: main.o ${objects.join(" ")}\n\tcc -o prog main.o ${
      objects.join(" ")
    }\n%.o: %.c\n\tcc $(CFLAGS) -c -o $@ $<\n`,
  );
}

/** A script that runs `count` short programs of a dozen distinct kinds, one failing on purpose. */
export function shortProgramsScript(count = 60): string {
  const programs = [
    "true",
    "date +%s",
    "uname -r",
    "id -u",
    "basename /a/b",
    "dirname /a/b",
    "expr 2 + 3",
    "printf x",
    "seq 1 50",
    "wc -c /etc/hostname",
    "head -c 10 /etc/hostname",
    "sort /etc/hostname",
  ];
  const lines = ["set +e"];
  for (let i = 0; i < count; i++) lines.push(`${programs[i % programs.length]} > /dev/null`);
  lines.push("ls /nonexistent-procpath-report-test 2> /dev/null", "sleep 0.6", "exit 0");
  return lines.join("\n") + "\n";
}

/**
 * Records `command` with `record -i 0.5 -d path -- command…` and returns what the
 * command printed; throws unless it exits `expect`.
 */
export async function recordJob(
  path: string,
  command: string[],
  options: { cwd?: string; expect?: number } = {},
): Promise<string> {
  const result = await runProcpath(["record", "-i", "0.5", "-d", path, "--", ...command], {
    cwd: options.cwd,
  });
  if (result.code !== (options.expect ?? 0)) {
    throw new Error(`record exited ${result.code}: ${result.stderr}`);
  }
  return result.stdout;
}

/** The two recordings of a test file: a `make -j2` build and a script of short programs. */
export interface CiRecordings {
  dir: string;
  build: string;
  script: string;
}

let made: Promise<CiRecordings> | null = null;

/** A temporary directory removed when the test file's run ends. */
export async function temporaryDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone already */ }
  });
  return dir;
}

/** Makes (once per test file) both recordings in a temporary directory. */
export function ciRecordings(): Promise<CiRecordings> {
  made ??= (async () => {
    const dir = await temporaryDir("procpath-ci-");
    const project = `${dir}/project`;
    Deno.mkdirSync(project);
    writeCProject(project);
    const build = `${dir}/build.sqlite`;
    await recordJob(build, ["make", "-j2", "-s"], { cwd: project });
    const scriptFile = `${dir}/job.sh`;
    Deno.writeTextFileSync(scriptFile, shortProgramsScript());
    const script = `${dir}/script.sqlite`;
    await recordJob(script, ["sh", scriptFile]);
    return { dir, build, script };
  })();
  return made;
}

/** Files the reports must refuse or qualify, made in `dir`. */
export interface BadInputs {
  /** A zero-byte file. */
  empty: string;
  /** A SQLite database of another program. */
  foreign: string;
  /** A recording's tables without a sample. */
  noSamples: string;
  /** A real recording made with `--no-events`. */
  noEvents: string;
}

/** Makes the bad inputs of the reports' tests. */
export async function badInputs(dir: string): Promise<BadInputs> {
  const empty = `${dir}/empty.sqlite`;
  Deno.writeFileSync(empty, new Uint8Array());
  const foreign = `${dir}/foreign.sqlite`;
  const db = new DatabaseSync(foreign);
  db.exec(
    "CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoice VALUES (1, 9.5)",
  );
  db.close();
  const noSamples = `${dir}/no-samples.sqlite`;
  syntheticRecording(noSamples, ["stat", "cmdline"]).close();
  const noEvents = `${dir}/no-events.sqlite`;
  const result = await runProcpath([
    "record",
    "-i",
    "0.5",
    "--no-events",
    "-d",
    noEvents,
    "--",
    "sh",
    "-c",
    "sleep 0.6; ls / > /dev/null",
  ]);
  if (result.code !== 0) {
    throw new Error(`record --no-events exited ${result.code}: ${result.stderr}`);
  }
  return { empty, foreign, noSamples, noEvents };
}
