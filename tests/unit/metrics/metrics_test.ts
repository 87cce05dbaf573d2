// The Prometheus side: expositions, monotonic group counters, the series cap, and
// remote-write requests decoded back byte by byte.
import { assertEquals } from "../../_helpers/assert.ts";
import { Collector } from "../../../src/metrics/collect.ts";
import type { CollectOptions } from "../../../src/metrics/collect.ts";
import { render } from "../../../src/metrics/exposition.ts";
import type { MetricFamily } from "../../../src/metrics/exposition.ts";
import {
  encodeWriteRequest,
  RemoteWriter,
  snappyLiterals,
  toTimeSeries,
} from "../../../src/metrics/remote_write.ts";
import type { TimeSeries } from "../../../src/metrics/remote_write.ts";
import { compileQuery } from "../../../src/query/mod.ts";
import type { ProcessNode } from "../../../src/tree/types.ts";
import { simulate } from "../../_helpers/process_simulation.ts";
import type { SimProcess } from "../../_helpers/process_simulation.ts";

const FAMILIES: MetricFamily[] = [
  {
    name: "procpath_group_cpu_seconds",
    type: "counter",
    help: "CPU \\ time\nused",
    unit: "seconds",
    samples: [{ labels: { group: 'we"b\\x\nline', mode: "user" }, value: 1.5 }],
  },
  {
    name: "procpath_process",
    type: "info",
    help: "A process",
    samples: [{
      labels: { pid: "7", cmdline: "sh -c 'a \"b\"'" },
      value: 1,
      timestamp: 1700000000.25,
    }],
  },
];

Deno.test("OpenMetrics and the text format: escaped labels and help, units, info, # EOF", () => {
  assertEquals(
    render(FAMILIES, true),
    [
      "# HELP procpath_group_cpu_seconds CPU \\\\ time\\nused",
      "# TYPE procpath_group_cpu_seconds counter",
      "# UNIT procpath_group_cpu_seconds seconds",
      'procpath_group_cpu_seconds_total{group="we\\"b\\\\x\\nline",mode="user"} 1.5',
      "# HELP procpath_process A process",
      "# TYPE procpath_process info",
      'procpath_process_info{pid="7",cmdline="sh -c \'a \\"b\\"\'"} 1 1700000000.25',
      "# EOF",
      "",
    ].join("\n"),
  );
  assertEquals(
    render(FAMILIES, false),
    [
      "# HELP procpath_group_cpu_seconds_total CPU \\\\ time\\nused",
      "# TYPE procpath_group_cpu_seconds_total counter",
      'procpath_group_cpu_seconds_total{group="we\\"b\\\\x\\nline",mode="user"} 1.5',
      "# HELP procpath_process_info A process",
      "# TYPE procpath_process_info gauge",
      'procpath_process_info{pid="7",cmdline="sh -c \'a \\"b\\"\'"} 1 1700000000250',
      "",
    ].join("\n"),
  );
});

/** A process node as a snapshot holds it. */
function node(
  pid: number,
  ppid: number,
  utime: number,
  starttime = 1,
  extra: Partial<ProcessNode> = {},
) {
  return {
    stat: { pid, ppid, comm: `p${pid}`, utime, stime: 0, rss: 10, num_threads: 1, starttime },
    cmdline: `p${pid} --token=s3cret`,
    io: { read_bytes: utime * 1000, write_bytes: 0 },
    ...extra,
  } as unknown as ProcessNode;
}
const tree = (...children: ProcessNode[]) => [{ ...node(1, 0, 0), children }] as ProcessNode[];

const OPTIONS: CollectOptions = {
  groups: [{ name: "tree", query: compileQuery("$..children[?(@.stat.pid == 1)]") }],
  perProcess: false,
  maxProcesses: 10,
  cmdline: false,
  redact: null,
  pageSize: 4096,
  clockTicks: 100,
  bootTime: 1000,
};

const value = (families: MetricFamily[], name: string, mode?: string) =>
  families.find((f) => f.name === name)!.samples.find((s) => !mode || s.labels.mode === mode)!
    .value;

Deno.test("group counters never go down: exits fold in, a reused PID is a new process", () => {
  // scraped now, with start times of a fake boot: births are told by the samples alone
  const collector = new Collector({ ...OPTIONS, bootTime: NaN });
  const steps = [
    tree(node(10, 1, 100), node(11, 1, 50)), // 1.5 s
    tree(node(10, 1, 150)), // 11 exited with 50 ticks: 1.5 + 0.5 = 2.0 s
    tree(node(10, 1, 160), node(11, 1, 5, 999)), // PID 11 again, a new process: 2.1 + 0.05
    tree(node(10, 1, 160)), // the new 11 exits too: its 5 ticks stay
  ];
  const cpu = steps.map((roots) =>
    value(collector.collect(roots), "procpath_group_cpu_seconds", "user")
  );
  assertEquals(cpu, [1.5, 2, 2.15, 2.15]);
  const read = steps.map((roots) =>
    value(new Collector(OPTIONS).collect(roots), "procpath_group_read_bytes")
  );
  assertEquals(read[0], 150_000);
  const processes = steps.map((roots) =>
    value(collector.collect(roots), "procpath_group_processes")
  );
  assertEquals(processes, [3, 2, 3, 2]);
});

