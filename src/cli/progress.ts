/** One iteration's figures for the status line. */
export interface ProgressFigures {
  iterations: number;
  rows: number;
  /** Cost of the last iteration, ms. */
  lastMs: number;
  /** Database size, bytes (main file and write-ahead log). */
  bytes: number;
}

const count = new Intl.NumberFormat("en-US");
const size = new Intl.NumberFormat("en-US", {
  notation: "compact",
  style: "unit",
  unit: "byte",
  unitDisplay: "narrow",
});

/** Formats the status line, e.g. `recording: 12 iterations, 36,012 rows, last 48 ms, 2.1MB`. */
export function formatProgress(figures: ProgressFigures): string {
  return `recording: ${count.format(figures.iterations)} iterations, ${
    count.format(figures.rows)
  } ` +
    `rows, last ${Math.round(figures.lastMs)} ms, ${size.format(figures.bytes)}`;
}

/** A status line redrawn in place on a terminal; silent when `enabled` is false. */
export interface Progress {
  draw(figures: ProgressFigures): void;
  /** Erases the line, so that log lines start at column 0. */
  clear(): void;
}

/** Creates the status line writer. */
export function createProgress(write: (text: string) => void, enabled: boolean): Progress {
  let shown = false;
  return {
    draw(figures) {
      if (!enabled) return;
      write(`\r\x1b[K${formatProgress(figures)}`);
      shown = true;
    },
    clear() {
      if (!shown) return;
      write("\r\x1b[K");
      shown = false;
    },
  };
}
