import { log, redact, registerSecret, sleep, UserError } from '@deploy-actions/toolkit';
import type { Octokit } from './octokit';

export interface GitHubClientOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** GITHUB_API_URL; https://api.github.com by default. */
  apiUrl?: string;
  /** Attempts per request, including the first (default 3). */
  attempts?: number;
  /** Budget per call, retries and rate-limit waits included (default 30s). */
  timeoutMs?: number;
  /** First backoff delay (default 1s). */
  baseDelayMs?: number;
  /** Absolute time (ms since epoch) after which no request starts and budgets are cut to fit. */
  deadline?: number;
  /** Time between two writes (default 1s, GitHub's advice; tests shorten it). */
  writeIntervalMs?: number;
}

/** A GitHub API call that failed; the hint says what to check (a permission, the token, the rate limit). */
export class GitHubApiError extends UserError {
  override name = 'GitHubApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    hint?: string,
    readonly rateLimited = false,
  ) {
    super(redact(message), { hint });
  }
}

interface RequestErrorLike {
  name?: string;
  status?: number;
  message?: string;
  cause?: { code?: string; message?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

/** Longest part of an answer quoted in an error: enough to read, never a whole page. */
const QUOTE_LIMIT = 300;

function permissionFor(path: string): string {
  if (path.includes('/deployments')) return '`permissions: deployments: write`';
  if (path.includes('/issues')) return '`permissions: pull-requests: write` (or `issues: write`)';
  return '`permissions: contents: read`';
}

/**
 * Whether a 403/429 is a rate limit rather than a refusal: primary limits say so in
 * `x-ratelimit-remaining: 0`, secondary ones in their message ("You have exceeded a secondary
 * rate limit"), docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#rate-limit-errors.
 */
function isRateLimit(e: RequestErrorLike): boolean {
  if (e.status !== 403 && e.status !== 429) return false;
  const headers = e.response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(answerText(e.response?.data));
}

function hintFor(status: number | undefined, path: string): string | undefined {
  if (status === 401) return 'The GitHub token was refused: pass `github-token: ${{ github.token }}` or a valid token.';
  if (status === 403 || status === 404) {
    return `The token cannot reach this resource: give the job ${permissionFor(path)}; a token from a fork or Dependabot run is read-only.`;
  }
  return undefined;
}

/** GitHub's error body: `message`, and for 422 the details in `errors[]` (resource, field, code, message). */
function answerText(data: unknown): string {
  if (typeof data === 'string') return data;
  const body = (data ?? {}) as { message?: unknown; errors?: unknown };
  const details = Array.isArray(body.errors)
    ? body.errors.map((e) =>
        typeof e === 'string' ? e : [e?.message, e?.field && `field ${e.field}`, e?.code].filter(Boolean).join(', '),
      )
    : [];
  return [typeof body.message === 'string' ? body.message : JSON.stringify(data ?? ''), ...details].join(': ');
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > QUOTE_LIMIT ? `${line.slice(0, QUOTE_LIMIT)}...` : line;
}

/** When a rate limit lifts, in words, from the answer's headers. */
function rateLimitWait(e: RequestErrorLike): string {
  const headers = e.response?.headers ?? {};
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && reset > 0) {
    return `it resets at ${new Date(reset * 1000).toISOString()}`;
  }
  const after = Number(headers['retry-after']);
  return `GitHub asks to wait ${after > 0 ? after : 60}s`;
}

/**
 * The GitHub REST API for one repository, through Octokit (loaded on first use): primary and
 * secondary rate limits waited out when the wait fits the budget, writes paced, 5xx and network
 * failures retried for requests that are safe to repeat, and errors phrased with a hint.
 */
export class GitHubClient {
  readonly apiUrl: string;
  readonly repository: string;
  private readonly token: string;
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly baseDelayMs: number;
  private readonly deadline?: number;
  private readonly writeIntervalMs?: number;
  private octokit?: Promise<Octokit>;
  private viewerLogin?: Promise<string | undefined>;
  /** The end of the call under way: rate-limit waits beyond it are refused. */
  private callEnd = 0;

  constructor(options: GitHubClientOptions) {
    registerSecret(options.token);
    this.token = options.token;
    this.repository = options.repository;
    this.apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.attempts = options.attempts ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.deadline = options.deadline;
    this.writeIntervalMs = options.writeIntervalMs;
  }

  private load(): Promise<Octokit> {
    this.octokit ??= import('./octokit').then(({ createOctokit }) =>
      createOctokit({
        token: this.token,
        baseUrl: this.apiUrl,
        baseDelayMs: this.baseDelayMs,
        retries: this.attempts - 1,
        writeIntervalMs: this.writeIntervalMs,
        debug: (message) => log.debug(`GitHub API: ${message}`),
        shouldWait: (retryAfterS, retryCount) =>
          retryCount < this.attempts - 1 && Date.now() + retryAfterS * 1000 < this.callEnd,
      }),
    );
    return this.octokit;
  }

