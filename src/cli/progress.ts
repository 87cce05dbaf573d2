import type { IterationFigures } from "../record/record.ts";
import { terminalSize } from "./terminal.ts";

/** One iteration's figures for the status line: what the recording reports. */
export type ProgressFigures = IterationFigures;

// made on first use: `Intl` set-up costs ~13 ms, which every command would pay at start
let formats: { count: Intl.NumberFormat; size: Intl.NumberFormat } | undefined;
const format = () =>
  formats ??= {
    count: new Intl.NumberFormat("en-US"),
    size: new Intl.NumberFormat("en-US", {
      notation: "compact",
      style: "unit",
      unit: "byte",
      unitDisplay: "narrow",
    }),
  };

/** Formats the status line, e.g. `recording: 12 iterations, 36,012 rows, last 48 ms, 2.1MB`. */
export function formatProgress(figures: ProgressFigures): string {
  return `recording: ${counted(figures.iterations, "iteration")}, ${
    counted(figures.rows, "row")
  }, ` +
    `last ${Math.round(figures.lastMs)} ms, ${format().size.format(figures.bytes)}`;
}

/** `1 row`, `36,012 rows` (`36012 rows` with `plain`, for lines scripts read). */
export function counted(n: number, noun: string, plain = false): string {
  return `${plain ? n : format().count.format(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** A status line redrawn in place on a terminal; silent when `enabled` is false. */
export interface Progress {
  draw(figures: ProgressFigures): void;
  /** Erases the line, so that log lines start at column 0. */
  clear(): void;
}

/**
 * Creates the status line writer. `columns` gives the terminal's width now: the line
 * is cut to fit, as a wrapped line could not be redrawn in place.
 */
export function createProgress(
  write: (text: string) => void,
  enabled: boolean,
  columns: () => number = terminalColumns,
): Progress {
  let shown = false;
  return {
    draw(figures) {
      if (!enabled) return;
      const line = formatProgress(figures);
      // room is left for the "^C" a terminal echoes, so that stays on this row and is
      // cleared with it; a pseudo-terminal of unknown size reports 0 columns: nothing is cut
      const room = columns() > 10 ? columns() - 3 : Infinity;
      write(`\r\x1b[K${line.length > room ? line.slice(0, room - 1) + "…" : line}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      write("\r\x1b[K");
      shown = false;
    },
  };
}

const terminalColumns = () => terminalSize()?.columns ?? 0;
