import { assertEquals, assertIncludes } from "../_helpers/assert.ts";
import { fixture, runProcpath } from "../_helpers/run_procpath.ts";
import { decodePng } from "../_helpers/png.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/** Removes `dir`, retrying for up to 5 s: Chromium's helper processes outlive the browser
 * by a moment and may still be writing its profile there. */
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

/** A minimal DevTools-protocol client over the page's WebSocket. */
async function devtools(url: string) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  let id = 0;
  const pending = new Map<number, (value: Record<string, unknown>) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message.result ?? { error: message.error });
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      pending.set(++id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  const evaluate = async (expression: string) =>
    ((await send("Runtime.evaluate", { expression, returnByValue: true })).result as {
      value: unknown;
    }).value;
  return { send, evaluate, close: () => socket.close() };
}

Deno.test({
  name:
    "a plot opened in headless Chromium paints, shows tooltips on hover and toggles series from the legend",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "procpath-plot-" });
    const db = `${dir}/out.sqlite`, svg = `${dir}/rss.svg`;
    assertEquals(
      (await runProcpath([
        "record",
        "--procfs",
        fixture("browser"),
        "-d",
        db,
        "-r",
        "4",
        "-i",
        "0.3",
      ])).code,
      0,
    );
    const plot = await runProcpath([
      "plot",
      "-d",
      db,
      "-f",
      svg,
      "-q",
      "rss",
      "-q",
      "cpu",
      "-p",
      "1,100,106,109",
    ]);
    assertEquals([plot.code, plot.stderr], [0, ""]);

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
        `--user-data-dir=${dir}/profile`,
        "--remote-debugging-port=0",
        "--window-size=1000,800",
        `file://${svg}`,
      ],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const reader = browser.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let log = "";
      while (!/ws:\/\/[^\s]+/.test(log)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`chromium exited: ${log}`);
        log += value;
      }
      reader.releaseLock();
      const port = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(log)![1];
      let page: { webSocketDebuggerUrl: string; url: string } | undefined;
      for (let i = 0; i < 200 && !page; i++) {
        const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
        page = targets.find((t: { type: string; url: string }) =>
          t.type === "page" && t.url.endsWith(".svg")
        );
        if (!page) await new Promise((r) => setTimeout(r, 100));
      }
      const cdp = await devtools(page!.webSocketDebuggerUrl);
      // the target lists the file's URL before the navigation commits, while the initial
      // about:blank document is still current and already "complete": wait for the SVG itself
      const loaded =
        "location.protocol === 'file:' && document.documentElement?.localName === 'svg'" +
        " && document.readyState === 'complete'";
      for (let i = 0; i < 300 && await cdp.evaluate(loaded) !== true; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(await cdp.evaluate(loaded), true, "the SVG document did not load");
      assertEquals(await cdp.evaluate("document.querySelectorAll('.line').length"), 8);
      assertEquals(await cdp.evaluate("document.querySelectorAll('.item').length"), 8);

      // hover the first vertex of the first line: the tooltip names series, time and value
      const tip = await cdp.evaluate(`(() => {
        const path = document.querySelector('.line'), [x, y] = path.getAttribute('d').slice(1).split(/[ L]/).map(Number);
        const point = document.documentElement.createSVGPoint(); point.x = x; point.y = y;
        const screen = point.matrixTransform(path.getScreenCTM());
        path.dispatchEvent(new MouseEvent('mousemove', { clientX: screen.x, clientY: screen.y, bubbles: true }));
        const tip = document.getElementById('tip');
        return [tip.style.display, [...tip.querySelectorAll('tspan')].map((t) => t.textContent)];
      })()`) as [string, string[]];
      assertEquals(tip[0], "block");
      assertEquals(tip[1][0], "rss 1 (systemd)");
      assertEquals(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(tip[1][1]), true, tip[1][1]);
      assertEquals(tip[1][2], "11.7");

      // clicking a legend entry hides its series; clicking again shows it
      const toggled = await cdp.evaluate(`(() => {
        const item = document.querySelectorAll('.item')[2], group = document.querySelectorAll('.series > g')[2];
        item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        const hidden = group.style.display;
        item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
        return [hidden, group.style.display, item.textContent];
      })()`);
      assertEquals(toggled, ["none", "", "rss 106 Web Content"]);

      const shot = await cdp.send("Page.captureScreenshot", { format: "png" });
      const image = await decodePng(
        Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0)),
      );
      let painted = 0, blue = 0;
      for (let i = 0; i < image.pixels.length; i += image.channels) {
        const [r, g, b] = image.pixels.subarray(i, i + 3);
        if (r < 240 || g < 240 || b < 240) painted++;
        if (Math.abs(r - 0x1f) < 20 && Math.abs(g - 0x77) < 20 && Math.abs(b - 0xb4) < 20) blue++;
      }
      assertEquals(image.width >= 900, true);
      assertEquals(painted > 5000, true, `${painted} painted pixels`);
      assertEquals(blue > 50, true, `${blue} pixels of the first series' colour`);
      cdp.close();
    } finally {
      browser.kill("SIGKILL");
      await browser.status;
      await removeProfile(dir);
    }
  },
});

Deno.test("procpath plot writes escaped, well-formed SVG for the README's commands", async () => {
  const dir = await Deno.makeTempDir();
  const db = `${dir}/out.sqlite`;
  assertEquals(
    (await runProcpath(["record", "--procfs", fixture("browser"), "-d", db, "-r", "3", "-i", "0"]))
      .code,
    0,
  );
  for (
    const args of [["-q", "rss", "-e", "0.5", "-w", "10"], ["-q", "rss", "-q", "cpu"], [
      "-q",
      "rss",
      "-q",
      "cpu",
      "-q",
      "wait",
      "-s",
      "-l",
      "--relative-time",
      "--style",
      "DarkStyle",
      "--formatter",
      "integer",
      "--no-dots",
    ]]
  ) {
    const out = `${dir}/plot.svg`;
    const { code, stderr } = await runProcpath(["plot", "-d", db, "-f", out, ...args]);
    assertEquals([code, stderr], [0, ""], args.join(" "));
    const text = Deno.readTextFileSync(out);
    assertIncludes(text, '<svg xmlns="http://www.w3.org/2000/svg" viewBox=');
    assertIncludes(text, "(a) b)");
  }
  await Deno.remove(dir, { recursive: true });
});
