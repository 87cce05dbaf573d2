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
