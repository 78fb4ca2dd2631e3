import { HttpRequestError, registerSecret, requestWithRetry, UserError } from '@deploy-actions/toolkit';

export interface GitHubClientOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** GITHUB_API_URL; https://api.github.com by default. */
  apiUrl?: string;
  /** Attempts per request, including the first (default 3). */
  attempts?: number;
  /** Budget per request, retries included (default 30s). */
  timeoutMs?: number;
  /** First backoff delay (default 1s). */
  baseDelayMs?: number;
  /** Absolute time (ms since epoch) after which no request starts and budgets are cut to fit. */
  deadline?: number;
}

/** A GitHub API call that failed; the hint says which permission or token to check. */
export class GitHubApiError extends UserError {
  override name = 'GitHubApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    hint?: string,
  ) {
    super(message, { hint });
  }
}

function permissionFor(path: string): string {
  if (path.includes('/deployments')) return '`permissions: deployments: write`';
  if (path.includes('/issues')) return '`permissions: pull-requests: write` (or `issues: write`)';
  return '`permissions: contents: read`';
}

function hintFor(status: number | undefined, path: string): string | undefined {
  if (status === 401) return 'The GitHub token was refused: pass `github-token: ${{ github.token }}` or a valid token.';
  if (status === 403 || status === 404) {
    return `The token cannot reach this resource: give the job ${permissionFor(path)}; a token from a fork or Dependabot run is read-only.`;
  }
  return undefined;
}

/**
 * A small GitHub REST client over fetch for one repository: no octokit to load, retries
 * for 5xx, 429 and rate-limit 403s (honouring Retry-After and the rate-limit reset).
 */
export class GitHubClient {
  readonly apiUrl: string;
  readonly repository: string;
  private readonly token: string;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly deadline?: number;

  constructor(options: GitHubClientOptions) {
    registerSecret(options.token);
    this.token = options.token;
    this.repository = options.repository;
    this.apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.attempts = options.attempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.deadline = options.deadline;
  }

  /** Calls `/repos/{owner}/{repo}{path}`. */
  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<T> {
    const url = new URL(`${this.apiUrl}/repos/${this.repository}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, String(v));
    const budget = this.deadline === undefined ? this.timeoutMs : Math.min(this.timeoutMs, this.deadline - Date.now());
    if (budget <= 0)
      throw new GitHubApiError(`GitHub API (${method} ${path}): out of time before the request`, undefined);
    try {
      const result = await requestWithRetry(url.toString(), {
        label: `GitHub API (${method} ${path})`,
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'deploy-actions',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        attempts: this.attempts,
        timeoutMs: budget,
        baseDelayMs: this.baseDelayMs,
        retryableStatus: (status, headers) =>
          status === 403 && (headers.get('x-ratelimit-remaining') === '0' || headers.has('retry-after')),
        requestedDelayMs: (_status, headers) => {
          const reset = Number(headers.get('x-ratelimit-reset'));
          return headers.get('x-ratelimit-remaining') === '0' && reset > 0
            ? Math.max(0, reset * 1000 - Date.now())
            : undefined;
        },
      });
      return (result.text === '' ? undefined : JSON.parse(result.text)) as T;
    } catch (error) {
      if (error instanceof HttpRequestError) {
        throw new GitHubApiError(error.message, error.status, hintFor(error.status, path));
      }
      throw error;
    }
  }

  /** Every item of a paged list, up to `maxPages` pages of 100. */
  async list<T>(path: string, query: Record<string, string | number> = {}, maxPages = 10): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const batch = await this.request<T[]>('GET', path, undefined, { ...query, per_page: 100, page });
      items.push(...batch);
      if (batch.length < 100) break;
    }
    return items;
  }
}
