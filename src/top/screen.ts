import { visible } from "../text/visible.ts";
import { delay } from "../time/delay.ts";
import { cutLine } from "../view/mod.ts";
import type { TopIo } from "./top.ts";

/** What a full-screen view shows and how it answers keys and time. */
export interface ScreenView {
  /** The lines of one frame for a terminal of `columns`×`rows` (cut to fit here). */
  frame(columns: number, rows: number): string[];
  /** Handles a key: whether to quit, redraw, or ignore it. */
  key(key: string): "quit" | "redraw" | "ignore";
  /** Called every interval that no key interrupted; returns whether to redraw. */
  tick(): boolean;
}

const MIN_COLUMNS = 40, MIN_ROWS = 5;

/**
 * Runs a view on the terminal's alternate screen (the user's terminal comes back as
 * it was), the cursor hidden: a frame at once, on every key it redraws for, on
 * resize, and every `interval` seconds the view asks for; until a key quits or a
 * signal stops it.
 */
export async function runScreen(io: TopIo, interval: number, view: ScreenView): Promise<void> {
  let quit = false;
  const draw = () => {
    const { columns, rows } = io.size();
    if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
      io.write(`\x1b[H\x1b[2Jterminal too small: procpath top needs ${MIN_COLUMNS}×${MIN_ROWS}`);
      return;
    }
    const lines = view.frame(columns, rows).slice(0, rows)
      .map((line) => visible(cutLine(line, columns)));
    io.write(`\x1b[H${lines.map((line) => line + "\x1b[K").join("\r\n")}\x1b[J`);
  };
  io.write("\x1b[?1049h\x1b[?25l");
  const removeResize = io.onResize(draw);
  const waker: { wake: (() => void) | null } = { wake: null };
  const keyLoop = (async () => {
    for await (const key of io.keys!) {
      const answer = view.key(key);
      if (answer === "ignore") continue;
      if (answer === "quit") quit = true;
      else draw();
      waker.wake?.();
      if (quit) break;
    }
  })();
  try {
    draw();
    while (!quit && !io.stop.requested) {
      const interrupt = new AbortController();
      waker.wake = () => interrupt.abort();
      await delay(interval * 1000, AbortSignal.any([interrupt.signal, io.stop.signal]));
      waker.wake = null;
      if (quit || io.stop.requested) break;
      if (!interrupt.signal.aborted && view.tick()) draw();
    }
  } finally {
    removeResize();
    io.write("\x1b[?25h\x1b[?1049l");
  }
  void keyLoop;
}
