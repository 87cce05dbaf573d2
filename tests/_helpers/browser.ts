/**
 * Headless Chromium driven over the DevTools protocol, for tests of what a browser
 * shows: plot's SVG charts and explore's web UI. Tests skip where Chromium is absent.
 */
import { readUntil } from "./processes.ts";

/** Debian's Chromium, where installed. */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/** A DevTools-protocol session with one page. */
export interface Page {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Evaluates an expression in the page and returns its value (awaiting a promise). */
  evaluate(expression: string): Promise<unknown>;
  /** Calls `handler` with the params of every event `method`. */
  on(method: string, handler: (params: Record<string, unknown>) => void): void;
  /** Waits until `expression` is true in the page, up to `ms`; returns whether it became so. */
  waitFor(expression: string, ms?: number): Promise<boolean>;
  /** A PNG screenshot of the viewport. */
  screenshot(): Promise<Uint8Array>;
}

async function connect(url: string): Promise<Page & { close(): void }> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, (value: Record<string, unknown>) => void>();
  const listeners = new Map<string, ((params: Record<string, unknown>) => void)[]>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result ?? { error: message.error });
    } else for (const handler of listeners.get(message.method) ?? []) handler(message.params);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression: string) => {
    const reply = await send("Runtime.evaluate", {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    return (reply.result as { value: unknown } | undefined)?.value;
  };
  return {
    send,
    evaluate,
    on(method, handler) {
      listeners.set(method, [...(listeners.get(method) ?? []), handler]);
    },
    async waitFor(expression, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (await evaluate(expression) === true) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    },
    async screenshot() {
      const shot = await send("Page.captureScreenshot", { format: "png" });
      return Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0));
    },
    close: () => socket.close(),
  };
}

/** Removes `dir`, retrying for up to 5 s: Chromium's helpers outlive it by a moment. */
async function removeProfile(dir: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      return await Deno.remove(dir, { recursive: true });
    } catch (error) {
      if (attempt === 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts headless Chromium at `url` in a `width`×`height` window, runs `use` with its
 * page (once it has loaded, or after 30 s), and stops the browser whatever happens.
 */
export async function withChromium<T>(
  url: string,
  size: { width: number; height: number },
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const profile = await Deno.makeTempDir({ prefix: "procpath-chromium-" });
  const browser = new Deno.Command(CHROMIUM!, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--hide-scrollbars",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      `--window-size=${size.width},${size.height}`,
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const port = (await readUntil(browser.stderr, /ws:\/\/127\.0\.0\.1:(\d+)\//)).match[1];
    let target: { webSocketDebuggerUrl: string } | undefined;
    for (let i = 0; i < 200 && !target; i++) {
      const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      target = targets.find((t: { type: string }) => t.type === "page");
      if (!target) await new Promise((r) => setTimeout(r, 100));
    }
    const page = await connect(target!.webSocketDebuggerUrl);
    try {
      await page.send("Page.enable");
      const loaded = new Promise((resolve) => page.on("Page.loadEventFired", resolve));
      await page.send("Page.navigate", { url });
      await Promise.race([loaded, new Promise((r) => setTimeout(r, 30_000))]);
      return await use(page);
    } finally {
      page.close();
    }
  } finally {
    browser.kill("SIGKILL");
    await browser.status;
    await removeProfile(profile);
  }
}
