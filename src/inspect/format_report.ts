/**
 * The inspect report as a person reads it: per process (indented by its depth in the
 * selection, as pstree), its threads, sockets, files, limits and cgroup, then the
 * findings.
 *
 * @module
 */
import { displayCommand } from "../model/process.ts";
import { oneLine } from "../text/visible.ts";
import { samplesPercent } from "./findings.ts";
import type { InspectReport } from "./inspect.ts";
import type { ProcessReport, ThreadReport } from "./report.ts";

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const f1 = (n: number | null) => (n === null ? "-" : n.toFixed(1));
const rate = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB/s`;

/** A thread's window as its largest shares: `running 40% futex 55%`. */
function sharesText(shares: ThreadReport["shares"]): string {
  return Object.entries(shares)
    .filter(([, v]) => (v ?? 0) >= 1)
    .sort((a, b) => b[1]! - a[1]!)
    .slice(0, 3)
    .map(([k, v]) => `${k} ${Math.round(v!)}%`)
    .join(" ");
}

/**
 * A process's cgroup as a summary: its v2 path, and the group its CPU quota or memory
 * limit comes from where that is another (a v1 controller's, or an ancestor's), since
 * a finding names that one.
 */
function cgroupText(c: NonNullable<ProcessReport["cgroup"]>): string {
  const others = [
    c.cpu && c.cpu.quotaUs !== null && c.cpu.path !== c.path ? `CPU quota ${c.cpu.path}` : null,
    c.memory && c.memory.max !== null && c.memory.path !== c.path
      ? `memory limit ${c.memory.path}`
      : null,
  ].filter((x) => x !== null);
  return others.length > 0 ? `${c.path} (${others.join(", ")})` : c.path;
}

function processLines(p: ProcessReport): string[] {
  const pad = "  ".repeat(p.depth);
  const facts = [
    `RSS ${mib(p.rssBytes)}`,
    `${p.threads.length} thread${p.threads.length === 1 ? "" : "s"}`,
    p.descriptors
      ? `${p.descriptors.open}${
        p.descriptors.limit !== null ? ` of ${p.descriptors.limit}` : ""
      } descriptors`
      : null,
    p.oomScore !== null ? `OOM score ${p.oomScore}` : null,
    p.cgroup ? `cgroup ${cgroupText(p.cgroup)}` : null,
    p.kernelThread ? "a kernel thread" : null,
  ].filter((x) => x !== null);
  const lines = [
    // a command line or thread name may hold a newline or ESC: one row, nothing a
    // terminal acts on (JSON keeps the exact text)
    `${pad}${p.pid} ${oneLine(displayCommand(p.cmdline, p.comm))}${
      p.exited ? "  (exited during the window)" : ""
    }`,
    `${pad}  ${facts.join(", ")}`,
  ];
  if (p.threads.length > 0) {
    // another user's sleeping thread shows no channel: "?" (unknown), not "-" (running)
    const hidden = p.unreadable.includes("wait channels (wchan)");
    const rows = p.threads.map((t) => [
      oneLine(t.name),
      String(t.tid),
      t.state,
      t.wchan ?? (hidden && t.state !== "R" ? "?" : "-"),
      t.syscall ?? "-",
      f1(t.userPercent),
      f1(t.systemPercent),
      f1(t.waitPercent),
      f1(t.voluntaryPerSecond),
      f1(t.involuntaryPerSecond),
      sharesText(t.shares),
    ]);
    const header = [
      "THREAD",
      "TID",
      "S",
      "WCHAN",
      "SYSCALL",
      "USR%",
      "SYS%",
      "RUNQ%",
      "VCSW/s",
      "NVCSW/s",
      "WINDOW",
    ];
    const left = new Set([0, 1, 2, 3, 4, 10]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) =>
      (`${pad}  ` +
        cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join("  ")).trimEnd();
    lines.push(line(header), ...rows.map(line));
    for (const t of p.threads) {
      const hot = t.hotFunctions;
      if (!hot || hot.samples === 0) continue;
      lines.push(
        `${pad}  ${oneLine(t.name)} (TID ${t.tid}) on a CPU in: ${
          hot.top.map((f) => `${oneLine(f.name)} ${samplesPercent(f.percent)}`).join(", ")
        } (${hot.samples} samples)`,
      );
    }
    for (const t of p.threads) {
      const object = t.waitsOn;
      if (!object) continue;
      const peers = object.peers.map((h) => `PID ${h.pid} ${oneLine(h.comm)} fd ${h.fd}`)
        .join(", ");
      lines.push(
        `${pad}  ${oneLine(t.name)} (TID ${t.tid}) ${t.syscall} on fd ${object.fd}: ${
          oneLine(object.target)
        }${
          object.socket
            ? ` ${object.socket.protocol} ${object.socket.local} -> ${object.socket.remote}`
            : ""
        }${peers ? `; other end ${peers}` : ""}`,
      );
    }
  }
  for (const s of p.sockets) {
    lines.push(
      `${pad}  socket fd ${s.fd}: ${s.protocol} ${oneLine(s.local)}${
        s.remote ? ` -> ${oneLine(s.remote)}` : ""
      } ${s.state}` +
        (s.protocol === "unix" ? "" : `, send-q ${s.sendQueue}, recv-q ${s.receiveQueue}`),
    );
  }
  for (const file of p.files) {
    const share = file.position !== null && file.size
      ? ` (${Math.round(100 * file.position / file.size)}%)`
      : "";
    lines.push(
      `${pad}  file fd ${file.fd}: ${oneLine(file.path)} at ${
        file.position ?? "?"
      } of ${file.size} bytes${share}`,
    );
  }
  const io = [
    p.io ? `storage read ${rate(p.io.readPerSecond)}, write ${rate(p.io.writePerSecond)}` : null,
    p.blkioPercent !== null ? `I/O wait ${f1(p.blkioPercent)}%` : null,
    `${f1(p.majorFaultsPerSecond)} major faults/s`,
    p.swapBytes ? `swap ${mib(p.swapBytes)}` : null,
    p.zombieChildren.length > 0 ? `${p.zombieChildren.length} zombie children` : null,
  ].filter((x) => x !== null);
  if (!p.kernelThread) lines.push(`${pad}  ${io.join(", ")}`);
  const c = p.cgroup;
  if (c) {
    const parts = [
      c.cpu
        ? `${c.cpu.from} ${c.cpu.quotaUs ?? "max"} ${c.cpu.periodUs} (cgroup ${c.cpu.path})`
        : null,
      p.throttledPercent !== null ? `throttled in ${f1(p.throttledPercent)}% of periods` : null,
      c.memory
        ? `memory ${mib(c.memory.current)}${
          c.memory.max !== null ? ` of ${mib(c.memory.max)}` : ""
        } (cgroup ${c.memory.path})${c.memory.oomKills ? `, ${c.memory.oomKills} OOM kills` : ""}`
        : null,
      c.pressure.cpu !== null
        ? `pressure (avg10) cpu ${c.pressure.cpu} memory ${c.pressure.memory ?? "-"} io ${
          c.pressure.io ?? "-"
        }`
        : null,
    ].filter((x) => x !== null);
    if (parts.length > 0) lines.push(`${pad}  cgroup: ${parts.join(", ")}`);
  }
  if (p.unreadable.length > 0) {
    lines.push(`${pad}  not readable for this user: ${p.unreadable.join(", ")}`);
  }
  return lines;
}

/** A window a tenth (and 0.1 s) longer than asked: procpath itself was kept from a CPU. */
const stretched = (r: InspectReport) =>
  r.windowSeconds > r.requestedSeconds * STRETCH_FACTOR + STRETCH_SECONDS;
/** How much longer than asked a window may pass unremarked: a factor… */
const STRETCH_FACTOR = 1.1;
/** …and seconds (a short window's timer and reads). */
const STRETCH_SECONDS = 0.1;

/** Returns the report's lines. */
export function formatReport(report: InspectReport): string[] {
  const lines = [
    `inspected ${report.processes.length} process${
      report.processes.length === 1 ? "" : "es"
    } over ${report.windowSeconds.toFixed(1)} s`,
  ];
  if (stretched(report)) {
    lines.push(
      `the window stretched to ${report.windowSeconds.toFixed(1)} s (${
        report.requestedSeconds.toFixed(1)
      } s asked): procpath waited for a CPU; every figure is over the time that passed`,
    );
  }
  for (const p of report.processes) lines.push("", ...processLines(p));
  if (report.sampler.refused) {
    lines.push("", `hot functions not sampled: ${report.sampler.refused}`);
  }
  lines.push("", "findings:");
  if (report.findings.length === 0) lines.push("  none: nothing stands out in this window");
  const names = new Map(report.processes.map((p) => [p.pid, p.comm]));
  // a finding's text quotes names and paths as they are: one row, nothing a terminal acts on
  for (const f of report.findings) {
    lines.push(`  ${f.pid} ${oneLine(names.get(f.pid) ?? "")}: ${oneLine(f.text)}`);
  }
  return lines;
}
