import { EXIT } from "../exit_codes.ts";
import { parseNumber } from "./options.ts";
import { bindOption, portOption, serveUntilStopped } from "./serving.ts";
import { defineCommand, flag, negatedFlag, option, OptionValueError } from "./spec.ts";

/** Opens `url` in the desktop's browser, quietly doing nothing where none can start. */
async function openBrowser(url: string): Promise<void> {
  try {
    const display = Deno.env.get("DISPLAY") || Deno.env.get("WAYLAND_DISPLAY");
    const opener = Deno.build.os === "darwin" ? "open" : display ? "xdg-open" : null;
    if (!opener) return;
    // the browser gets the caller's open-files limit, not the one Deno raised
    const { spawnAsCaller } = await import("../kernel/caller_limits.ts");
    const child = spawnAsCaller(
      new Deno.Command(opener, { args: [url], stdout: "null", stderr: "null" }),
    );
    await child.status;
  } catch {
    // no opener: the URL is printed
  }
}

/** `procpath explore`: the recording in an offline web UI served by procpath itself. */
export const exploreCommand = defineCommand({
  name: "explore",
  summary: "Explore a recording in a web UI served offline by procpath: charts, the process " +
    "tree at any moment, SQL.",
  args: [],
  options: {
    bind: bindOption,
    port: portOption(8000),
    browser: negatedFlag("--no-browser", "print the URL without opening a browser"),
    databaseFile: option({
      flags: "-d, --database-file <database-file>",
      help: "SQLite database made by procpath record",
      parse: (text: string) => text,
    }),
    queryTimeout: option({
      flags: "--query-timeout <seconds>",
      help: "stop an SQL query of the UI after this long",
      parse: parseNumber,
      default: 10,
    }),
    reinstall: flag(
      "--reinstall",
      "accepted for the reference's command lines; nothing to install",
    ),
    buildUrl: option({
      flags: "--build-url <build-url>",
      help: "accepted for the reference's command lines; the UI is built in",
      parse: (text: string) => text,
    }),
  },
  examples: [
    "procpath explore -d out.sqlite",
    "procpath explore -d out.sqlite --no-browser -p 0",
  ],
  /** Serves until Ctrl+C (or SIGTERM), then stops cleanly. */
  async run(_args, options, { deps }) {
    if (options.reinstall || options.buildUrl !== undefined) {
      deps.log.warning("--reinstall and --build-url are ignored: the web UI is part of procpath");
    }
    if (options.databaseFile === undefined) {
      throw new OptionValueError("explore needs a recording: -d DATABASE-FILE");
    }
    if (options.queryTimeout <= 0) {
      throw new OptionValueError("--query-timeout must be more than 0");
    }
    const { serveExplore } = await import("../explore/server.ts");
    return await serveUntilStopped(
      deps,
      {
        bind: options.bind,
        port: options.port,
        exposes: "and has the URL's token can read the recording",
      },
      () =>
        serveExplore({
          databaseFile: options.databaseFile!,
          hostname: options.bind,
          port: options.port,
          queryTimeoutMs: options.queryTimeout * 1000,
          maxRows: 10_000,
          maxBytes: 16 << 20,
        }),
      (server) => {
        deps.log.info(`Serving ${options.databaseFile} at ${server.url}`);
        deps.log.info("Press Ctrl+C to stop");
        if (options.browser) openBrowser(server.url);
      },
    );
  },
});

/** The child process `explore` runs its users' SQL in (see `explore/sql_worker.ts`). */
export const exploreSqlCommand = defineCommand({
  name: "__explore-sql",
  summary: "(internal) run explore's SQL queries read from stdin",
  args: [{ name: "database", help: "the recording", required: true }],
  options: {},
  examples: [],
  async run([database]) {
    const { serveSqlWorker } = await import("../explore/sql_worker.ts");
    await serveSqlWorker(database as string);
    return EXIT.ok;
  },
});
