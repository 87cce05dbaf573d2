/**
 * Samples threads' user-space instruction pointers with `perf_event_open`, without
 * root where `kernel.perf_event_paranoid` ≤ 2 allows a user's own processes: one
 * software CPU-clock event per thread at a fixed frequency, user space only, each with
 * a small ring buffer read through `mmap` and drained while the window runs.
 *
 * @module
 */
import { errno, openLibc } from "./libc.ts";
import type { Libc } from "./libc.ts";

/** `perf_event_open`'s number by architecture. */
const PERF_EVENT_OPEN: Record<string, number> = { x86_64: 298, aarch64: 241 };
const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_CPU_CLOCK = 0;
const PERF_SAMPLE_IP = 1;
const PERF_SAMPLE_TID = 2;
const PERF_RECORD_SAMPLE = 9;
/** `perf_event_attr` flag bits: exclude_kernel, exclude_hv, freq. */
const EXCLUDE_KERNEL = 1n << 5n, EXCLUDE_HV = 1n << 6n, FREQ = 1n << 10n;
const ATTR_SIZE = 128;
const PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
/**
 * Data pages per ring (a power of two): 8 KiB holds 340 samples, 3 s of a busy thread
 * between drains; with the control page 12 KiB a ring, little against what a user may
 * lock for perf (`kernel.perf_event_mlock_kb` per CPU, then `RLIMIT_MEMLOCK`).
 */
const DATA_PAGES = 2;
/** `perf_event_mmap_page`: where the kernel's write head and our read tail sit. */
const DATA_HEAD = 1024, DATA_TAIL = 1032;
const EPERM = 1, EACCES = 13, ENOSYS = 38, ENOENT = 2, EMFILE = 24;
/** `ESRCH`: the thread ended between being listed and being sampled. */
const ESRCH = 3;

/** One thread being sampled. */
interface Ring {
  tid: number;
  fd: number;
  base: Deno.PointerObject;
  view: Deno.UnsafePointerView;
}

/** A running sampler: drain it as the window runs, then stop it for the samples. */
export interface IpSampler {
  /** Reads what the rings hold so far (keeps them from filling). */
  drain(): void;
  /** Stops sampling and returns the instruction pointers seen, by TID. */
  stop(): Map<number, bigint[]>;
}

/** Why sampling is not possible here, as one line with the setting that would allow it. */
export type SamplerRefusal = string;

function paranoidLevel(): string {
  try {
    return Deno.readTextFileSync("/proc/sys/kernel/perf_event_paranoid").trim();
  } catch {
    return "unknown";
  }
}

function refusal(code: number): SamplerRefusal {
  if (code === EACCES || code === EPERM) {
    const level = paranoidLevel();
    return Number(level) <= 2
      ? `perf_event_open refused (another user's threads: only their user or root may ` +
        `sample them)`
      : `perf_event_open refused (kernel.perf_event_paranoid = ${level}; ` +
        "2 or lower lets a user sample its own processes, or run as root)";
  }
  if (code === ENOSYS || code === ENOENT) {
    return "perf_event_open is not available in this kernel (CONFIG_PERF_EVENTS)";
  }
  return `perf_event_open failed (errno ${code})`;
}

function attributes(frequency: number): Uint8Array {
  const attr = new Uint8Array(ATTR_SIZE);
  const view = new DataView(attr.buffer);
  view.setUint32(0, PERF_TYPE_SOFTWARE, true);
  view.setUint32(4, ATTR_SIZE, true);
  view.setBigUint64(8, BigInt(PERF_COUNT_SW_CPU_CLOCK), true);
  view.setBigUint64(16, BigInt(frequency), true); // sample_freq, with the freq bit
  view.setBigUint64(24, BigInt(PERF_SAMPLE_IP | PERF_SAMPLE_TID), true);
  view.setBigUint64(40, EXCLUDE_KERNEL | EXCLUDE_HV | FREQ, true);
  return attr;
}

/**
 * Starts sampling `tids` (threads of processes this user may trace) at `frequency` Hz.
 * Returns the sampler, or why the kernel refuses; threads that ended are skipped.
 */
export function startIpSampler(
  tids: readonly number[],
  options: { frequency?: number; pageSize: number },
): IpSampler | SamplerRefusal {
  const number = PERF_EVENT_OPEN[Deno.build.arch];
  let lib: Libc | null = null;
  try {
    lib = openLibc();
  } catch { /* no FFI permission */ }
  if (!lib || number === undefined) {
    return "no perf_event_open here (no FFI, or an unknown architecture)";
  }
  const attr = attributes(options.frequency ?? 99);
  const length = (DATA_PAGES + 1) * options.pageSize;
  const rings: Ring[] = [];
  let refused: number | null = null;
  for (const tid of tids) {
    const fd = Number(lib.syscall(BigInt(number), attr, tid, -1, -1, 0n));
    if (fd < 0) {
      const code = errno(lib);
      if (code === ESRCH) continue; // ended meanwhile
      if (code === EMFILE) break;
      refused ??= code;
      // another user's thread is refused where ours are not: try the rest
      if (code === EACCES || code === EPERM) continue;
      break;
    }
    const base = lib.mmap(null, BigInt(length), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0n);
    if (base === null || Deno.UnsafePointer.value(base) === 0xffffffffffffffffn) {
      lib.close(fd);
      continue;
    }
    rings.push({ tid, fd, base, view: new Deno.UnsafePointerView(base) });
  }
  if (rings.length === 0 && refused !== null) return refusal(refused);
  const samples = new Map<number, bigint[]>();
  const dataBytes = DATA_PAGES * options.pageSize;
  const drain = () => {
    for (const ring of rings) {
      const head = ring.view.getBigUint64(DATA_HEAD);
      let tail = ring.view.getBigUint64(DATA_TAIL);
      // records may wrap round the ring's end: read each field at its offset modulo size
      const u64 = (at: bigint) => {
        let value = 0n;
        for (let i = 7; i >= 0; i--) {
          const offset = Number((at + BigInt(i)) % BigInt(dataBytes));
          value = (value << 8n) | BigInt(ring.view.getUint8(options.pageSize + offset));
        }
        return value;
      };
      while (tail + 8n <= head) {
        const header = u64(tail);
        const type = Number(header & 0xffffffffn);
        const size = Number((header >> 48n) & 0xffffn);
        if (size === 0) break;
        if (type === PERF_RECORD_SAMPLE && size >= 24) {
          const ip = u64(tail + 8n);
          const tid = Number(u64(tail + 16n) >> 32n);
          let list = samples.get(tid);
          if (!list) samples.set(tid, list = []);
          list.push(ip);
        }
        tail += BigInt(size);
      }
      // hand the space back to the kernel
      new BigUint64Array(Deno.UnsafePointerView.getArrayBuffer(ring.base, 8, DATA_TAIL))[0] = tail;
    }
  };
  return {
    drain,
    stop() {
      drain();
      for (const ring of rings) {
        lib!.munmap(ring.base, BigInt(length));
        lib!.close(ring.fd);
      }
      rings.length = 0;
      return samples;
    },
  };
}