  /** Runs one call within its budget; `label` names it in errors. */
  private async within<T>(label: string, path: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const budget = this.deadline === undefined ? this.timeoutMs : Math.min(this.timeoutMs, this.deadline - Date.now());
    if (budget <= 0) throw new GitHubApiError(`GitHub API (${label}): out of time before the request`, undefined);
    const controller = new AbortController();
    this.callEnd = Date.now() + budget;
    const timer = setTimeout(() => controller.abort(), budget);
    try {
      return await call(controller.signal);
    } catch (error) {
      throw this.explain(error as RequestErrorLike, label, path, budget);
    } finally {
      clearTimeout(timer);
    }
  }

  private explain(e: RequestErrorLike, label: string, path: string, budgetMs: number): Error {
    if (e instanceof GitHubApiError) return e;
    if (e.name === 'AbortError') {
      return new GitHubApiError(
        `GitHub API (${label}) did not answer within ${Math.round(budgetMs / 1000)}s`,
        undefined,
      );
    }
    if (e.status === undefined) return e as Error;
    if (e.status === 500 && !e.response) {
      const cause = e.cause?.code ?? e.cause?.message ?? e.message;
      return new GitHubApiError(`GitHub API (${label}) could not be reached: ${cause}`, undefined);
    }
    const answer = `GitHub API (${label}) answered HTTP ${e.status}: ${quote(answerText(e.response?.data))}`;
    if (isRateLimit(e)) {
      return new GitHubApiError(
        `${answer} (rate limited: ${rateLimitWait(e)}, beyond this step's time left)`,
        e.status,
        'This is GitHub rate-limiting the token, not a permission problem: re-run the job later, or give the step a longer `timeout`.',
        true,
      );
    }
    return new GitHubApiError(answer, e.status, hintFor(e.status, path));
  }

  /**
   * Calls `/repos/{owner}/{repo}{path}`. GETs, PATCHes and PUTs are retried after 5xx and
   * network errors; a POST is sent once (use `create` for POSTs that must not be repeated blindly).
   */
  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<T> {
    const label = `${method} ${path}`;
    return this.within(label, path, async (signal) => {
      const octokit = await this.load();
      const response = await octokit.request(`${method} /repos/${this.repository}${path}`, {
        ...query,
        ...(body === undefined ? {} : { data: body }),
        // The retry plugin repeats 5xx and network failures; a POST is never repeated blindly.
        request: method === 'POST' ? { signal, retries: 0 } : { signal },
      });
      return response.data as T;
    });
  }

  /**
   * Items of a paged list, following GitHub's `Link` headers 100 at a time, until `until` returns
   * true for an item (that item included) or `maxPages` pages were read.
   */
  async list<T>(
    path: string,
    query: Record<string, string | number> = {},
    options: { maxPages?: number; until?: (item: T) => boolean | Promise<boolean> } = {},
  ): Promise<T[]> {
    return this.within(`GET ${path}`, path, async (signal) => {
      const octokit = await this.load();
      const items: T[] = [];
      let pages = 0;
      const iterator = octokit.paginate.iterator(`GET /repos/${this.repository}${path}`, {
        ...query,
        per_page: 100,
        request: { signal },
      });
      for await (const page of iterator) {
        for (const item of page.data as T[]) {
          items.push(item);
          if (await options.until?.(item)) return items;
        }
        if (++pages >= (options.maxPages ?? Number.POSITIVE_INFINITY)) break;
      }
      return items;
    });
  }

  /**
   * A POST that must not create a duplicate: after a 5xx or a network failure GitHub may have
   * created the object anyway (a proxy answering 502 after the write), so `find` looks for it
   * before the next attempt.
   */
  async create<T>(path: string, body: unknown, find: () => Promise<T | undefined>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request<T>('POST', path, body);
      } catch (error) {
        const status = (error as GitHubApiError).status;
        const uncertain = error instanceof GitHubApiError && (status === undefined || status >= 500);
        const outOfTime = this.deadline !== undefined && Date.now() >= this.deadline;
        if (!uncertain || attempt >= this.attempts || outOfTime || /did not answer/.test(error.message)) throw error;
        const found = await find();
        if (found !== undefined) return found;
        await sleep(this.baseDelayMs * attempt * attempt);
      }
    }
  }

  /**
   * The login the token acts as (GraphQL `viewer`; a REST `/user` call is refused to
   * installation tokens such as GITHUB_TOKEN). Bots' logins end in `[bot]` in REST answers
   * (`github-actions[bot]`) and may not in GraphQL: compare with `sameLogin`.
   */
  viewer(): Promise<string | undefined> {
    this.viewerLogin ??= this.within('POST /graphql', '/graphql', async (signal) => {
      const octokit = await this.load();
      const data = await octokit.graphql<{ viewer?: { login?: string } }>('query { viewer { login } }', {
        request: { signal },
      });
      return data.viewer?.login || undefined;
    });
    return this.viewerLogin;
  }
}

/** Whether two logins are the same account, a bot's `[bot]` suffix aside. */
export function sameLogin(a: string | undefined, b: string | undefined): boolean {
  const bare = (login: string | undefined) => (login ?? '').replace(/\[bot\]$/i, '').toLowerCase();
  return bare(a) !== '' && bare(a) === bare(b);
}
