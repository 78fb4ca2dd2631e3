import { UserError } from '@deploy-actions/toolkit';

/**
 * A channel is requested as soon as one of its inputs is set. When the rest of its
 * configuration is missing it fails on its own, naming the input, like any other channel
 * failure: a half-configured email must not stop the Slack message (or fail the deploy).
 */
export function missingInput(input: string, why: string): UserError {
  return new UserError(`Input '${input}' is empty: ${why}`);
}
