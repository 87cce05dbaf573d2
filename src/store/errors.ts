/** An SQL statement the user wrote failed or was refused (syntax, unknown column, a write, …). */
export class SqlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlError";
  }
}
