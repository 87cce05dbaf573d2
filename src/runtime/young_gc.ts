/**
 * Empties V8's young generation between samples (`record`'s, after each is stored) and
 * between refreshes (`top`'s, after each frame or block is written). A sample allocates a few megabytes
 * (3,000 processes: ~4.7 MB) that are all garbage once it is stored; a scavenge in the
 * middle of a sample instead copies its live records and promotes them to the old
 * generation, which then grows with dead samples until a full collection, and V8 sizes
 * the young generation up to its maximum meanwhile (measured: docs/performance.md,
 * "Where `record`'s memory per process goes"). A scavenge right after the store finds
 * almost nothing alive and costs ~0.1 ms.
 *
 * V8 exposes `gc` only with `--expose-gc` (deno.json's procpath and compile tasks pass
 * it); without it (`deno test`, another runtime's flags) this does nothing.
 *
 * @module
 */

type Collect = (options: { type: "minor" | "major"; execution?: "sync" | "async" }) => void;

const collect = (globalThis as { gc?: Collect }).gc;

/**
 * Seconds between two full collections: what the young collections promote (what one
 * sample keeps for the next, such as its CPU counters) is garbage in the old generation
 * a sample later; a full collection of ~10 MB of live objects now and then (a few ms)
 * keeps it from growing to the size V8 would first let it reach.
 */
const FULL_EVERY_MS = 10_000;
/**
 * The least time between two young collections: `record -i 0` samples a small branch
 * hundreds of times a second, and needs none after each.
 */
const YOUNG_EVERY_MS = 200;

let lastYoung = -Infinity;
let lastFull = performance.now();

/**
 * Collects what the sample just stored left behind, where the runtime allows it: the
 * young generation (at most every {@link YOUNG_EVERY_MS} ms), everything every
 * {@link FULL_EVERY_MS} ms; else nothing.
 */
export function collectSampleGarbage(): void {
  if (collect === undefined) return;
  const now = performance.now();
  if (now - lastFull >= FULL_EVERY_MS) {
    lastFull = lastYoung = now;
    collect({ type: "major" });
  } else if (now - lastYoung >= YOUNG_EVERY_MS) {
    lastYoung = now;
    collect({ type: "minor" });
  }
}

/**
 * Collects the young generation after a refresh of `top` (at most every
 * {@link YOUNG_EVERY_MS} ms), leaving full collections to V8: measured beside the
 * forker's 3,000 processes (docs/performance.md, "Live top's memory"), top with the
 * full one every 10 s held 90–94 MiB at 60 s for 56–60 ms/s of CPU, with young ones
 * only 81–88 MiB for 52–54 ms/s — a refresh keeps less for the next than a sample.
 */
export function collectRefreshGarbage(): void {
  if (collect === undefined) return;
  const now = performance.now();
  if (now - lastYoung >= YOUNG_EVERY_MS) {
    lastYoung = now;
    collect({ type: "minor" });
  }
}
