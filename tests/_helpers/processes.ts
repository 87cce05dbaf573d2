import { assertEquals } from "./assert.ts";

/** PIDs of live processes (zombies left out) whose command line starts with `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (cmdline.startsWith(marker) && stat[stat.lastIndexOf(")") + 2] !== "Z") {
        found.push(Number(entry.name));
      }
    } catch { /* gone */ }
  }
  return found;
}

/**
 * Live processes started with `marker` that remain after a grace of up to 3 s, in which
 * SIGKILLed processes finish dying on a loaded machine.
 */
export async function survivors(marker: string): Promise<number[]> {
  await waitFor(() => processesWith(marker).length === 0, 3000);
  return processesWith(marker);
}

/** Polls `condition` every 50 ms for up to `ms`; returns whether it came true. */
export async function waitFor(condition: () => boolean, ms = 10000): Promise<boolean> {
  for (const until = performance.now() + ms; performance.now() < until;) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

/**
 * Waits as `waitFor` does (up to `ms`, 10 s unless given) and fails the test when
 * `condition` is still false then; `message` says what was seen, read at the deadline.
 */
export async function waitUntil(
  condition: () => boolean,
  options: { ms?: number; message?: () => string } = {},
): Promise<void> {
  const met = await waitFor(condition, options.ms);
  assertEquals(met, true, options.message?.());
}

/**
 * Reads what a child writes to `stream` until `pattern` matches it (a server's URL on
 * stderr), then keeps reading, so a full pipe never blocks the child. Returns the
 * match, and the whole text once the stream ends. Throws with the text when the
 * stream ends first.
 */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<{ match: RegExpExecArray; rest: Promise<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null;
  while (!(match = pattern.exec(text))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the process ended before writing ${pattern}: ${text}`);
    text += value;
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += value;
    }
  })();
  return { match, rest };
}

/** A command started as the leader of a process group of its own, with all it forks. */
export interface ProcessGroup {
  /** The leader's PID, which is also the group's ID. */
  pid: number;
  /** Ends every process of the group (SIGKILL) and waits for the leader. */
  kill(): Promise<void>;
}

/**
 * Starts `args` through `setsid`, so the command and everything it forks share a
 * process group that the test can end alone — never other processes by name.
 */
export function spawnGroup(args: string[]): ProcessGroup {
  const child = new Deno.Command("setsid", { args, stdout: "null", stderr: "null" }).spawn();
  return {
    pid: child.pid,
    async kill() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* the group is gone already */ }
      await child.status;
    },
  };
}

/** PIDs of every live descendant of `pid` (from the kernel's children lists), parents first. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const parent = pending.shift()!;
    let children: number[] = [];
    try {
      const text = Deno.readTextFileSync(`/proc/${parent}/task/${parent}/children`).trim();
      children = text === "" ? [] : text.split(" ").map(Number);
    } catch { /* gone */ }
    found.push(...children);
    pending.push(...children);
  }
  return found;
}

/**
 * Runs `body` with a started process group (`spawnGroup`, `spawnReadyGroup`), then ends
 * the group, even when `body` throws.
 */
export async function withGroup<G extends ProcessGroup, T>(
  started: G | Promise<G>,
  body: (group: G) => Promise<T>,
): Promise<T> {
  const group = await started;
  try {
    return await body(group);
  } finally {
    await group.kill();
  }
}

/** A process group whose leader said it is ready. */
export interface ReadyGroup extends ProcessGroup {
  /** What `ready` matched of the leader's output. */
  ready: RegExpExecArray;
}

/**
 * Starts `args` through `setsid` (a process group of its own) and waits until its
 * stdout matches `ready`; reads on, so a full pipe never blocks it. Ends the group and
 * throws when the output ends first.
 */
export async function spawnReadyGroup(
  args: string[],
  ready: RegExp,
  options: { cwd?: string } = {},
): Promise<ReadyGroup> {
  const child = new Deno.Command("setsid", {
    args,
    stdout: "piped",
    stderr: "null",
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
  const end = async () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* the group is gone already */ }
    await child.status;
  };
  try {
    const { match, rest } = await readUntil(child.stdout, ready);
    return {
      pid: child.pid,
      ready: match,
      async kill() {
        await end();
        await rest;
      },
    };
  } catch (error) {
    await end();
    throw error;
  }
}

/**
 * A number of seconds for `sleep` (hours, with this moment's milliseconds as its
 * fraction) that no other test's process has in its command line, so that
 * `processesWith` finds the test's own `sleep` alone.
 */
export const sleepMarker = () => `${3000 + Math.floor(Math.random() * 5000)}.${Date.now() % 1000}`;

/**
 * Runs `body` with a `sleep SECONDS` command of its own (`sleepMarker`) and its SECONDS,
 * then SIGKILLs what a failed test left running of it: only processes started with that
 * command line.
 */
export async function withSleepMarker<T>(
  body: (sleep: string, seconds: string) => Promise<T>,
): Promise<T> {
  const seconds = sleepMarker();
  const sleep = `sleep ${seconds}`;
  try {
    return await body(sleep, seconds);
  } finally {
    for (const pid of processesWith(sleep)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone meanwhile */ }
    }
  }
}

/**
 * Runs `body` with a started child (procpath in the background), then SIGKILLs it if a
 * failed test left it running, and waits for it.
 */
export async function withChild<T>(
  child: Deno.ChildProcess,
  body: (child: Deno.ChildProcess) => Promise<T>,
): Promise<T> {
  try {
    return await body(child);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* it has exited */ }
    await child.status;
  }
}
