/** An SQL statement the user wrote failed or was refused (syntax, unknown column, a write, …). */
import { RunFailure } from "../exit_codes.ts";
export class SqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlError";
  }
}

/** A file that is not a recording procpath can read, with why. */
export class RecordingError extends RunFailure {}
