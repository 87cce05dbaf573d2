/** The result of running procpath as a user would. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Path of a file in the repository. */
export const repoPath = (relative: string) => ROOT + relative;

/** Path of a fixture procfs tree. */
export const fixture = (name: string) => repoPath(`tests/fixtures/proc/${name}`);

/**
 * The permission flags of the `procpath` task in deno.json: the same flags the
 * compiled binary bakes in and scripts/procpath uses.
 */
export function bakedFlags(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(repoPath("deno.json")));
  const words: string[] = config.tasks.procpath.split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("src/main.ts"));
}

/** Options for one run. */
export interface RunOptions {
  /** Deno flags instead of the baked ones (for narrow-permission replays). */
  flags?: string[];
  stdin?: string;
  cwd?: string | undefined;
  env?: Record<string, string> | undefined;
}

/** Runs `procpath args…` from source through scripts/procpath (or with `flags`), never via a shell string. */
export async function runProcpath(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const command = options.flags
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", ...options.flags, "--quiet", repoPath("src/main.ts"), ...args],
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.env === undefined ? {} : { env: options.env }),
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command(repoPath("scripts/procpath"), {
      args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: {
        ...options.env,
        PATH: `${Deno.execPath().replace(/\/[^/]+$/, "")}:${Deno.env.get("PATH")}`,
      },
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    });
  const child = command.spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = await child.output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Starts procpath in the background with piped output, to signal it mid-run;
 * scripts/procpath execs Deno, so the child's PID is procpath's.
 */
export function spawnProcpath(args: string[], cwd?: string): Deno.ChildProcess {
  return new Deno.Command(repoPath("scripts/procpath"), {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The stderr lines with their timestamp and level prefix removed, for comparisons. */
export function logLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l !== "")
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (\w+)\s+procpath /, "$1 "));
}
