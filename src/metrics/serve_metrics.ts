/**
 * The metrics endpoint: `GET /metrics` reads `/proc` (only the groups' branches when
 * every group selects branches by PID), computes the groups' families and answers in
 * OpenMetrics or the classic text format, as the scraper's `Accept` asks.
 *
 * @module
 */
import { keepFilesOpen } from "../procfs/kept_files.ts";
import type { ProcFileName, ProcRoot } from "../procfs/mod.ts";
import { branchPidsOf } from "../query/mod.ts";
import { readSnapshot, ReadWarnings } from "../snapshot/mod.ts";
import { Collector, selfMetrics } from "./collect.ts";
import type { CollectOptions } from "./collect.ts";
import { OPENMETRICS, render, TEXT_FORMAT, wantsOpenMetrics } from "./exposition.ts";

/** How to serve. */
export interface MetricsServerOptions {
  hostname: string;
  port: number;
  procfs: ProcRoot;
  files: readonly ProcFileName[];
  /** procpath's own PID, left out. */
  pid: number;
  collect: Omit<CollectOptions, "pageSize" | "clockTicks" | "bootTime">;
}

/** A running endpoint. */
export interface MetricsServer {
  url: string;
  port: number;
  /** One scrape's text, as `GET /metrics` answers (for tests and benchmarks). */
  scrape(openMetrics: boolean): string;
  close(): Promise<void>;
}

/** Starts the endpoint. */
export function serveMetrics(options: MetricsServerOptions): MetricsServer {
  const system = options.procfs.systemInfo();
  const collector = new Collector({
    ...options.collect,
    pageSize: system.pageSize,
    clockTicks: system.clockTicks,
    bootTime: options.procfs.bootTime(),
  });
  // branch reading when every group is a branch selection: the union of their PIDs
  const branches = options.collect.groups.map((g) => (g.query ? branchPidsOf(g.query) : null));
  const pids = branches.every((b) => b !== null)
    ? [...new Set(branches.flat() as number[])]
    : undefined;
  const quiet = new ReadWarnings(() => {}); // another user's io is unreadable: expected
  keepFilesOpen(options.procfs, "process");
  const scrape = (openMetrics: boolean) => {
    const started = performance.now();
    const roots = readSnapshot(
      { procfs: options.procfs, procfsTarget: "process", procfileList: options.files },
      { pid: options.pid, warn: () => {} },
      pids,
      quiet,
    );
    const families = collector.collect(roots);
    return render([...families, ...selfMetrics((performance.now() - started) / 1000)], openMetrics);
  };
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen() {},
    handler(request) {
      const url = new URL(request.url);
      if (url.pathname === "/") {
        return new Response('procpath metrics: see <a href="/metrics">/metrics</a>\n', {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      }
      if (url.pathname !== "/metrics") return new Response("not found\n", { status: 404 });
      const openMetrics = wantsOpenMetrics(request.headers.get("accept"));
      return new Response(scrape(openMetrics), {
        headers: { "content-type": openMetrics ? OPENMETRICS : TEXT_FORMAT },
      });
    },
  });
  const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  return {
    url: `http://${host}:${server.addr.port}/metrics`,
    port: server.addr.port,
    scrape,
    close: () => server.shutdown(),
  };
}
