/**
 * A command line the argument parser itself rejects (a missing required option, a value
 * of the wrong form): exit 2, as argparse's errors are in the reference.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A command that refused its input once running (an unknown plot query, a playbook
 * problem, a JSONPath selecting the wrong things): exit 1, as the reference's
 * `CommandError`.
 */
export class CommandError extends Error {
  readonly exitCode = 1;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CommandError";
  }
}
