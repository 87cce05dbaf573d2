import { quoteInput } from "../text/visible.ts";
import { spawnAsCaller } from "../kernel/caller_limits.ts";
import { delay } from "../time/delay.ts";
/** One `-e NAME='shell command'` pair. */
export interface EnvironmentSpec {
  name: string;
  command: string;
}

/** An `-e` command that could not be run or failed. */
export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentError";
  }
}

const STATUS_MARK = "procpath-environment-status";
/** How long the commands may run before `say` hears that they are awaited, ms. */
const SLOW_MS = 5000;

/**
 * Builds the POSIX sh script that evaluates the variables in order, so a later
 * command can use an earlier variable (`D1=echo ${D0}000`), and prints each value
 * NUL-terminated. A command that exits non-zero names itself and its status on
 * stderr; the script goes on, as the reference's does.
 */
export function buildEnvironmentScript(specs: readonly EnvironmentSpec[]): string {
  const lines = [
    `__procpath_status() { [ "$2" -eq 0 ] || printf '${STATUS_MARK} %s %s\\n' "$1" "$2" >&2; }`,
  ];
  for (const { name, command } of specs) {
    lines.push(`${name}=$(${command}\n); __procpath_status ${name} $?`, `export ${name}`);
  }
  for (const { name } of specs) lines.push(`printf '%s\\0' "$${name}"`);
  return lines.join("\n") + "\n";
}

/** Checks a `NAME=command` argument and splits it at the first `=`. */
export function parseEnvironmentSpec(text: string): EnvironmentSpec {
  const at = text.indexOf("=");
  const name = at < 0 ? text : text.slice(0, at);
  if (at < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new EnvironmentError(`Cannot use environment "${text}": expected NAME=shell command`);
  }
  return { name, command: text.slice(at + 1) };
}

/**
 * Runs the `-e` commands through `sh` (one process for all of them) and returns
 * the variables by name, leniently as the reference does: a value keeps its first
 * line, and a command that exits non-zero still gives its output, with one warning
 * naming its status. Their stderr passes through. `warn` also gets one line per
 * variable that evaluated empty; `signal` kills the shell (a stop request while a
 * command hangs); `say` hears once that the commands are awaited when they run for 5 s.
 * Throws `EnvironmentError` only when `sh` itself cannot run or is killed.
 */
export async function evaluateEnvironment(
  specs: readonly EnvironmentSpec[],
  warn: (message: string) => void,
  signal?: AbortSignal,
  say?: (message: string) => void,
): Promise<Record<string, string>> {
  if (specs.length === 0) return {};
  let child: Deno.ChildProcess;
  try {
    child = spawnAsCaller(
      new Deno.Command("sh", {
        args: ["-c", buildEnvironmentScript(specs)],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        // its own process group: a stop kills the commands too, which would otherwise
        // keep the output pipe open (and this wait going) after sh itself was killed
        detached: true,
      }),
    );
  } catch (error) {
    throw new EnvironmentError(`Cannot run "sh" for the environment: ${(error as Error).message}`);
  }
  const kill = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  };
  if (signal?.aborted) kill();
  signal?.addEventListener("abort", kill);
  const done = new AbortController();
  if (say) {
    delay(SLOW_MS, signal ? AbortSignal.any([done.signal, signal]) : done.signal).then(() => {
      if (done.signal.aborted || signal?.aborted) return;
      const names = specs.map((s) => s.name).join(", ");
      say(`Waiting for the -e commands of ${names} (running for ${SLOW_MS / 1000} s)`);
    });
  }
  let output: Deno.CommandOutput;
  try {
    output = await child.output();
  } finally {
    done.abort();
    signal?.removeEventListener("abort", kill);
  }
  const stderr = new TextDecoder().decode(output.stderr);
  const marks = new RegExp(`^${STATUS_MARK} (\\S+) (\\d+)\\n?`, "gm");
  const passthrough = stderr.replace(marks, "");
  if (passthrough) Deno.stderr.writeSync(new TextEncoder().encode(passthrough));
  if (!output.success) {
    throw new EnvironmentError(
      `Cannot evaluate the environment: sh exited with code ${output.code}`,
    );
  }
  for (const [, name, status] of stderr.matchAll(marks)) {
    const spec = specs.find((s) => s.name === name)!;
    warn(
      `Command of ${name} ${quoteInput(spec.command)} exited with code ${status}; using its output`,
    );
  }
  const values = new TextDecoder().decode(output.stdout).split("\0");
  const vars: Record<string, string> = {};
  specs.forEach(({ name }, i) => {
    vars[name] = (values[i] ?? "").split("\n", 1)[0] ?? "";
    if (vars[name] === "") warn(`Variable ${name} evaluated empty`);
  });
  return vars;
}
