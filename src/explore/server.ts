/**
 * The `explore` server: the embedded web UI and a small JSON API over one recording,
 * safe by construction — loopback unless told otherwise, a random token on every API
 * call, a Host allowlist against DNS rebinding, strict security headers, bodies of at
 * most 1 MiB, the user's SQL in a killable child process on a read-only connection,
 * row, byte and time limits.
 *
 * @module
 */
import type {
  ChartAnswer,
  MetaAnswer,
  PollAnswer,
  ProblemAnswer,
  TreeAnswer,
} from "./api_types.ts";
import { lastRecordId, openReadOnly, recordColumns } from "../store/explore_reads.ts";
import { openTimeline } from "../store/timeline.ts";
import type { Timeline } from "../store/timeline.ts";
import { STYLES } from "../plot/styles.ts";
import { chartCatalogue, chartData } from "./charts.ts";
import { SqlRunner } from "./sql_worker.ts";
import { treeAt } from "./tree_at.ts";
import { ASSETS } from "./ui/assets.ts";

/** How to serve. */
export interface ExploreOptions {
  databaseFile: string;
  hostname: string;
  port: number;
  /** Per user query, ms. */
  queryTimeoutMs: number;
  maxRows: number;
  /** The most bytes of rows one answer carries. */
  maxBytes: number;
}

/** A running server. */
export interface ExploreServer {
  /** The address to open, with its token in the fragment. */
  url: string;
  port: number;
  token: string;
  finished: Promise<void>;
  close(): Promise<void>;
}

/** The largest request body, bytes. */
export const MAX_BODY = 1 << 20;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; " +
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; " +
    "base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

function respond(status: number, body: string, type: string): Response {
  return new Response(body, { status, headers: { ...SECURITY_HEADERS, "content-type": type } });
}
const json = (status: number, value: unknown) =>
  respond(status, JSON.stringify(value), "application/json; charset=utf-8");
const problem = (status: number, error: string) => json(status, { error } satisfies ProblemAnswer);

