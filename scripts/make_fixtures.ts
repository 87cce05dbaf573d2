/**
 * Writes the synthetic procfs trees under tests/fixtures/proc/ (committed output;
 * rerun after changing a scenario): `deno run -A scripts/make_fixtures.ts`.
 * Real trees come from `procpath capture DIR [query]` instead.
 */
import { statLine } from "../tests/_helpers/stat_line.ts";

const ROOT = new URL("../tests/fixtures/proc/", import.meta.url).pathname;

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline?: string[];
  state?: string | undefined;
  rss?: number;
  utime?: number;
  /** Which files beside stat exist (default: all). */
  only?: string[];
  io?: number;
  fds?: Record<string, string>;
}

function status(p: Proc): string {
  const kb = (p.rss ?? 512) * 4;
  return [
    `Name:\t${p.comm.slice(0, 15)}`,
    "Umask:\t0022",
    `State:\t${p.state ?? "S"} (sleeping)`,
    `Tgid:\t${p.pid}`,
    "Ngid:\t0",
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    "TracerPid:\t0",
    "Uid:\t1000\t1000\t1000\t1000",
    "Gid:\t1000\t1000\t1000\t1000",
    "FDSize:\t64",
    "Groups:\t4 24 27 ",
    `NStgid:\t${p.pid}`,
    `NSpid:\t${p.pid}`,
    `NSpgid:\t${p.pid}`,
    `NSsid:\t${p.pid}`,
    `VmPeak:\t   ${kb * 3} kB`,
    `VmSize:\t   ${kb * 2} kB`,
    "VmLck:\t       0 kB",
    "VmPin:\t       0 kB",
    `VmHWM:\t    ${kb} kB`,
    `VmRSS:\t    ${kb} kB`,
    `RssAnon:\t    ${kb - 100} kB`,
    "RssFile:\t     100 kB",
    "RssShmem:\t       0 kB",
    "VmData:\t    2000 kB",
    "VmStk:\t     132 kB",
    "VmExe:\t      20 kB",
    "VmLib:\t    1528 kB",
    "VmPTE:\t      44 kB",
    "VmSwap:\t       0 kB",
    "HugetlbPages:\t       0 kB",
    "CoreDumping:\t0",
    "THP_enabled:\t1",
    "Threads:\t1",
    "SigQ:\t0/96364",
    "SigPnd:\t0000000000000000",
    "ShdPnd:\t0000000000000000",
    "SigBlk:\t0000000000000000",
    "SigIgn:\tffffffffffffffff",
    "SigCgt:\t0000000000000000",
    "CapInh:\t0000000000000000",
    "CapPrm:\t0000000000000000",
    "CapEff:\t0000000000000000",
    "CapBnd:\t000001ffffffffff",
    "CapAmb:\t0000000000000000",
    "NoNewPrivs:\t0",
    "Seccomp:\t2",
    "Speculation_Store_Bypass:\tthread vulnerable",
    "Cpus_allowed:\t3",
    "Cpus_allowed_list:\t0-1",
    "Mems_allowed:\t00000000,00000001",
    "Mems_allowed_list:\t0",
    "voluntary_ctxt_switches:\t150",
    "nonvoluntary_ctxt_switches:\t3",
  ].join("\n") + "\n";
}

function smapsRollup(p: Proc): string {
  const rss = (p.rss ?? 512) * 4;
  return [
    "55caea43a000-7ffcd95c1000 ---p 00000000 00:00 0                          [rollup]",
    `Rss:             ${rss} kB`,
    `Pss:             ${Math.floor(rss / 2)} kB`,
    "Pss_Anon:            112 kB",
    "Shared_Clean:       1540 kB",
    "Shared_Dirty:          0 kB",
    "Private_Clean:       108 kB",
    "Private_Dirty:       112 kB",
    `Referenced:      ${rss} kB`,
    "Anonymous:           112 kB",
    "KSM:                   0 kB",
    "LazyFree:              0 kB",
    "AnonHugePages:         0 kB",
    "ShmemPmdMapped:        0 kB",
    "FilePmdMapped:         0 kB",
    "Shared_Hugetlb:        0 kB",
    "Private_Hugetlb:       0 kB",
    "Swap:                  8 kB",
    "SwapPss:               4 kB",
    "Locked:                0 kB",
  ].join("\n") + "\n";
}

function io(p: Proc): string {
  const n = p.io ?? p.pid;
  return `rchar: ${n * 100}\nwchar: ${n * 10}\nsyscr: ${n}\nsyscw: ${n}\n` +
    `read_bytes: ${n * 4096}\nwrite_bytes: ${n * 512}\ncancelled_write_bytes: 0\n`;
}

function auxv(pageSize: number, clockTicks: number): Uint8Array {
  const pairs = [[33n, 0x7ffd000n], [16n, 0xbfebfbffn], [6n, BigInt(pageSize)], [
    17n,
    BigInt(clockTicks),
  ], [0n, 0n]];
  const view = new DataView(new ArrayBuffer(pairs.length * 16));
  pairs.forEach(([k, v], i) => {
    view.setBigUint64(i * 16, k, true);
    view.setBigUint64(i * 16 + 8, v, true);
  });
  return new Uint8Array(view.buffer);
}

