import { assertEquals, assertThrows } from "../../_helpers/assert.ts";
import {
  parseAuxv,
  parseCmdline,
  parseIo,
  parseSmapsRollup,
  parseStat,
  parseStatBytes,
  parseStatus,
  ProcfsSyntaxError,
} from "../../../src/procfs/mod.ts";
import { statLine } from "../../_helpers/stat_line.ts";

const enc = (text: string) => new TextEncoder().encode(text);

Deno.test("parseStat() reads comm containing spaces and parentheses", () => {
  const stat = parseStat(statLine({ pid: 42, comm: "(a) b) c", ppid: 7, rss: 99, utime: 3 }));
  assertEquals([stat.pid, stat.comm, stat.state, stat.ppid, stat.rss, stat.utime], [
    42,
    "(a) b) c",
    "S",
    7,
    99,
    3,
  ]);
  assertEquals(Object.keys(stat).length, 27);
  assertEquals([stat.delayacct_blkio_ticks, stat.guest_time, stat.cguest_time], [0, 0, 0]);
});

Deno.test("parseStat() reads a byte-exact kernel line and keeps the reference's 27 fields", () => {
  const line = "1946 (cat) R 1943 1943 1018 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 378411 " +
    "3133440 405 18446744073709551615 94208051908608 94208051928489 140728338392160 0 0 0 0 0 0 0 " +
    "0 0 17 1 0 0 7 0 0 94208051944496 94208051946112 94208188841984 140728338397922 " +
    "140728338397942 140728338397942 140728338399211 0\n";
  const stat = parseStat(line);
  assertEquals(stat, {
    pid: 1946,
    comm: "cat",
    state: "R",
    ppid: 1943,
    pgrp: 1943,
    session: 1018,
    tty_nr: 0,
    tpgid: -1,
    flags: 4194304,
    minflt: 102,
    cminflt: 0,
    majflt: 0,
    cmajflt: 0,
    utime: 0,
    stime: 0,
    cutime: 0,
    cstime: 0,
    priority: 20,
    nice: 0,
    num_threads: 1,
    itrealvalue: 0,
    starttime: 378411,
    vsize: 3133440,
    rss: 405,
    delayacct_blkio_ticks: 7,
    guest_time: 0,
    cguest_time: 0,
  });
});

Deno.test("parseStat() leaves the last three fields null on an old kernel's short line", () => {
  const stat = parseStat(
    "5 (x) S 1 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 9 100 3 18446744073709551615\n",
  );
  assertEquals([stat.rss, stat.delayacct_blkio_ticks, stat.guest_time], [3, null, null]);
});

Deno.test("parseStat() rejects a line without comm", () => {
  assertThrows(() => parseStat("garbage"), ProcfsSyntaxError);
});

Deno.test("parseCmdline() joins NUL-separated arguments and trims", () => {
  assertEquals(parseCmdline(enc("python3.7\0-Wa\0-u\0")), "python3.7 -Wa -u");
  assertEquals(parseCmdline(enc("")), "");
  assertThrows(() => parseCmdline(new Uint8Array([0xff, 0xfe])), ProcfsSyntaxError);
});

Deno.test("parseIo() needs all seven fields", () => {
  const text =
    "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 4096\nwrite_bytes: 0\ncancelled_write_bytes: 0\n";
  assertEquals(parseIo(text), {
    rchar: 6976,
    wchar: 0,
    syscr: 10,
    syscw: 0,
    read_bytes: 4096,
    write_bytes: 0,
    cancelled_write_bytes: 0,
  });
  assertThrows(() => parseIo("rchar: 1\n"), ProcfsSyntaxError);
  assertThrows(() => parseIo("rchar 1\n"), ProcfsSyntaxError);
});

