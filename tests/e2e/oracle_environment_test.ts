/**
 * The programs procpath starts run with their caller's resource limits. Oracle: the
 * kernel's `/proc/PID/limits` of the shell that ran procpath (after it set `ulimit -Hn`
 * and `ulimit -Sn`), against each started program's own `/proc/PID/limits` and `ulimit`;
 * no procpath code reads either. Deno raises its own soft open-files limit to the hard
 * one before procpath runs, so a child inherits the raised one unless procpath gives the
 * caller's back.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { repoPath } from "../_helpers/run_procpath.ts";
import { spawnGroup, withGroup } from "../_helpers/processes.ts";
import { needs } from "../_helpers/needs.ts";
import { withTempDir } from "../_helpers/temp_dir.ts";

const OPTIONS = { sanitizeResources: false, sanitizeOps: false };

/** The test's own open-files limits, from the kernel. */
function ownOpenFiles(): { soft: number; hard: number } {
  const row = Deno.readTextFileSync("/proc/self/limits").split("\n")
    .find((line) => line.startsWith("Max open files"))!.split(/\s+/);
  const value = (text: string) => text === "unlimited" ? Infinity : Number(text);
  return { soft: value(row[3]!), hard: value(row[4]!) };
}

/** The caller's limits: a soft limit far below the hard one, as a login session has. */
const HARD = Math.min(ownOpenFiles().hard, 8192);
const SOFT = 256;
const lowerable = Deno.build.os === "linux" && HARD > SOFT * 2;
const NEED = { "the open-files hard limit is too low to lower the soft one below it": lowerable };

/**
 * A probe for the started programs: writes its `ulimit -Sn`, `ulimit -Hn`, how many
 * descriptors the procpath above it holds, whether it sees the launcher's variable, the
 * descriptors it was started with, then its own `/proc/PID/limits`, to `OUT.PID`.
 */
const PROBE = `#!/bin/sh
# into a file: a pipe of $(…) would be one more descriptor, and a racy one
ls /proc/$$/fd > "$1.$$.fds"
p=$PPID
while [ "$p" -gt 1 ] && [ "$(cat /proc/$p/comm)" != deno ]; do
  p=$(sed 's/.*) //' /proc/$p/stat | cut -d' ' -f2)
done
{
  ulimit -Sn
  ulimit -Hn
  ls /proc/$p/fd | wc -l
  env | grep -c '^PROCPATH_CALLER_NOFILE='
  echo $(cat "$1.$$.fds")
  cat /proc/$$/limits
} > "$1.$$"
rm "$1.$$.fds"
`;

interface Probed {
  soft: string;
  hard: string;
  /** Descriptors procpath held when the program was started. */
  procpathFds: number;
  launcherVariable: string;
  /** The probe's own descriptors as it started ("0 1 2"). */
  fds: string;
  limits: string;
}

/** Where a test's probe is and writes: `out.PID` for each program it probed. */
interface ProbeFiles {
  dir: string;
  probe: string;
  out: string;
}

/** Runs `body` with the probe written to a temporary directory, removed in the end. */
function withProbe(body: (files: ProbeFiles) => Promise<void>): Promise<void> {
  return withTempDir((dir) => {
    const probe = `${dir}/probe.sh`;
    Deno.writeTextFileSync(probe, PROBE, { mode: 0o755 });
    return body({ dir, probe, out: `${dir}/probed` });
  }, "procpath-env-");
}

/** Enough sleeping processes that procpath keeps more files open than the caller's soft limit. */
const CROWD = ["sh", "-c", "for i in $(seq 200); do sleep 600 & done; wait"];

/** What each probe wrote. */
function probed(dir: string, prefix = "probed."): Probed[] {
  return [...Deno.readDirSync(dir)].filter((e) =>
    e.name.startsWith(prefix) && !e.name.endsWith(".fds")
  ).map((e) => {
    const [soft, hard, procpathFds, variable, fds, ...limits] = Deno.readTextFileSync(
      `${dir}/${e.name}`,
    ).split("\n");
    return {
      soft: soft!,
      hard: hard!,
      procpathFds: Number(procpathFds),
      launcherVariable: variable!,
      fds: fds!,
      limits: limits.join("\n"),
    };
  });
}

/**
 * Runs `procpath args…` from bash after `ulimit -Sn SOFT; ulimit -Hn HARD`, the way a user
 * types it (through scripts/procpath, exec'd), or with `direct` Deno itself as bash's child
 * (the compiled binary's case: no launcher). Returns the status, stderr, and the caller's
 * own limits as the kernel shows them.
 */