function writeTree(name: string, procs: Proc[]) {
  const dir = ROOT + name;
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* first run */ }
  Deno.mkdirSync(`${dir}/self`, { recursive: true });
  Deno.mkdirSync(`${dir}/sys/kernel`, { recursive: true });
  Deno.writeFileSync(`${dir}/self/auxv`, auxv(4096, 100));
  Deno.writeTextFileSync(
    `${dir}/meminfo`,
    "MemTotal:       16384000 kB\nMemFree:         8000000 kB\n",
  );
  Deno.writeTextFileSync(`${dir}/sys/kernel/hostname`, "fixture-host\n");
  Deno.writeTextFileSync(`${dir}/sys/kernel/osrelease`, "6.1.0-fixture\n");
  Deno.writeTextFileSync(`${dir}/data.txt`, "fd target\n");
  for (const p of procs) {
    const pd = `${dir}/${p.pid}`;
    Deno.mkdirSync(pd);
    Deno.writeTextFileSync(`${pd}/stat`, statLine({ ...p, state: p.state }));
    const has = (f: string) => p.only === undefined || p.only.includes(f);
    if (has("cmdline")) {
      Deno.writeTextFileSync(
        `${pd}/cmdline`,
        (p.cmdline ?? []).map((a) => a + "\0").join(""),
      );
    }
    if (has("status")) Deno.writeTextFileSync(`${pd}/status`, status(p));
    if (has("io")) Deno.writeTextFileSync(`${pd}/io`, io(p));
    if (has("smaps_rollup")) {
      Deno.writeTextFileSync(
        `${pd}/smaps_rollup`,
        p.state === "Z" || p.ppid === 2 ? "" : smapsRollup(p),
      );
    }
    if (has("fd")) {
      Deno.mkdirSync(`${pd}/fd`);
      const fds = p.fds ?? { "0": "/dev/null", "1": "../../data.txt", "2": "../../self" };
      for (const [fd, target] of Object.entries(fds)) Deno.symlinkSync(target, `${pd}/fd/${fd}`);
    }
  }
}

const browser: Proc[] = [
  { pid: 1, ppid: 0, comm: "systemd", cmdline: ["/sbin/init", "splash"], rss: 3000 },
  { pid: 2, ppid: 0, comm: "kthreadd", only: ["status", "io", "smaps_rollup"] },
  { pid: 3, ppid: 2, comm: "rcu_gp", cmdline: [], state: "I", rss: 0 },
  { pid: 4, ppid: 2, comm: "kworker/0:0H-events_highpri", cmdline: [], state: "I", rss: 0 },
  {
    pid: 100,
    ppid: 1,
    comm: "firefox",
    cmdline: ["/usr/lib/firefox/firefox"],
    rss: 90000,
    utime: 5000,
  },
  {
    pid: 101,
    ppid: 100,
    comm: "Socket Process",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "socket"],
    rss: 9000,
  },
  {
    pid: 102,
    ppid: 100,
    comm: "Privileged Cont",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "-isForBrowser", "privileged"],
    rss: 30000,
  },
  {
    pid: 103,
    ppid: 100,
    comm: "RDD Process",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "rdd"],
    rss: 8000,
  },
  {
    pid: 104,
    ppid: 100,
    comm: "WebExtensions",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "-isForBrowser", "extension"],
    rss: 40000,
  },
  {
    pid: 105,
    ppid: 100,
    comm: "Utility Process",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "utility"],
    rss: 7000,
  },
  {
    pid: 106,
    ppid: 100,
    comm: "Web Content",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "-isForBrowser", "tab"],
    rss: 50000,
    utime: 900,
  },
  {
    pid: 107,
    ppid: 100,
    comm: "Web Content",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "-isForBrowser", "tab"],
    rss: 45000,
  },
  {
    pid: 108,
    ppid: 100,
    comm: "Isolated Web Co",
    cmdline: [
      "/usr/lib/firefox/firefox",
      "-contentproc",
      "-isForBrowser",
      "webIsolated=https://example.org",
    ],
    rss: 60000,
  },
  {
    pid: 109,
    ppid: 100,
    comm: "(a) b)",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "odd name"],
    rss: 1000,
  },
  {
    pid: 110,
    ppid: 100,
    comm: "Web Content",
    cmdline: ["/usr/lib/firefox/firefox", "-contentproc", "-isForBrowser", "tab"],
    rss: 20000,
  },
  {
    pid: 111,
    ppid: 108,
    comm: "python3 (x)",
    cmdline: ["python3", "-u", "helper.py"],
    rss: 2000,
    fds: {
      "0": "/dev/null",
      "1": "/dev/null",
      "3": "../../data.txt",
      "4": "../../data.txt",
      "5": "../../self",
    },
  },
  { pid: 112, ppid: 111, comm: "sh", cmdline: ["sh", "-c", "sleep 100"], rss: 100 },
  { pid: 113, ppid: 112, comm: "sleep", cmdline: ["sleep", "100"], rss: 80 },
  {
    pid: 114,
    ppid: 100,
    comm: "forkserver",
    cmdline: ["/usr/lib/firefox/firefox", "-forkserver"],
    rss: 3000,
  },
  { pid: 115, ppid: 100, comm: "Web Content", state: "Z", cmdline: [], rss: 0 },
  { pid: 130, ppid: 1, comm: "statonly", only: [], rss: 10 },
  { pid: 500, ppid: 499, comm: "orphan", cmdline: ["orphan", "--parent-gone"], rss: 64 },
];

writeTree("browser", browser);
console.log(`wrote ${browser.length} processes to ${ROOT}browser`);