/** A random 128-bit token, hex. */
function newToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads a body of at most `MAX_BODY` bytes; `null` when it is larger. */
async function readBody(request: Request): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY) {
    await request.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body ?? new ReadableStream<Uint8Array>()) {
    size += chunk.length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

const number = (text: string | null) => (text === null || text === "" ? undefined : Number(text));

/** Starts serving `options.databaseFile`. Throws `RecordingError` for a file that is not a recording. */
export function serveExplore(options: ExploreOptions): ExploreServer {
  const timeline: Timeline = openTimeline(options.databaseFile);
  const db = openReadOnly(options.databaseFile);
  const runner = new SqlRunner(options.databaseFile, options.queryTimeoutMs);
  const token = newToken();

  // the sample times, reread only when the recording grew (its last rowid moved)
  let cached: { last: number; times: number[]; bootAt?: number } | null = null;
  const times = () => {
    const last = lastRecordId(db);
    if (!cached || cached.last !== last) cached = { last, times: timeline.times() };
    return cached.times;
  };
  // the boot moment the tree's CPU tells births by, with the times (it scans every row)
  const bootAt = () => {
    times();
    return cached!.bootAt ??= timeline.bootAt();
  };
  const columns = recordColumns(db);
  const clockTicks = Number(timeline.meta.clock_ticks ?? 100);

  const api = async (path: string, url: URL, request: Request): Promise<Response> => {
    switch (path) {
      case "/api/meta": {
        const t = times();
        const answer: MetaAnswer = {
          file: options.databaseFile.replace(/^.*\//, ""),
          meta: timeline.meta,
          files: timeline.files,
          columns,
          charts: chartCatalogue(timeline.files),
          palette: STYLES.DefaultStyle!.palette, // the colours of plot's charts

          samples: t.length,
          span: t.length > 0 ? [t[0]!, t[t.length - 1]!] : null,
          limits: {
            rows: options.maxRows,
            bytes: options.maxBytes,
            seconds: options.queryTimeoutMs / 1000,
          },
        };
        return json(200, answer);
      }
      case "/api/poll": {
        const t = times();
        return json(200, { samples: t.length, last: t.at(-1) ?? null } satisfies PollAnswer);
      }
      case "/api/chart": {
        const t = times();
        if (t.length === 0) return json(200, { x: [], series: [] } satisfies ChartAnswer);
        const pids = url.searchParams.get("pids");
        const data = chartData(
          db,
          url.searchParams.get("id") ?? "",
          {
            after: number(url.searchParams.get("after")),
            before: number(url.searchParams.get("before")),
            width: Math.min(4000, Math.max(10, number(url.searchParams.get("width")) ?? 1000)),
            top: Math.min(100, Math.max(0, number(url.searchParams.get("top")) ?? 10)),
            pids: pids ? pids.split(",").map(Number).filter(Number.isInteger) : undefined,
          },
          [t[0]!, t[t.length - 1]!],
          { clockTicks },
        );
        return json(200, data);
      }
      case "/api/tree": {
        const at = number(url.searchParams.get("at"));
        if (at === undefined || !Number.isFinite(at)) {
          return problem(400, "at: a unix time is needed");
        }
        return json(200, treeAt(timeline, times(), at, bootAt()) satisfies TreeAnswer);
      }
      case "/api/query": {
        if (request.method !== "POST") return problem(405, "POST a JSON body {sql}");
        const body = await readBody(request);
        if (body === null) return problem(413, `the request body is larger than ${MAX_BODY} bytes`);
        let sql: unknown, maxRows: unknown;
        try {
          ({ sql, maxRows } = JSON.parse(body));
        } catch {
          return problem(400, 'the body must be JSON: {"sql": "SELECT …"}');
        }
        if (typeof sql !== "string") return problem(400, "sql: a string is needed");
        const rows = Math.min(
          options.maxRows,
          typeof maxRows === "number" ? maxRows : options.maxRows,
        );
        const answer = await runner.run(sql, rows, options.maxBytes);
        if ("error" in answer) {
          return problem(answer.stopped ? 503 : 400, answer.error);
        }
        return json(200, answer);
      }
    }
    return problem(404, "no such endpoint");
  };

  const handler = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    void info;
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? "";
    if (!allowedHosts.has(host.toLowerCase())) {
      return problem(421, `unexpected Host ${JSON.stringify(host)}: open the URL procpath printed`);
    }
    const asset = ASSETS[url.pathname];
    if (asset) {
      if (request.method !== "GET" && request.method !== "HEAD") return problem(405, "GET only");
      return respond(200, asset.body, asset.type);
    }
    if (!url.pathname.startsWith("/api/")) return problem(404, "not found");
    if (request.headers.get("authorization") !== `Bearer ${token}`) {
      return problem(401, "a valid token is needed: open the URL procpath printed, token included");
    }
    try {
      return await api(url.pathname, url, request);
    } catch (error) {
      return problem(400, (error as Error).message);
    }
  };

  const allowedHosts = new Set<string>();
  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen() {},
    handler,
  });
  const port = server.addr.port;
  const hostPart = asHostHeader(options.hostname);
  for (const name of ["127.0.0.1", "localhost", "[::1]", hostPart, ...reachableNames(options)]) {
    allowedHosts.add(`${name}:${port}`.toLowerCase());
  }
  const shown = options.hostname === "0.0.0.0" || options.hostname === "::"
    ? "127.0.0.1"
    : hostPart;
  return {
    url: `http://${shown}:${port}/#token=${token}`,
    port,
    token,
    finished: server.finished,
    async close() {
      runner.close();
      await server.shutdown();
      db.close();
      timeline.close();
    },
  };
}

/** Returns an address as it stands in a Host header (IPv6 in brackets). */
function asHostHeader(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Returns the other names a browser may use for a server bound beyond loopback: the
 * machine's host name and, for a wildcard bind, every address it listens on (the token
 * still guards every request; the allowlist only stops DNS rebinding).
 */
function reachableNames(options: { hostname: string }): string[] {
  if (LOOPBACK.has(options.hostname)) return [];
  const names: string[] = [];
  try {
    const host = Deno.hostname();
    names.push(host, host.split(".")[0]!);
  } catch { /* no host name to be had */ }
  if (options.hostname === "0.0.0.0" || options.hostname === "::") {
    try {
      for (const nic of Deno.networkInterfaces()) {
        if (options.hostname === "0.0.0.0" && nic.family !== "IPv4") continue;
        names.push(asHostHeader(nic.address.replace(/%.*$/, "")));
      }
    } catch { /* interfaces not readable: loopback and the host name only */ }
  }
  return names;
}