async function asCaller(dir: string, args: string[], direct = false, before = "true") {
  const program = direct
    ? [
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      "--config",
      repoPath("deno.json"),
      repoPath("src/main.ts"),
    ]
    : [repoPath("scripts/procpath")];
  // without exec bash stays procpath's parent: the compiled binary's case
  const run = direct ? '"$@"; exit $?' : 'exec "$@"';
  const output = await new Deno.Command("bash", {
    args: [
      "-c",
      `ulimit -Sn ${SOFT} && ulimit -Hn ${HARD} && cat /proc/$$/limits > "${dir}/caller" && ${before} && ${run}`,
      "bash",
      ...program,
      ...args,
    ],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stderr: new TextDecoder().decode(output.stderr),
    caller: Deno.readTextFileSync(`${dir}/caller`),
  };
}

/** The oracle of descriptors: the probe run by the calling shell itself, through `sh -c`. */
const directProbe = (probe: string, dir: string) => `sh -c '${probe} ${dir}/direct'`;

/** `asCaller` through the launcher, once the calling shell ran the probe itself (`directProbe`). */
function asCallerAfterOracle({ dir, probe }: ProbeFiles, args: string[]) {
  return asCaller(dir, args, false, directProbe(probe, dir));
}

/** `withProbe` beside `CROWD`, a group of its own ended in the end. */
function withProbeBesideCrowd(body: (files: ProbeFiles) => Promise<void>): Promise<void> {
  return withProbe((files) => withGroup(spawnGroup(CROWD), () => body(files)));
}

/**
 * None of procpath's thousands of descriptors leaked into what it started: each probe has
 * only numbers the probe had when the calling shell ran it (what the caller's own caller
 * left open is inherited either way).
 */
function assertNoDescriptorOfProcpath(dir: string, found: Probed[]) {
  const numbers = (text: string) => text.trim().split(" ");
  const direct = new Set(numbers(probed(dir, "direct.")[0]!.fds));
  for (const p of found) {
    const leaked = numbers(p.fds).filter((fd) => !direct.has(fd));
    assertEquals(leaked.length, 0, `leaked: ${leaked.slice(0, 10).join(" ")}…`);
  }
}

/** Some probe ran while procpath held more descriptors than the caller's soft limit. */
function assertBesideKeptFiles(found: Probed[]) {
  const most = Math.max(...found.map((p) => p.procpathFds));
  if (most <= SOFT) throw new Error(`procpath held at most ${most} descriptors`);
}

/** Every probe saw the caller's limits, all of them, and no variable of procpath's. */
function assertCallerLimits(found: Probed[], caller: string, least: number) {
  if (found.length < least) throw new Error(`${found.length} programs probed, ${least} expected`);
  for (const p of found) {
    assertEquals(
      [p.soft, p.hard, p.launcherVariable, p.limits],
      [String(SOFT), String(HARD), "0", caller],
    );
  }
}

Deno.test({
  ...OPTIONS,
  ...needs(
    "record -- COMMAND: the command and what it forks run with the caller's limits and descriptors",
    NEED,
  ),
  async fn() {
    await withProbe(async (files) => {
      const { dir, probe, out } = files;
      const run = await asCallerAfterOracle(files, [
        "record",
        "-i",
        "0.1",
        "-d",
        `${dir}/db.sqlite`,
        "--",
        "sh",
        "-c",
        `${probe} ${out}; sh -c '${probe} ${out}'`,
      ]);
      assertEquals([run.code, run.stderr.includes("exited with status 0")], [0, true]);
      const found = probed(dir);
      assertCallerLimits(found, run.caller, 2);
      assertNoDescriptorOfProcpath(dir, found);
    });
  },
});

Deno.test({
  ...OPTIONS,
  ...needs(
    "record -e re-evaluated beside thousands of kept procfs files: sh gets the caller's limits",
    NEED,
  ),
  async fn() {
    await withProbeBesideCrowd(async (files) => {
      const { dir, probe, out } = files;
      const run = await asCallerAfterOracle(files, [
        "record",
        "-i",
        "0.1",
        "-r",
        "4",
        "-v",
        "1",
        "-e",
        `X=${probe} ${out}; echo 1`,
        "-d",
        `${dir}/db.sqlite`,
      ]);
      assertEquals([run.code, run.stderr.includes("ERROR")], [0, false]);
      const found = probed(dir);
      assertCallerLimits(found, run.caller, 3);
      // the later evaluations ran while procpath held more descriptors than the soft limit
      assertBesideKeptFiles(found);
      assertNoDescriptorOfProcpath(dir, found);
    });
  },
});

Deno.test({
  ...OPTIONS,
  ...needs(
    "watch: commands started and restarted beside kept procfs files get the caller's limits",
    NEED,
  ),
  async fn() {
    await withProbeBesideCrowd(async (files) => {
      const { dir, probe, out } = files;
      const run = await asCallerAfterOracle(files, [
        "watch",
        "-i",
        "0.1",
        "-r",
        "4",
        "-q",
        "P=$..children[?(@.stat.pid == 1)].stat.pid",
        "-c",
        `${probe} ${out}`,
      ]);
      assertEquals(run.code, 0);
      // the queries are read before the first start, so every start is beside kept files
      const found = probed(dir);
      assertCallerLimits(found, run.caller, 1);
      assertBesideKeptFiles(found);
      assertNoDescriptorOfProcpath(dir, found);
    });
  },
});

Deno.test({
  ...OPTIONS,
  ...needs("play: record and watch sections start programs with the caller's limits", NEED),
  async fn() {
    await withProbe(async ({ dir, probe, out }) => {
      Deno.writeTextFileSync(
        `${dir}/play.ini`,
        `[r:record]
environment: X=${probe} ${out}; echo 1
database_file: ${dir}/db.sqlite
interval: 0.1
recnum: 2

[w:watch]
command: ${probe} ${out}
interval: 0.1
repeat: 1
`,
      );
      const run = await asCaller(dir, ["play", "-f", `${dir}/play.ini`, "*"]);
      assertEquals(run.code, 0);
      assertCallerLimits(probed(dir), run.caller, 2);
    });
  },
});

Deno.test({
  ...OPTIONS,
  ...needs(
    "record -- COMMAND without the launcher (the compiled binary's case): the parent's limits",
    NEED,
  ),
  async fn() {
    await withProbe(async ({ dir, probe, out }) => {
      const run = await asCaller(
        dir,
        ["record", "-i", "0.1", "-d", `${dir}/db.sqlite`, "--", probe, out],
        true,
      );
      assertEquals(run.code, 0);
      assertCallerLimits(probed(dir), run.caller, 1);
    });
  },
});