const STATUS =
  "Name:\tWeb Content\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1945\nNgid:\t0\nPid:\t1945\n" +
  "PPid:\t1943\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\nFDSize:\t256\nGroups:\t \n" +
  "NStgid:\t1945\nKthread:\t0\nVmRSS:\t    1732 kB\nThreads:\t1\nSigQ:\t0/96364\n" +
  "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n" +
  "SigIgn:\tffffffffffffffff\nSigCgt:\t0000000000000000\nCapInh:\t0000000000000000\n" +
  "CapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\nSpeculation_Store_Bypass:\tVulnerable\n" +
  "Mems_allowed:\t00000000,00000001\nvoluntary_ctxt_switches:\t2\n";

Deno.test("parseStatus() converts each field as the reference does", () => {
  const status = parseStatus(STATUS);
  assertEquals(status.name, "Web Content");
  assertEquals(status.umask, 18);
  assertEquals(status.state, "S");
  assertEquals(status.uid, [1000, 1000, 1000, 1000]);
  assertEquals(status.groups, []);
  assertEquals(status.vmrss, 1732);
  assertEquals(status.sigq, [0, 96364]);
  assertEquals(status.sigign, 18446744073709551615n);
  assertEquals(status.capprm, 0x1fffeffffff);
  assertEquals(status.speculation_store_bypass, "vulnerable");
  assertEquals(status.mems_allowed, [0, 1]);
  assertEquals(status.vmswap, null);
  assertEquals(Object.keys(status).length, 55);
});

Deno.test("parseStatus() rejects a file missing a required field", () => {
  assertThrows(() => parseStatus("Name:\tx\nState:\tS\n"), ProcfsSyntaxError);
});

Deno.test("parseSmapsRollup() skips the range line and reads kB values", () => {
  const rollup = parseSmapsRollup(
    "55caea43a000-7ffcd95c1000 ---p 00000000 00:00 0 [rollup]\nRss:  1760 kB\nPss:   769 kB\n" +
      "Pss_Anon: 112 kB\nPrivate_Clean: 108 kB\nSwapPss: 3 kB\n",
  );
  assertEquals([rollup.rss, rollup.pss, rollup.private_clean, rollup.swappss, rollup.swap], [
    1760,
    769,
    108,
    3,
    null,
  ]);
  assertEquals(parseSmapsRollup("").rss, null);
  assertThrows(() => parseSmapsRollup("range\nRss: lots kB\n"), ProcfsSyntaxError);
});

Deno.test("parseAuxv() finds AT_PAGESZ and AT_CLKTCK", () => {
  const view = new DataView(new ArrayBuffer(48));
  view.setBigUint64(0, 6n, true);
  view.setBigUint64(8, 4096n, true);
  view.setBigUint64(16, 17n, true);
  view.setBigUint64(24, 100n, true);
  assertEquals(parseAuxv(new Uint8Array(view.buffer)), { pageSize: 4096, clockTicks: 100 });
});

Deno.test("parseAuxv() of this process matches the live system", () => {
  const { pageSize, clockTicks } = parseAuxv(Deno.readFileSync("/proc/self/auxv"));
  assertEquals(clockTicks, 100);
  assertEquals([4096, 16384, 65536].includes(pageSize!), true);
});

Deno.test("parseStatBytes() decodes the command name alone: UTF-8, invalid and cut sequences", () => {
  const line = (comm: number[]) =>
    new Uint8Array([
      ...enc("7 ("),
      ...comm,
      ...enc(") S 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 9 4096 5"),
    ]);
  assertEquals(parseStatBytes(line([0x61, 0xff, 0x62])).comm, "a\uFFFDb");
  assertEquals(parseStatBytes(line([0xc3, 0xa9, 0x29, 0x20, 0x78])).comm, "é) x");
  assertEquals(parseStatBytes(line([0x61, 0xc3])).comm, "a\uFFFD");
  const stat = parseStatBytes(line([0x6b]));
  assertEquals([stat.pid, stat.comm, stat.state, stat.ppid, stat.rss], [7, "k", "S", 1, 5]);
});

Deno.test("parseStatBytes() reads every live process as the text parser reads its decoded line", () => {
  let compared = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // gone
    }
    assertEquals(parseStatBytes(bytes), parseStat(new TextDecoder().decode(bytes)));
    compared++;
  }
  assertEquals(compared > 1, true);
});