Deno.test("group CPU counts what exited between scrapes: children reaped by the group's processes", () => {
  const collector = new Collector(OPTIONS);
  const withChildren = (utime: number, cutime: number) =>
    node(10, 1, utime, 1, { stat: { ...node(10, 1, utime).stat, cutime } } as never);
  const cpu = [
    tree(withChildren(100, 0)), // 1.0 s of its own
    tree(withChildren(110, 300)), // 0.1 s more and 3 s of children never scraped: 4.1 s
    tree(withChildren(110, 300)),
  ].map((roots) => value(collector.collect(roots), "procpath_group_cpu_seconds", "user"));
  assertEquals(cpu, [1, 4.1, 4.1]);
});

/** Simulated processes as a snapshot's flat roots. */
const simNodes = (processes: readonly SimProcess[]) =>
  processes.map((p) =>
    ({ stat: { ...p, rss: 1, num_threads: 1 }, children: [] }) as unknown as ProcessNode
  );

Deno.test("the group CPU counter grows by what a simulated tree used in every interval (#31)", () => {
  // the truth is the simulation's own tick count, short-lived processes included
  const { samples, usedBy } = simulate({ seed: 7, ticks: 3000, every: 50 });
  const collector = new Collector({
    ...OPTIONS,
    groups: [{ name: "all", query: null }],
    bootTime: 1_700_000_000, // the simulation's boot: start times count from it
  });
  let before: number | null = null;
  for (const { tick, processes } of samples) {
    const families = collector.collect(simNodes(processes), 1_700_000_000 + tick / 100);
    const now = value(families, "procpath_group_cpu_seconds", "user") +
      value(families, "procpath_group_cpu_seconds", "system");
    if (before !== null) assertEquals(Math.round((now - before) * 100), usedBy.get(tick));
    before = now;
  }
});

Deno.test("a process re-entering a group adds only what it used since, not its whole life (#31)", () => {
  const collector = new Collector({
    ...OPTIONS,
    groups: [{ name: "all", query: null }],
    bootTime: NaN,
  });
  const at = (s: number) => 1_700_000_000 + s;
  // PID 20 started 10 s after boot (1,000 ticks); the machine booted at 1,699,000,000
  const p = (pid: number, utime: number, starttime: number) =>
    ({
      stat: { pid, ppid: 1, utime, stime: 0, rss: 1, num_threads: 1, starttime },
      children: [],
    }) as unknown as ProcessNode;
  const young = 100_000_000; // started just before the first scrape
  const cpu = [
    [p(10, 0, young), p(20, 100_000, 1_000)], // 1,000 s of its own so far
    [p(10, 5, young)], // 20 left the group (a filter stopped matching)
    [p(10, 10, young), p(20, 100_050, 1_000)], // back, 0.5 s later in its life
    [p(10, 15, young), p(20, 100_060, 1_000)],
  ].map((nodes, i) =>
    value(collector.collect(nodes, at(1_000_000 + i)), "procpath_group_cpu_seconds", "user")
  );
  // 1,000 s at first, then 0.05 s of 10 a scrape; 20's return adds nothing, then 0.1 s
  assertEquals(cpu.map((c) => Math.round(c * 100) / 100), [1000, 1000.05, 1000.1, 1000.25]);
});

Deno.test("with -f schedstat, the group's run-queue delay is a counter, exits folded in", () => {
  const collector = new Collector(OPTIONS);
  const waiting = (pid: number, ns: number) =>
    node(pid, 1, 10, 1, { schedstat: { run_time: 0, run_delay: ns, timeslices: 1 } } as never);
  const delay = [
    tree(waiting(10, 2e9), waiting(11, 1e9)),
    tree(waiting(10, 3e9)), // 11 exited: its 1 s stays
  ].map((roots) => value(collector.collect(roots), "procpath_group_run_delay_seconds"));
  assertEquals(delay, [3, 4]);
});

Deno.test("per-process series are capped per group (the largest by RSS), the rest counted; command lines opt-in and redacted", () => {
  const roots = tree(
    node(10, 1, 1),
    node(11, 1, 1, 1, { stat: { pid: 11, ppid: 1, rss: 99, starttime: 1 } } as never),
    node(12, 1, 1),
  );
  const off = new Collector({ ...OPTIONS, perProcess: true, maxProcesses: 2 }).collect(roots);
  const rss = off.find((f) => f.name === "procpath_process_resident_memory_bytes")!;
  assertEquals(rss.samples.map((s) => s.labels.pid), ["11", "1"]);
  assertEquals(value(off, "procpath_process_series_dropped"), 2);
  const info = off.find((f) => f.name === "procpath_process")!;
  assertEquals(info.samples.every((s) => s.labels.cmdline === undefined), true);
  const on = new Collector({ ...OPTIONS, perProcess: true, cmdline: true, redact: /--token=\S+/g })
    .collect(roots);
  const cmdlines = on.find((f) => f.name === "procpath_process")!.samples.map((s) =>
    s.labels.cmdline
  );
  assertEquals(cmdlines.includes("p10 ***"), true, cmdlines.join("|"));
  const start = on.find((f) => f.name === "procpath_process_start_time_seconds")!;
  assertEquals(start.samples[0].value, 1000.01);
});

