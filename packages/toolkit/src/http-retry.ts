import { UserError } from './errors';
import { retry } from './retry';
import { redact } from './secrets';

/**
 * Milliseconds a `Retry-After` header asks for: delta seconds or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  attempts: number;
}

export interface RequestWithRetryOptions {
  /** Names the service in messages ("Slack answered HTTP 400: ..."). */
  label: string;
  method?: string;
  /** Redirects are refused unless `follow` (a webhook that redirects is misconfigured). */
  redirect?: 'error' | 'follow';
  headers?: Record<string, string>;
  body?: string;
  /** Total attempts, including the first. */
  attempts: number;
  /** Budget for all attempts and waits together. */
  timeoutMs: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Extra retryable answers beyond 429 and 5xx (e.g. GitHub's rate-limit 403). */
  retryableStatus?: (status: number, headers: Headers) => boolean;
  /** A delay the answer asks for beyond Retry-After (e.g. a JSON `retry_after`, a rate-limit reset). */
  requestedDelayMs?: (status: number, headers: Headers, text: string) => number | undefined;
  onRetry?: (reason: string, attempt: number, delayMs: number) => void;
}

/** Longest part of a service's answer quoted in an error: enough to read, never a whole page. */
const QUOTE_LIMIT = 300;

/** A failed HTTP exchange, phrased for the person reading the log; quoted answers are truncated and redacted. */
export class HttpRequestError extends UserError {
  override name = 'HttpRequestError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
    readonly attempts = 1,
  ) {
    super(redact(message));
  }
}

function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '(empty body)';
  return oneLine.length > QUOTE_LIMIT ? `${oneLine.slice(0, QUOTE_LIMIT)}...` : oneLine;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/**
 * One HTTP request with bounded retries: 429 (honouring Retry-After), 5xx and network
 * errors are retried with backoff; other 4xx fail at once with the service's answer.
 * Never puts the URL in a message: webhook URLs are credentials.
 */
export async function requestWithRetry(url: string, options: RequestWithRetryOptions): Promise<HttpResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const label = options.label;
  let attempts = 0;
  try {
    return await retry(
      async (attempt) => {
        attempts = attempt;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new HttpRequestError(`${label} did not answer in time`, undefined, false, undefined);
        let response: Response;
        try {
          response = await fetch(url, {
            method: options.method ?? 'POST',
            headers: options.headers,
            body: options.body,
            signal: AbortSignal.timeout(remaining),
            redirect: options.redirect ?? 'error',
          });
        } catch (error) {
          const name = (error as { name?: string })?.name;
          if (name === 'TimeoutError' || name === 'AbortError') {
            throw new HttpRequestError(
              `${label} did not answer within ${Math.round(options.timeoutMs / 1000)}s`,
              undefined,
              false,
              undefined,
            );
          }
          throw new HttpRequestError(
            `${label} could not be reached: ${networkReason(error)}`,
            undefined,
            true,
            undefined,
          );
        }
        const text = await response.text().catch(() => '');
        if (response.status >= 200 && response.status < 300) {
          return { status: response.status, headers: response.headers, text, attempts };
        }
        const retryable =
          response.status === 429 ||
          response.status >= 500 ||
          (options.retryableStatus?.(response.status, response.headers) ?? false);
        const asked =
          parseRetryAfter(response.headers.get('retry-after')) ??
          options.requestedDelayMs?.(response.status, response.headers, text);
        throw new HttpRequestError(
          `${label} answered HTTP ${response.status}: ${quote(text)}`,
          response.status,
          retryable,
          asked,
        );
      },
      {
        attempts: options.attempts,
        baseDelayMs: options.baseDelayMs ?? 1000,
        maxDelayMs: options.maxDelayMs ?? 20_000,
        deadline,
        retryable: (error) => error instanceof HttpRequestError && error.retryable,
        requestedDelayMs: (error) => (error instanceof HttpRequestError ? error.retryAfterMs : undefined),
        onRetry: (error, attempt, delayMs) =>
          options.onRetry?.(error instanceof Error ? error.message : String(error), attempt, delayMs),
      },
    );
  } catch (error) {
    if (!(error instanceof HttpRequestError)) throw error;
    // Say why retrying stopped: a requested wait beyond the budget is not the same as running out of attempts.
    let why = '';
    if (error.retryable && attempts < options.attempts) {
      why =
        error.retryAfterMs !== undefined && Date.now() + error.retryAfterMs >= deadline
          ? ` (asked to retry after ${Math.ceil(error.retryAfterMs / 1000)}s, beyond the ${Math.round(options.timeoutMs / 1000)}s timeout)`
          : ' (out of time for another attempt)';
    } else if (error.retryable && attempts > 1) {
      why = ` (after ${attempts} attempts)`;
    }
    throw new HttpRequestError(`${error.message}${why}`, error.status, error.retryable, error.retryAfterMs, attempts);
  }
}
