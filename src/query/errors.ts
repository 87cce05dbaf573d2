import { EXIT } from "../exit_codes.ts";

/** A JSONPath expression or filter procpath cannot parse; the user can fix it (a failed run, exit 1, as the reference's). */
export class QuerySyntaxError extends SyntaxError {
  readonly exitCode = EXIT.failure;
  readonly expression: string;
  readonly position: number;
  constructor(message: string, options: { expression: string; position: number }) {
    super(message);
    this.name = "QuerySyntaxError";
    this.expression = options.expression;
    this.position = options.position;
  }
}
