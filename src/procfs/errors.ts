/** Kernel text procpath cannot parse. The reader turns it into the file's empty value. */
export class ProcfsSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "ProcfsSyntaxError";
  }
}

/**
 * A file of a captured procfs tree that procpath refuses to read: not a regular file
 * (a FIFO would block, `/dev/zero` never ends) or larger than any procfile can be.
 * The reader treats it like unparsable text.
 */
export class UnsafeFileError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeFileError";
  }
}
