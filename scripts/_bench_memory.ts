/**
 * What the memory benchmarks (`bench_record_memory.ts`, `bench_top_memory.ts`) share:
 * a running procpath's resident figures from its own `/proc` files, its task's flags in
 * a checkout, and V8's inspector over one socket.
 */

/** A node of V8's sampling heap profile (`HeapProfiler.SamplingHeapProfileNode`). */
export interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Sends inspector commands over one socket; each answer's `result`, in order. */
export async function inspector(port: number) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl);
  await new Promise((resolve) => socket.onopen = resolve);
  const pending = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data as string);
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  let next = 1;
  return {
    send(method: string, params: unknown = {}): Promise<unknown> {
      const id = next++;
      const answer = new Promise((resolve) => pending.set(id, resolve));
      socket.send(JSON.stringify({ id, method, params }));
      return answer;
    },
    close: () => socket.close(),
  };
}

/** The deno flags of the `procpath` task in `checkout`'s deno.json. */
export function flagsOf(checkout: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${checkout}/deno.json`));
  const words: string[] = config.tasks.procpath.split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("src/main.ts"));
}

/** VmRSS, RssAnon, RssFile (kB) and CPU so far (`cpuMs`, ms) of `pid`. */
export function residentOf(pid: number): Record<string, number> {
  const text = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb: Record<string, number> = {};
  for (const key of ["VmRSS", "RssAnon", "RssFile"]) {
    kb[key] = Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  }
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  kb.cpuMs = (Number(fields[11]) + Number(fields[12])) * 10; // USER_HZ 100
  return kb;
}
