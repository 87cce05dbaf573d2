/**
 * The user's SQL of `explore` runs in a child process — the same executable with a
 * hidden command — because SQLite blocks the thread it runs on and a runaway query
 * (a recursive CTE without end) can be stopped only by killing its process: a worker
 * thread kept burning CPU after `terminate()`. The child holds a read-only connection
 * with the authorizer `plot` uses; the server sends one query at a time over stdin as
 * a JSON line, reads the answer from stdout, and SIGKILLs and restarts the child when
 * a query outlives its time.
 *
 * @module
 */
import { openReadOnly, returnArrays } from "../store/explore_reads.ts";
import type { ReadOnlyRecording } from "../store/explore_reads.ts";
import { prepareUserSql } from "../store/user_sql.ts";

/** A query for the child. */
export interface SqlRequest {
  id: number;
  sql: string;
  maxRows: number;
  /** The most bytes of JSON the rows may take. */
  maxBytes: number;
}

/** The child's answer: rows as arrays, or an error message. */
export type SqlAnswer =
  | { id: number; columns: string[]; rows: unknown[][]; truncated: boolean; ms: number }
  | { id: number; error: string; /** Killed for running past its time. */ stopped?: true };

/** A value as JSON can carry it: exact integers past 2^53 as text, blobs described. */
function toJson(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value >= -9007199254740991n && value <= 9007199254740991n
      ? Number(value)
      : String(value);
  }
  if (value instanceof Uint8Array) return `<blob, ${value.length} bytes>`;
  return value;
}

/** Runs one request on `db`; never throws. */
export function answer(db: ReadOnlyRecording, request: SqlRequest): SqlAnswer {
  const started = performance.now();
  try {
    const statement = prepareUserSql(db, request.sql);
    statement.setReadBigInts(true);
    returnArrays(statement);
    const columns = statement.columns().map((c) => c.name);
    const rows: unknown[][] = [];
    let bytes = 0, truncated = false;
    for (const row of statement.iterate() as Iterable<unknown[]>) {
      if (rows.length >= request.maxRows) {
        truncated = true;
        break;
      }
      const values = row.map(toJson);
      bytes += JSON.stringify(values).length;
      if (bytes > request.maxBytes) {
        truncated = true;
        break;
      }
      rows.push(values);
    }
    return { id: request.id, columns, rows, truncated, ms: performance.now() - started };
  } catch (error) {
    const message = (error as Error).message;
    return {
      id: request.id,
      error: message.startsWith("SQL error") ? message : `SQL error: ${message}`,
    };
  }
}

/** The child's loop: a request per stdin line, an answer per stdout line, until stdin ends. */
export async function serveSqlWorker(path: string): Promise<void> {
  const db = openReadOnly(path);
  const encoder = new TextEncoder();
  for await (const line of lines(Deno.stdin.readable)) {
    if (!line.trim()) continue;
    const reply = answer(db, JSON.parse(line) as SqlRequest);
    await Deno.stdout.write(encoder.encode(JSON.stringify(reply) + "\n"));
  }
  db.close();
}

/** How this program starts itself with other arguments: the binary, or Deno on the source. */
export function selfCommand(args: string[], readable: string): { command: string; args: string[] } {
  if (Deno.build.standalone) return { command: Deno.execPath(), args };
  const main = new URL("../main.ts", import.meta.url).pathname;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  return {
    command: Deno.execPath(),
    args: [
      "run",
      "--quiet",
      "--no-prompt",
      `--allow-read=${readable}`,
      `--config=${config}`,
      main,
      ...args,
    ],
  };
}

/** The server's side: one child, one query at a time, killed and restarted on a timeout. */
export class SqlRunner {
  #child: Deno.ChildProcess | null = null;
  #lines: AsyncIterator<string> | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #next = 0;

  constructor(readonly path: string, readonly timeoutMs: number) {}

  #start(): void {
    const { command, args } = selfCommand(["__explore-sql", this.path], this.path);
    this.#child = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout);
  }

  #kill(): void {
    try {
      this.#child?.kill("SIGKILL");
    } catch {
      // it exited already
    }
    this.#child?.status.catch(() => {});
    this.#child = null;
    this.#lines = null;
    this.#writer = null;
  }

  /** Runs a query; resolves with its answer, or an error answer when it timed out. */
  run(sql: string, maxRows: number, maxBytes: number): Promise<SqlAnswer> {
    const result = this.#queue.then(() => this.#run(sql, maxRows, maxBytes));
    this.#queue = result.catch(() => {});
    return result;
  }

  async #run(sql: string, maxRows: number, maxBytes: number): Promise<SqlAnswer> {
    if (!this.#child) this.#start();
    const id = ++this.#next;
    const request: SqlRequest = { id, sql, maxRows, maxBytes };
    await this.#writer!.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) =>
      timer = setTimeout(() => resolve(null), this.timeoutMs)
    );
    const reply = await Promise.race([this.#lines!.next(), timeout]);
    clearTimeout(timer);
    if (reply === null) {
      this.#kill(); // the next query starts a fresh child
      return {
        id,
        error: `the query ran longer than ${this.timeoutMs / 1000} s and was stopped`,
        stopped: true,
      };
    }
    if (reply.done) {
      this.#kill();
      return { id, error: "the query process ended unexpectedly" };
    }
    return JSON.parse(reply.value) as SqlAnswer;
  }

  close(): void {
    this.#kill();
  }
}

/** The lines of a byte stream, without their newlines. */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
}
