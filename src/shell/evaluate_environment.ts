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

const FAILURE_MARK = "procpath-environment-failure";

/**
 * Builds the POSIX sh script that evaluates the variables in order, so a later
 * command can use an earlier variable (`D1=echo ${D0}000`), and prints each value
 * NUL-terminated. A failing command stops the script and names itself on stderr.
 */
export function buildEnvironmentScript(specs: readonly EnvironmentSpec[]): string {
  const lines = [
    `__procpath_fail() { printf '${FAILURE_MARK} %s %s\\n' "$1" "$2" >&2; exit 97; }`,
  ];
  for (const { name, command } of specs) {
    lines.push(`${name}=$(${command}\n) || __procpath_fail ${name} $?`, `export ${name}`);
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
 * the variables by name. Their stderr passes through. `warn` gets one line per
 * variable that evaluated empty; `signal` kills the shell (a stop request while a
 * command hangs). Throws `EnvironmentError` naming the failed command.
 */
export async function evaluateEnvironment(
  specs: readonly EnvironmentSpec[],
  warn: (message: string) => void,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  if (specs.length === 0) return {};
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("sh", {
      args: ["-c", buildEnvironmentScript(specs)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).output();
  } catch (error) {
    throw new EnvironmentError(`Cannot run "sh" for the environment: ${(error as Error).message}`);
  }
  const stderr = new TextDecoder().decode(output.stderr);
  const failure = new RegExp(`^${FAILURE_MARK} (\\S+) (\\d+)$`, "m").exec(stderr);
  const passthrough = stderr.replace(new RegExp(`^${FAILURE_MARK} .*\\n?`, "m"), "");
  if (passthrough) Deno.stderr.writeSync(new TextEncoder().encode(passthrough));
  if (failure) {
    const spec = specs.find((s) => s.name === failure[1])!;
    throw new EnvironmentError(
      `Cannot evaluate ${spec.name}: "${spec.command}" exited with code ${failure[2]}`,
    );
  }
  if (!output.success) {
    throw new EnvironmentError(
      `Cannot evaluate the environment: sh exited with code ${output.code}`,
    );
  }
  const values = new TextDecoder().decode(output.stdout).split("\0");
  const vars: Record<string, string> = {};
  specs.forEach(({ name }, i) => {
    vars[name] = values[i] ?? "";
    if (vars[name] === "") warn(`Variable ${name} evaluated empty`);
  });
  return vars;
}
