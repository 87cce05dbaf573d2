import { spawnAsCaller } from "../kernel/caller_limits.ts";
/**
 * A tiny `sh` that outlives procpath by a moment: procpath keeps telling it what
 * runs below it (process groups as `-PGID`, and PIDs), and if procpath dies without
 * cleaning up (SIGKILL, an OOM kill) its end of the pipe closes and the watchdog
 * SIGKILLs everything it was last told. A clean stop tells it `done` first.
 */
export interface Watchdog {
  /** The watchdog's own PID, which is not one of the processes to stop. */
  readonly pid: number;
  /** Replaces the list of what to kill should procpath die. */
  guard(targets: readonly string[]): void;
  /** procpath stopped everything itself: the watchdog exits without killing. */
  release(): Promise<void>;
}

const SCRIPT = `trap '' INT TERM HUP
targets=""
while IFS= read -r line; do
  [ "$line" = done ] && exit 0
  targets="$line"
done
for target in $targets; do kill -9 "$target" 2>/dev/null; done
`;

/** Starts the watchdog, or returns `null` where `sh` cannot be started. */
export function startWatchdog(): Watchdog | null {
  let child: Deno.ChildProcess;
  try {
    child = spawnAsCaller(
      new Deno.Command("sh", {
        args: ["-c", SCRIPT],
        stdin: "piped",
        stdout: "null",
        stderr: "null",
        detached: true, // a terminal's Ctrl+C must not reach it
      }),
    );
  } catch {
    return null;
  }
  child.unref();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  let last = "";
  let writes = Promise.resolve();
  const send = (line: string) => {
    writes = writes.then(() => writer.write(encoder.encode(line + "\n"))).catch(() => {});
  };
  return {
    pid: child.pid,
    guard(targets) {
      const line = targets.join(" ");
      if (line === last) return;
      last = line;
      send(line);
    },
    async release() {
      send("done");
      await writes;
      await writer.close().catch(() => {});
    },
  };
}
