/** Kernel text procpath cannot parse. The reader turns it into the file's empty value. */
export class ProcfsSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = "ProcfsSyntaxError";
  }
}
