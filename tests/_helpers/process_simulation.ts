/**
 * A simulated process tree with the kernel's CPU accounting, for testing CPU models
 * against a truth they share no code with: every tick each live process may run, fork
 * or exit; an exit adds the process's CPU and its reaped children's to its reaper's
 * `cutime`/`cstime` (its parent, or the nearest live ancestor, as under a subreaper);
 * PIDs are reused. Samples record every live process's counters; the truth is the CPU
 * each interval used, short-lived processes included.
 */

/** A simulated process's `stat` counters. */
export interface SimProcess {
  pid: number;
  ppid: number;
  starttime: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  comm: string;
}

/** One sample: its tick, and the live processes' counters. */
export interface SimSample {
  tick: number;
  processes: SimProcess[];
}

/** A deterministic generator (mulberry32): the same seed, the same history. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `ticks` ticks from one root (PID 1, never exits), sampling every `every` ticks,
 * and returns the samples and the CPU used in each interval (ticks, by the sample that
 * ends it).
 */
export function simulate(
  options: { seed: number; ticks: number; every: number; maxPid?: number; exitChance?: number },
): { samples: SimSample[]; usedBy: Map<number, number> } {
  const rand = random(options.seed);
  const maxPid = options.maxPid ?? 60;
  const live = new Map<number, SimProcess>();
  live.set(1, {
    pid: 1,
    ppid: 0,
    starttime: 0,
    utime: 0,
    stime: 0,
    cutime: 0,
    cstime: 0,
    comm: "root",
  });
  let nextPid = 2;
  const samples: SimSample[] = [];
  const usedBy = new Map<number, number>();
  let used = 0;
  const take = (tick: number) => {
    samples.push({ tick, processes: [...live.values()].map((p) => ({ ...p })) });
    usedBy.set(tick, used);
    used = 0;
  };
  take(0);
  for (let tick = 1; tick <= options.ticks; tick++) {
    for (const p of [...live.values()]) {
      if (!live.has(p.pid)) continue;
      const r = rand();
      if (r < 0.35) {
        p.utime++;
        used++;
      } else if (r < 0.45) {
        p.stime++;
        used++;
      } else if (r < 0.5 && live.size < maxPid - 2) {
        // fork: the next free PID, wrapping (reuse)
        let pid = nextPid;
        while (live.has(pid)) pid = pid >= maxPid ? 2 : pid + 1;
        nextPid = pid >= maxPid ? 2 : pid + 1;
        live.set(pid, {
          pid,
          ppid: p.pid,
          starttime: tick,
          utime: 0,
          stime: 0,
          cutime: 0,
          cstime: 0,
          comm: `c${pid}`,
        });
      } else if (r < 0.5 + (options.exitChance ?? 0.06) && p.pid !== 1) {
        // exit: its parent reaps it (always live: orphans move to their nearest live
        // ancestor, as under a subreaper); its children move to that parent
        live.delete(p.pid);
        const reaper = live.get(p.ppid)!;
        reaper.cutime += p.utime + p.cutime;
        reaper.cstime += p.stime + p.cstime;
        for (const child of live.values()) if (child.ppid === p.pid) child.ppid = reaper.pid;
      }
    }
    if (tick % options.every === 0) take(tick);
  }
  return { samples, usedBy };
}
