/**
 * A command that refused its input once running (an unknown plot query, a playbook
 * problem, a JSONPath selecting the wrong things): exit 1, as the reference's
 * `CommandError`.
 */
import { EXIT } from "../exit_codes.ts";
export class CommandError extends Error {
  readonly exitCode = EXIT.failure;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandError";
  }
}
