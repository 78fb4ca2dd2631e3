/**
 * A problem with the workflow, the scenario or the rehearsal itself (unsupported feature, bad
 * expression, missing input). Printed as a message without a stack trace.
 */
export class RehearsalError extends Error {
  override name = 'RehearsalError';
}
