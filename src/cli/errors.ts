/**
 * A command that refused its input once running (an unknown plot query, a playbook
 * problem, a JSONPath selecting the wrong things): exit 1, as the reference's
 * `CommandError`.
 */
import { RunFailure } from "../exit_codes.ts";
export class CommandError extends RunFailure {}
