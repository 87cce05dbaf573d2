// scripts/procpath starts Deno with lazy dynamic imports (see src/main.ts): a module loaded
// after procpath dropped its permissions would be refused, and the variable must not reach
// the programs procpath starts. Each test runs the launcher itself.
import { assertEquals } from "../../_helpers/assert.ts";
import { fixture, repoPath, runProcpath } from "../../_helpers/run_procpath.ts";

const BROWSER = fixture("browser");
const RECORDING = repoPath("tests/fixtures/procpath_1_14/recording.sqlite");

Deno.test("through the launcher, query's SQL over a live snapshot runs after the drop", async () => {
  const { code, stdout, stderr } = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "$..children[?(@.stat.pid == 100)]",
    "SELECT SUM(stat_rss) / 1024.0 * 4 total FROM record",
  ]);
  assertEquals([code, stdout, stderr], [0, '[{"total": 1426.484375}]\n', ""]);
});

Deno.test("through the launcher, query's SQL over a recorded sample runs after the drop", async () => {
  const { code, stdout, stderr } = await runProcpath([
    "query",
    "--recording",
    RECORDING,
    "$..children[?(@.stat.pid == 1)]",
    "SELECT count(*) n FROM record",
  ]);
  assertEquals([code, stdout, stderr], [0, '[{"n": 18}]\n', ""]);
});

Deno.test("the launcher's lazy-imports variable reaches no program procpath starts", async () => {
  const { code, stdout } = await runProcpath([
    "query",
    "--procfs",
    BROWSER,
    "-e",
    "L=echo ${DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS:-unset}",
    "$..children[?(@.stat.pid == 100)]",
    'SELECT "$L" AS l FROM record LIMIT 1',
  ]);
  assertEquals([code, stdout], [0, '[{"l": "unset"}]\n']);
});

Deno.test("the launcher sets the variable for Deno: lazy imports are what it runs with", () => {
  const launcher = Deno.readTextFileSync(repoPath("scripts/procpath"));
  assertEquals(/^export DENO_UNSTABLE_LAZY_DYNAMIC_IMPORTS=1$/m.test(launcher), true);
});
