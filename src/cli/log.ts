import { visible } from "../text/visible.ts";

/** Log levels by the names Python's `logging` uses, as `--logging-level` accepts them. */
export const LOG_LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = keyof typeof LOG_LEVELS;

/** Writes diagnostics, one line each, to stderr. */
export interface Logger {
  level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Formats a local time as `YYYY-MM-DD HH:MM:SS`, the reference's log date format. */
export function formatLogTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * Creates a logger whose lines read like the reference's:
 * `2026-11-21 23:32:00 WARNING procpath <message>`. Multi-line messages are folded
 * onto one line so every diagnostic stays one line, and control characters (ESC, BEL)
 * are shown as `\xHH`.
 */
export function createLogger(write: (line: string) => void, now: () => Date): Logger {
  const logger: Logger = {
    level: "INFO",
    debug: (message) => emit("DEBUG", message),
    info: (message) => emit("INFO", message),
    warning: (message) => emit("WARNING", message),
    error: (message) => emit("ERROR", message),
  };
  function emit(level: LogLevel, message: string) {
    if (LOG_LEVELS[level] < LOG_LEVELS[logger.level]) return;
    // one line, and nothing from process data that a terminal would act on
    const line = visible(message.replace(/\s*\n\s*/g, " "));
    write(`${formatLogTime(now())} ${level.padEnd(7)} procpath ${line}\n`);
  }
  return logger;
}
