/**
 * Prometheus remote-write 1.0: samples encoded as a `WriteRequest` protobuf, compressed
 * with snappy's block format, POSTed to a receiver in small batches. A batch stays
 * queued until the receiver accepts it (2xx); a receiver that fails or cannot be
 * reached gets the batch again later (a repeat of accepted samples is dropped by the
 * receiver as a duplicate), a batch it refuses (4xx) is dropped with a warning — never
 * silently — and none of it ever stops the recording.
 *
 * @module
 */
import { sampleName } from "./exposition.ts";
import type { MetricFamily } from "./exposition.ts";

/** One series of a write request: sorted labels (`__name__` among them) and its samples. */
export interface TimeSeries {
  labels: [name: string, value: string][];
  /** Value, and time in unix ms. */
  samples: [value: number, timestampMs: number][];
}

// ---- protobuf (only what WriteRequest needs: varints, length-delimited, doubles) ---------

class ProtoWriter {
  #bytes: number[] = [];
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.#bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#bytes.push(Number(v));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    for (const b of data) this.#bytes.push(b);
  }
  string(field: number, text: string): void {
    this.bytes(field, new TextEncoder().encode(text));
  }
  double(field: number, value: number): void {
    this.tag(field, 1);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.#bytes.push(view.getUint8(i));
  }
  int64(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(BigInt(Math.round(value)));
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/**
 * Encodes `WriteRequest { repeated TimeSeries timeseries = 1; }` with
 * `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }`,
 * `Label { string name = 1; string value = 2; }`,
 * `Sample { double value = 1; int64 timestamp = 2; }`.
 */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array {
  const request = new ProtoWriter();
  for (const s of series) {
    const ts = new ProtoWriter();
    for (const [name, value] of s.labels) {
      const label = new ProtoWriter();
      label.string(1, name);
      label.string(2, value);
      ts.bytes(1, label.finish());
    }
    for (const [value, timestamp] of s.samples) {
      const sample = new ProtoWriter();
      sample.double(1, value);
      sample.int64(2, timestamp);
      ts.bytes(2, sample.finish());
    }
    request.bytes(1, ts.finish());
  }
  return request.finish();
}

/**
 * Snappy's block format with literals only: the uncompressed length as a varint, then
 * the data in literal elements of at most 64 KiB. Valid for every decoder; batches of
 * a few kilobytes gain little from matching.
 */
export function snappyLiterals(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let n = data.length;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, Math.min(data.length, at + 65536));
    const len = chunk.length - 1;
    if (len < 60) out.push(len << 2);
    else if (len < 256) out.push(60 << 2, len);
    else out.push(61 << 2, len & 0xff, len >>> 8);
    for (const b of chunk) out.push(b);
  }
  return Uint8Array.from(out);
}

/** Families (with timestamps, or at `nowMs`) as series with extra labels, labels sorted. */
export function toTimeSeries(
  families: readonly MetricFamily[],
  extra: Readonly<Record<string, string>>,
  nowMs: number,
): TimeSeries[] {
  const series: TimeSeries[] = [];
  for (const family of families) {
    for (const sample of family.samples) {
      const labels = Object.entries({
        ...extra,
        ...sample.labels,
        __name__: sampleName(family),
      })
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const at = sample.timestamp === undefined ? nowMs : Math.round(sample.timestamp * 1000);
      series.push({ labels, samples: [[sample.value, at]] });
    }
  }
  return series;
}

/** Where and how to push. */
export interface RemoteWriteOptions {
  url: string;
  /** Most batches kept while the receiver is away; the oldest are dropped past it (warned). */
  maxQueued: number;
  warn(message: string): void;
  /** For tests: the HTTP client. */
  fetch?: typeof fetch;
}

/** A queue of batches and the loop that sends them, oldest first. */
export class RemoteWriter {
  #queue: { body: Uint8Array; samples: number }[] = [];
  #sending: Promise<void> | null = null;
  #failing = false;
  /** Samples accepted, dropped (refused or past the queue), still queued. */
  readonly figures = { sent: 0, refused: 0, dropped: 0 };

  constructor(readonly options: RemoteWriteOptions) {}

  /** Queues one batch and starts sending; never throws, never waits for the network. */
  push(series: readonly TimeSeries[]): void {
    if (series.length === 0) return;
    const samples = series.reduce((n, s) => n + s.samples.length, 0);
    this.#queue.push({ body: snappyLiterals(encodeWriteRequest(series)), samples });
    while (this.#queue.length > this.options.maxQueued) {
      const lost = this.#queue.shift()!;
      this.figures.dropped += lost.samples;
      this.options.warn(
        `remote write: the receiver is behind; dropped the oldest batch of ${lost.samples} samples`,
      );
    }
    this.#sending ??= this.#drain().finally(() => this.#sending = null);
  }

  get queued(): number {
    return this.#queue.reduce((n, b) => n + b.samples, 0);
  }

  async #drain(): Promise<void> {
    const send = this.options.fetch ?? fetch;
    while (this.#queue.length > 0) {
      const batch = this.#queue[0];
      let status: number;
      let reason = "";
      try {
        const response = await send(this.options.url, {
          method: "POST",
          body: batch!.body as Uint8Array<ArrayBuffer>,
          headers: {
            "content-encoding": "snappy",
            "content-type": "application/x-protobuf",
            "x-prometheus-remote-write-version": "0.1.0",
          },
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        reason = (await response.text()).trim().slice(0, 200);
      } catch (error) {
        status = 0;
        reason = (error as Error).message;
      }
      if (status >= 200 && status < 300) {
        this.#queue.shift();
        this.figures.sent += batch!.samples;
        if (this.#failing) this.options.warn("remote write: the receiver accepts batches again");
        this.#failing = false;
        continue;
      }
      if (status >= 400 && status < 500 && status !== 429) {
        // the receiver will refuse it again: drop it, loudly
        this.#queue.shift();
        this.figures.refused += batch!.samples;
        this.options.warn(
          `remote write: the receiver refused ${
            batch!.samples
          } samples (HTTP ${status}): ${reason}`,
        );
        continue;
      }
      if (!this.#failing) {
        this.options.warn(
          `remote write: ${
            status ? `HTTP ${status}` : "cannot reach"
          } ${this.options.url} (${reason}); ` +
            "keeping the batches and retrying",
        );
      }
      this.#failing = true;
      return; // the next push (or flush) retries
    }
  }

  /**
   * Sends what is queued, retrying for up to `ms`; resolves with the samples still
   * unsent (and says so) — the final flush of a run.
   */
  async flush(ms: number): Promise<number> {
    const deadline = Date.now() + ms;
    while (this.#queue.length > 0 && Date.now() < deadline) {
      await (this.#sending ??= this.#drain().finally(() => this.#sending = null));
      if (this.#queue.length > 0) await new Promise((r) => setTimeout(r, 200));
    }
    const left = this.queued;
    if (left > 0) {
      this.options.warn(`remote write: ${left} samples could not be sent before the end`);
    }
    return left;
  }
}
