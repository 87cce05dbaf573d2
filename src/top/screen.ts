import type { StopSignals } from "../signals/stop_signals.ts";
import { oneLine } from "../text/visible.ts";
import { displayWidth } from "../text/display_width.ts";
import { delay } from "../time/delay.ts";
import { collectRefreshGarbage } from "../runtime/young_gc.ts";
import { cutLine } from "../view/mod.ts";
import type { Effect, FrameLine, FrameParts, Interaction } from "./interaction.ts";
import type { TopColumn } from "./render.ts";
import type { ProcessRates } from "../model/rates.ts";

/** What `top` needs of the running program. */
export interface TopIo {
  pid: number;
  write(text: string): void;
  /** Unix ms. */
  now(): number;
  stop: StopSignals;
  /** The terminal's size now. */
  size(): { columns: number; rows: number };
  /** Key presses, one string each, in the live view; `null` in batch mode. */
  keys: AsyncIterable<string> | null;
  /** Called on every terminal resize. */
  onResize(listener: () => void): () => void;
}

/** What a full-screen view shows and how it answers keys and time. */
export interface ScreenView {
  /** The lines of one frame for a terminal of `columns`×`rows` (cut to fit here). */
  frame(columns: number, rows: number): FrameLine[];
  /** Handles a key: whether to quit, redraw, or ignore it. */
  key(key: string): "quit" | "redraw" | "ignore";
  /** Called every interval that no key interrupted; returns whether to redraw. */
  tick(): boolean;
}

const MIN_COLUMNS = 40, MIN_ROWS = 5;

/** The escape sequences around a line drawn in reverse video (the cursor row). */
const REVERSE = ["\x1b[7m", "\x1b[27m"] as const;
/** Around a tagged process's line: bold yellow, as htop draws one. */
const TAGGED = ["\x1b[1;33m", "\x1b[0m"] as const;

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
    // process data is made visible before any escape sequence of procpath's own is added,
    // and before the line is cut: `\n` shown as `\x0a` takes four columns of the row
    const lines = view.frame(columns, rows).slice(0, rows).map((line) => {
      const text = cutLine(oneLine(line.text), columns);
      const fill = " ".repeat(Math.max(0, columns - displayWidth(text)));
      if (line.reverse) return REVERSE[0] + text + fill + REVERSE[1];
      return line.tagged ? TAGGED[0] + text + TAGGED[1] : text;
    });
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
      if (interrupt.signal.aborted) continue;
      if (view.tick()) draw();
      // the refresh's reads, the previous rates and the frame's text are dead now: a
      // young collection finds little alive, where one halfway copies a refresh's records
      collectRefreshGarbage();
    }
  } finally {
    removeResize();
    io.write("\x1b[?25h\x1b[?1049l");
  }
  void keyLoop;
}

/** What feeds an interactive view: the live procfs or a recording. */
export interface ViewSource {
  /** The processes of the frame to draw. */
  rates(): readonly ProcessRates[];
  /** The status text and machine lines of a frame `width` wide. */
  parts(width: number): FrameParts;
  /** Keys the source answers before the view (a replay's steps). */
  key?(key: string): "redraw" | "ignore";
  /** A new sample every interval; returns whether to redraw. Not called while paused. */
  tick(): boolean;
  /**
   * Carries out a signal or a renice; returns the system's reason on failure (for a
   * signal, `PID: reason` of each process it failed for), else null.
   */
  act?(effect: Extract<Effect, { kind: "signal" | "renice" }>): string | null;
  /** The columns changed (`C`): read what they need from the next sample on. */
  columnsChanged?(columns: readonly TopColumn[]): void;
}

/** Joins an interaction and its source into a view `runScreen` runs. */
export function interactiveView(interaction: Interaction, source: ViewSource): ScreenView {
  return {
    frame: (columns, rows) =>
      interaction.frame(source.rates(), source.parts(columns), columns, rows),
    key(key) {
      if (interaction.mode.kind === "browse" && source.key?.(key) === "redraw") {
        interaction.message = null;
        return "redraw";
      }
      const effect = interaction.key(key);
      if (effect.kind === "signal" || effect.kind === "renice") {
        const failure = source.act?.(effect) ?? null;
        if (effect.kind === "signal") {
          const to = effect.pids.length === 1
            ? String(effect.pids[0])
            : `${effect.pids.length} processes`;
          interaction.message = failure === null
            ? `sent ${effect.signal} to ${to}`
            : `cannot send ${effect.signal} to ${failure}`;
        } else {
          const { pid } = effect;
          if (failure === null) interaction.reniced(pid, effect.nice);
          interaction.message = failure === null
            ? `${pid} now runs at nice ${effect.nice}`
            : `cannot renice ${pid} to ${effect.nice}: ${failure}`;
        }
        return "redraw";
      }
      if (effect.kind === "columns") {
        source.columnsChanged?.(effect.columns);
        return "redraw";
      }
      return effect.kind;
    },
    tick: () => !interaction.paused && source.tick(),
  };
}