// ---- a decoder for what the encoder wrote: snappy's block format and WriteRequest -------

function unsnappy(data: Uint8Array): Uint8Array {
  let at = 0, length = 0, shift = 0;
  for (;;) {
    const b = data[at++];
    length |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (at < data.length) {
    const tag = data[at++];
    if ((tag & 3) !== 0) throw new Error("only literals are expected");
    let len = tag >> 2;
    if (len === 60) len = data[at++];
    else if (len === 61) len = data[at++] | (data[at++] << 8);
    len += 1;
    out.set(data.subarray(at, at + len), o);
    at += len;
    o += len;
  }
  assertEquals(o, length);
  return out;
}

function fields(data: Uint8Array): [number, number, Uint8Array | bigint][] {
  const out: [number, number, Uint8Array | bigint][] = [];
  let at = 0;
  const varint = () => {
    let v = 0n, shift = 0n;
    for (;;) {
      const b = data[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (at < data.length) {
    const key = Number(varint());
    const [field, wire] = [key >> 3, key & 7];
    if (wire === 0) out.push([field, wire, BigInt.asIntN(64, varint())]);
    else if (wire === 1) {
      out.push([field, wire, data.slice(at, at + 8)]);
      at += 8;
    } else {
      const len = Number(varint());
      out.push([field, wire, data.subarray(at, at + len)]);
      at += len;
    }
  }
  return out;
}

function decodeWriteRequest(data: Uint8Array): TimeSeries[] {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return fields(data).map(([, , series]) => {
    const parts = fields(series as Uint8Array);
    return {
      labels: parts.filter(([f]) => f === 1).map(([, , l]) => {
        const [[, , name], [, , value]] = fields(l as Uint8Array);
        return [text(name as Uint8Array), text(value as Uint8Array)] as [string, string];
      }),
      samples: parts.filter(([f]) => f === 2).map(([, , s]) => {
        const [[, , v], [, , t]] = fields(s as Uint8Array);
        return [new DataView((v as Uint8Array).buffer).getFloat64(0, true), Number(t)] as [
          number,
          number,
        ];
      }),
    };
  });
}

Deno.test("remote write: a WriteRequest with sorted labels, snappy-framed, decodes back exactly", () => {
  const families = new Collector(OPTIONS).collect(tree(node(10, 1, 100)), 1700000000.5);
  const series = toTimeSeries(families, { job: "ci", instance: "runner-1" }, 0);
  const first = series[0];
  assertEquals(first.labels, [
    ["__name__", "procpath_group_processes"],
    ["group", "tree"],
    ["instance", "runner-1"],
    ["job", "ci"],
  ]);
  assertEquals(first.samples, [[2, 1700000000500]]);
  // a long label value crosses the one-byte literal length, and 70 KiB two literal chunks
  const big = [{
    labels: [["__name__", "x"], ["v", "é".repeat(35_000)]] as [string, string][],
    samples: [[-1.25, -5]] as [number, number][],
  }];
  for (const batch of [series, big]) {
    const wire = snappyLiterals(encodeWriteRequest(batch));
    assertEquals(decodeWriteRequest(unsnappy(wire)), batch);
  }
});

Deno.test("remote write keeps a batch until the receiver takes it, drops refused ones loudly, flushes at the end", async () => {
  const statuses = [0, 503, 204, 400, 204];
  const bodies: Uint8Array[] = [];
  const warnings: string[] = [];
  const writer = new RemoteWriter({
    url: "http://receiver/api/v1/write",
    maxQueued: 10,
    warn: (m) => warnings.push(m),
    fetch: ((_url: string, init: RequestInit) => {
      const status = statuses.shift() ?? 204;
      bodies.push(init.body as Uint8Array);
      if (status === 0) return Promise.reject(new Error("connection refused"));
      return Promise.resolve(new Response(status === 400 ? "out of bounds" : null, { status }));
    }) as typeof fetch,
  });
  const batch = (v: number): TimeSeries[] => [{ labels: [["__name__", "x"]], samples: [[v, 1]] }];
  writer.push(batch(1)); // unreachable: kept
  await writer.flush(2000); // 503, then accepted
  writer.push(batch(2)); // refused (400): dropped with a warning
  writer.push(batch(3));
  const left = await writer.flush(2000);
  assertEquals(left, 0);
  assertEquals(writer.figures, { sent: 2, refused: 1, dropped: 0 });
  // the same batch was sent until accepted: no sample lost, the retries identical
  assertEquals(bodies[0], bodies[1]);
  assertEquals(bodies[1], bodies[2]);
  assertEquals(warnings.some((w) => w.includes("cannot reach")), true, warnings.join("\n"));
  assertEquals(
    warnings.some((w) => w.includes("refused 1 samples (HTTP 400): out of bounds")),
    true,
  );
});
