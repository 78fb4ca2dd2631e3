export { type AnnotationProperties, exportVariable } from './commands';
export { type RunContext, readRunContext } from './context';
export { formatDuration, parseDuration, toGoDuration } from './duration';
export { Outputs, runStep } from './entry';
export { errorMessage, InputError, isUserError, UserError } from './errors';
export {
  HttpRequestError,
  type HttpResult,
  parseRetryAfter,
  type RequestWithRetryOptions,
  requestWithRetry,
} from './http-retry';
export {
  type InputSpec,
  type InputSpecs,
  input,
  inputEnvName,
  type ParsedInputs,
  parseInputs,
  parseNameValues,
  splitList,
} from './inputs';
export { log } from './log';
export { lineSplitter, type ProcessResult, type RunProcessOptions, runProcess } from './process';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry';
export { containsSecret, redact, registerSecret, resetSecretsForTesting } from './secrets';
export { escapeCell, escapeMarkdown, Summary } from './summary';
export { cutGraphemes, graphemeBoundaries } from './text';
