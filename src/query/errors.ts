/** A JSONPath expression or filter procpath cannot parse; the user can fix it (exit 2). */
export class QuerySyntaxError extends SyntaxError {
  readonly expression: string;
  readonly position: number;
  constructor(message: string, options: { expression: string; position: number }) {
    super(message);
    this.name = "QuerySyntaxError";
    this.expression = options.expression;
    this.position = options.position;
  }
}
