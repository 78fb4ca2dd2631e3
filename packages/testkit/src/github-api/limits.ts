/**
 * GitHub's rate limits as a token meets them (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api):
 * every answer carries the x-ratelimit-* headers; past a limit the request is refused with 403.
 */
import type { GitHubApiOptions } from './api';
import { HttpError } from './http';

const HOUR = 3_600_000;

export class RateLimits {
  // Primary limit: a fixed hourly window per token (#primary-rate-limit-for-github_token-in-github-actions:
  // 1,000 an hour).
  readonly rate: { limit: number; remaining: number; resetAt: number };
  // Secondary limit on content creation: "no more than 80 content-generating requests per minute and
  // no more than 500 content-generating requests per hour" (same page, #about-secondary-rate-limits).
  readonly #secondary: { perMinute: number; perHour: number };
  readonly #minute: number;
  readonly #retryAfter: number | undefined;
  #writes: number[] = [];

  constructor(options: GitHubApiOptions) {
    const limit = options.rateLimit ?? 1000;
    this.rate = { limit, remaining: limit, resetAt: Date.now() + HOUR };
    this.#secondary = options.secondaryLimit ?? { perMinute: 80, perHour: 500 };
    this.#minute = options.secondaryWindowMs ?? 60_000;
    this.#retryAfter = options.secondaryRetryAfter;
  }

  /** The x-ratelimit-* headers of an answer (a new window once the last one has reset). */
  headers(): Record<string, string> {
    const { rate } = this;
    if (Date.now() >= rate.resetAt) {
      rate.remaining = rate.limit;
      rate.resetAt = Date.now() + HOUR;
    }
    return {
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-used': String(rate.limit - rate.remaining),
      'x-ratelimit-reset': String(Math.ceil(rate.resetAt / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Counts one request against the limits, or refuses it as GitHub does. */
  charge(method: string, path: string): void {
    this.headers();
    if (this.rate.remaining <= 0) {
      // "you will receive a 403 or 429 response, and the x-ratelimit-remaining header will be 0"
      throw new HttpError(
        403,
        `API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.`,
        { documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      );
    }
    this.rate.remaining--;
    const creates = method !== 'GET' && method !== 'HEAD' && path !== '/graphql';
    if (creates) this.#chargeWrite();
  }

  #chargeWrite(): void {
    const at = Date.now();
    const minute = this.#minute;
    this.#writes = this.#writes.filter((t) => t > at - 60 * minute);
    const lastMinute = this.#writes.filter((t) => t > at - minute).length;
    if (lastMinute >= this.#secondary.perMinute || this.#writes.length >= this.#secondary.perHour) {
      throw new HttpError(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        {
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        this.#retryAfter === undefined ? {} : { 'retry-after': String(this.#retryAfter) },
      );
    }
    this.#writes.push(at);
  }

  /** Sets what is left of the primary limit (and optionally when it resets). */
  set(remaining: number, resetInMs?: number): void {
    this.rate.remaining = remaining;
    if (resetInMs !== undefined) this.rate.resetAt = Date.now() + resetInMs;
  }

  /** A fresh window and no writes counted. */
  reset(): void {
    this.#writes = [];
    this.rate.remaining = this.rate.limit;
    this.rate.resetAt = Date.now() + HOUR;
  }
}
