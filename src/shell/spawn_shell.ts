import { signalled } from "../exit_codes.ts";
import { SIGNAL_NUMBERS } from "./signal_names.ts";
import { spawnAsCaller } from "../kernel/caller_limits.ts";

/** A command started by `watch`: `sh -c` leading its own process group. */
export interface Shell {
  /** How its lines and exit are logged: `№1`, or `№1 P=4242` for one of a fan-out. */
  readonly label: string;
  readonly pid: number;
  /** Exit code once the shell has exited, else `null`. */
  readonly exitCode: number | null;
  /** The signal that ended the shell ("SIGSEGV"), once one has; else `null`. */
  readonly signal: string | null;
  /** Settles when the shell has exited (its output may still be draining). */
  readonly exited: Promise<void>;
  /** Settles when the shell has exited and its output has been forwarded. */
  readonly done: Promise<void>;
  /** Stops forwarding: a process that escaped the shell may hold its pipes open forever. */
  cancelOutput(): void;
}

/** Where a shell's output lines go. */
export interface ShellOutput {
  stdout(label: string, line: string): void;
  stderr(label: string, line: string): void;
}

/**
 * Calls `emit` for each line of a stream (a last line without "\n" included), until
 * the stream ends or `signal` aborts.
 */
export async function forwardLines(
  stream: ReadableStream<Uint8Array>,
  emit: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  let rest = "";
  try {
    for await (
      const chunk of stream.pipeThrough(new TextDecoderStream(), signal ? { signal } : {})
    ) {
      rest += chunk;
      for (let nl = rest.indexOf("\n"); nl >= 0; nl = rest.indexOf("\n")) {
        emit(rest.slice(0, nl));
        rest = rest.slice(nl + 1);
      }
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
  if (rest !== "") emit(rest);
}

/**
 * Starts `sh -c command` in a new session (so its process group is its own and a
 * terminal's Ctrl+C reaches only procpath), with `env` added to procpath's
 * environment, forwarding its output line by line.
 */
export function spawnShell(
  label: string,
  command: string,
  options: { env: Record<string, string>; output: ShellOutput },
): Shell {
  const child = spawnAsCaller(
    new Deno.Command("sh", {
      args: ["-c", command],
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }),
  );
  let exitCode: number | null = null;
  let signal: string | null = null;
  const cancel = new AbortController();
  const exited = child.status.then((status) => {
    exitCode = status.signal ? signalled(signalNumber(status.signal)) : status.code;
    signal = status.signal;
  });
  const done = Promise.all([
    forwardLines(child.stdout, (line) => options.output.stdout(label, line), cancel.signal),
    forwardLines(child.stderr, (line) => options.output.stderr(label, line), cancel.signal),
    exited,
  ]).then(() => {});
  child.unref();
  return {
    label,
    pid: child.pid,
    get exitCode() {
      return exitCode;
    },
    get signal() {
      return signal;
    },
    exited,
    done,
    cancelOutput: () => cancel.abort(),
  };
}

function signalNumber(name: string): number {
  return SIGNAL_NUMBERS[name] ?? 0;
}
