import { EXIT } from "../exit_codes.ts";
import { listenForStop } from "../signals/stop_signals.ts";
import type { CliDeps } from "./deps.ts";
import { CommandError } from "./errors.ts";
import { option, OptionValueError } from "./spec.ts";

/** `-b, --bind` of the commands that serve HTTP: loopback unless told otherwise. */
export const bindOption = option({
  flags: "-b, --bind <bind>",
  help: "address to listen on; anything but loopback is warned about",
  parse: (text: string) => text,
  default: "127.0.0.1",
  defaultText: '"127.0.0.1"',
});

/** `-p, --port` with its default; 0 picks a free port. */
export const portOption = (port: number) =>
  option({
    flags: "-p, --port <port>",
    help: "port to listen on; 0 picks a free one",
    parse: (text: string) => {
      const value = Number(text);
      if (!/^\d+$/.test(text.trim()) || value > 65535) {
        throw new OptionValueError("expected a port from 0 to 65535");
      }
      return value;
    },
    default: port,
  });

/** A server a command started: where it is, and how to stop it. */
export interface Served {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a server (warning when it listens beyond loopback: `exposes` says what a
 * stranger could read), says where it is, and serves until Ctrl+C, SIGTERM or SIGHUP.
 * A taken port is one clear line.
 */
export async function serveUntilStopped(
  deps: CliDeps,
  listen: { bind: string; port: number; exposes: string },
  start: () => Served,
  started: (server: Served) => void,
): Promise<number> {
  if (!["127.0.0.1", "localhost", "::1"].includes(listen.bind)) {
    deps.log.warning(`listening on ${listen.bind}: anyone who can reach it ${listen.exposes}`);
  }
  const stop = listenForStop();
  try {
    let server: Served;
    try {
      server = start();
    } catch (error) {
      if (error instanceof Deno.errors.AddrInUse) {
        throw new CommandError(`port ${listen.port} is in use: pick another with -p (0: any)`);
      }
      throw error;
    }
    started(server);
    await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
    await server.close();
    return EXIT.ok;
  } finally {
    stop.dispose();
  }
}
