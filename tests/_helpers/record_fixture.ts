import { assertEquals } from "./assert.ts";
import { fixture, runProcpath, type RunResult } from "./run_procpath.ts";

/**
 * Records a fixture procfs tree (the browser one unless `procfs` names another) into
 * `db` with `record --procfs PROCFS -d DB ARGS…`, for a test that reads a recording;
 * fails the test, with procpath's stderr, unless it exits 0. Returns the run, for a test
 * that also checks what it said.
 */
export async function recordFixture(
  db: string,
  args: string[],
  procfs = fixture("browser"),
): Promise<RunResult> {
  const run = await runProcpath(["record", "--procfs", procfs, "-d", db, ...args]);
  assertEquals(run.code, 0, run.stderr);
  return run;
}
