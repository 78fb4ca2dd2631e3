/**
 * A mistake the user can fix (bad input, missing token, refused operation).
 * The entry wrapper prints its message as a plain `::error::`, never a stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
  /** Optional next step shown after the message. */
  readonly hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options?.hint;
  }
}

/** One or more action inputs were missing or malformed. */
export class InputError extends UserError {
  override name = 'InputError';
  readonly inputs: string[];
  constructor(problems: { input: string; message: string }[]) {
    super(
      problems.length === 1
        ? problems[0].message
        : `${problems.length} inputs are invalid:\n${problems.map((p) => `- ${p.message}`).join('\n')}`,
    );
    this.inputs = problems.map((p) => p.input);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
