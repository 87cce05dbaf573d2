import { assertEquals } from "../../_helpers/assert.ts";
import { fixture } from "../../_helpers/run_procpath.ts";
import { watch } from "../../../src/watch/watch.ts";
import { liveRoot, procRoot } from "../../../src/procfs/proc_root.ts";
import { delay } from "../../../src/time/delay.ts";
import type { StopSignals } from "../../../src/signals/stop_signals.ts";

/** A stop that never comes: the watch ends by its repeat count. */
function never(): StopSignals {
  const signal = new AbortController().signal;
  return {
    requested: false,
    signal,
    again: signal,
    sleep: (ms) => delay(ms, signal),
    dispose() {},
  };
}

Deno.test("watch: a query's results become a variable, fanned out one command each", async () => {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  try {
    const code = await watch({
      environment: [],
      query: [
        { name: "P", query: "$..children[?(@.stat.pid == 111)]..pid", distinct: true },
      ],
      command: [`echo "$P" >> ${dir}/out`],
      interval: 0.1,
      repeat: 1,
      restart: false, // start once and wait for every command to exit
      stopSignal: "SIGINT",
      killAfter: 1,
      procfileList: ["stat"],
      procfs: procRoot(fixture("browser")),
      procfsTarget: "process",
      fanOut: "P",
    }, {
      pid: Deno.pid,
      live: liveRoot(),
      info: (m) => logs.push(m),
      warning: (m) => logs.push(m),
      debug: () => {},
      stop: never(),
    });
    assertEquals(code, 0, logs.join("\n"));
    const lines = (await Deno.readTextFile(`${dir}/out`)).trim().split("\n").sort();
    assertEquals(lines, ["111", "112", "113"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
