export interface RetryOptions {
  /** Total attempts, including the first. */
  attempts: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
  /** Only errors for which this returns true are retried. */
  retryable: (error: unknown) => boolean;
  /** A delay the failure asked for (e.g. Retry-After), used instead of the backoff when longer. */
  requestedDelayMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops retrying: no new attempt starts, and a wait between attempts ends at once. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** Waits `ms`; an aborted `signal` ends the wait at once with its reason. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Delay before attempt `attempt + 1`: exponential, capped, with "equal jitter"
 * (half fixed, half random) so that parallel runners spread out but never retry instantly.
 */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error, runs out of attempts,
 * or the next wait would pass the deadline. The last error is rethrown.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || options.signal?.aborted || !options.retryable(error)) throw error;
      const backoff = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, options.random);
      const delay = Math.max(backoff, options.requestedDelayMs?.(error) ?? 0);
      if (options.deadline !== undefined && now() + delay >= options.deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await wait(delay, options.signal);
    }
  }
}
