export { type AnnotationProperties, exportVariable } from './commands';
export { isRunnerVariable, RUNNER_VARIABLE_PREFIXES, type RunContext, readRunContext } from './context';
export {
  checksumFor,
  downloadSource,
  restoreToolCache,
  saveToolCache,
  sha256File,
  TEST_SOURCES_FLAG,
  verifySha256,
} from './download';
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
export { logLines, neutralizeLine } from './log-lines';
export { lineSplitter, type ProcessResult, type RunProcessOptions, runProcess } from './process';
export { backoffDelay, type RetryOptions, retry, sleep } from './retry';
export { containsSecret, redact, registerSecret, resetSecretsForTesting, secretSourcesIn } from './secrets';
export { escapeCell, escapeMarkdown, Summary } from './summary';
export { cutGraphemes, graphemeBoundaries } from './text';
