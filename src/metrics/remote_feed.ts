/**
 * `record --remote-write`: each recorded sample's group metrics (one group of the whole
 * selection) pushed to a Prometheus remote-write receiver, queued and retried by
 * `RemoteWriter`.
 *
 * @module
 */
import type { KernelUnits } from "../model/process.ts";
import type { ProcessNode } from "../tree/types.ts";
import type { RemoteWriter } from "./remote_write.ts";

/** Where and how to push. */
export interface RemoteFeedOptions {
  /** The receiver's http(s) URL. */
  url: string;
  /** Added to every series (the CI job, the host). */
  labels: Readonly<Record<string, string>>;
  /** The `group` label of the pushed series. */
  group: string;
  units: KernelUnits;
  warn(message: string): void;
}

/** A running feed: its writer (to flush at the end) and the hook each sample calls. */
export interface RemoteFeed {
  writer: RemoteWriter;
  onSample(nodes: readonly ProcessNode[], wallMs: number): void;
}

/** Starts the feed; the metrics modules load only when it is asked for. */
export async function startRemoteFeed(options: RemoteFeedOptions): Promise<RemoteFeed> {
  const [{ Collector }, { RemoteWriter, toTimeSeries }] = await Promise.all([
    import("./collect.ts"),
    import("./remote_write.ts"),
  ]);
  const collector = new Collector({
    groups: [{ name: options.group, query: null }],
    perProcess: false,
    maxProcesses: 0,
    cmdline: false,
    redact: null,
    pageSize: options.units.pageSize,
    clockTicks: options.units.clockTicks,
    bootTime: NaN,
  });
  const writer = new RemoteWriter({ url: options.url, maxQueued: 1000, warn: options.warn });
  return {
    writer,
    onSample(nodes, wallMs) {
      writer.push(toTimeSeries(collector.collect(nodes), options.labels, Math.round(wallMs)));
    },
  };
}
