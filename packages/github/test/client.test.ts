import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApiError, GitHubClient, type GitHubClientOptions, sameLogin } from '../src/index';

let api: GitHubApi;
let paced: GitHubApi;

beforeAll(async () => {
  [api, paced] = await Promise.all([
    startGitHubApi({ repository: 'acme/shop' }),
    // GitHub's 80-a-minute secondary limit, scaled down: 5 writes a second.
    startGitHubApi({
      repository: 'acme/shop',
      secondaryLimit: { perMinute: 5, perHour: 500 },
      secondaryWindowMs: 1_000,
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([api.close(), paced.close()]);
});
afterEach(() => {
  api.reset();
  paced.reset();
});

function client(on: GitHubApi, extra: Partial<GitHubClientOptions> = {}): GitHubClient {
  return new GitHubClient({
    token: on.token,
    repository: 'acme/shop',
    apiUrl: on.url,
    baseDelayMs: 10,
    writeIntervalMs: 10,
    ...extra,
  });
}

/** The error a call rejected with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined as unknown as GitHubApiError,
    (e: GitHubApiError) => e,
  );

const status = (c: GitHubClient, id: number, state = 'success') =>
  c.request('POST', `/deployments/${id}/statuses`, { state, description: '' });

describe('rate limits', () => {
  it('fails at once on a primary limit that resets after the budget, saying so and not blaming permissions', async () => {
    api.setRate(0, 3_600_000);
    const error = await failure(client(api, { timeoutMs: 5_000 }).request('GET', '/deployments'));
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error.message).toMatch(/HTTP 403: API rate limit exceeded.*rate limited: it resets at/);
    expect(error.hint).toMatch(/rate-limiting the token, not a permission problem/);
    expect(error.hint).not.toMatch(/permissions:/);
    expect(api.requests).toHaveLength(1);
  });

  it('retries a secondary limit after the Retry-After it names, and names it when it is too long', async () => {
    const d = api.seedDeployment({ environment: 'staging' });
    const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    api.failNext({ status: 403, body: { message }, headers: { 'retry-after': '1' } }, { method: 'POST' });
    await status(client(api), d.id);
    expect(api.requests.map((r) => r.status)).toEqual([403, 201]);
    expect(api.requests[1].receivedAt - api.requests[0].receivedAt).toBeGreaterThanOrEqual(900);

    // Without Retry-After GitHub says to wait at least a minute: beyond a 5 s budget, so it stops and says why.
    api.failNext({ status: 403, body: { message } }, { method: 'POST' });
    const error = await failure(status(client(api, { timeoutMs: 5_000 }), d.id));
    expect(error.message).toMatch(/secondary rate limit.*GitHub asks to wait 60s/);
    expect(error.hint).toMatch(/not a permission problem/);
  });

  it('paces a burst of writes under the secondary limit instead of running into it', async () => {
    const d = paced.seedDeployment({ environment: 'pr-7' });
    const c = client(paced, { writeIntervalMs: 250, timeoutMs: 20_000 });
    for (let i = 0; i < 12; i++) await status(c, d.id, i % 2 ? 'success' : 'in_progress');
    expect(paced.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(paced.state.statuses).toHaveLength(12);

    // The same burst unpaced is what GitHub refuses.
    const burst = client(paced, { writeIntervalMs: 0, attempts: 1 });
    paced.reset();
    const e = paced.seedDeployment({ environment: 'pr-8' });
    const answers = await Promise.allSettled(Array.from({ length: 12 }, () => status(burst, e.id)));
    expect(answers.some((a) => a.status === 'rejected')).toBe(true);
  });
});

describe('requests that must not repeat', () => {
  it('looks for the object a 502 may have hidden before posting again', async () => {
    const c = client(api);
    api.failNext({ status: 502, body: { message: 'Bad gateway' }, afterHandling: true }, { method: 'POST' });
    const created = await c.create<{ id: number; body: string }>('/issues/12/comments', { body: 'hello' }, async () =>
      api.state.comments.find((x) => x.body === 'hello'),
    );
    expect(created.body).toBe('hello');
    expect(api.state.comments).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('does not retry a refused POST, and retries a GET after a 5xx', async () => {
    api.failNext({ status: 500 }, { method: 'GET' });
    expect(await client(api).request('GET', '/deployments')).toEqual([]);
    expect(api.requests.map((r) => r.status)).toEqual([500, 200]);
    api.failNext({ status: 500 }, { method: 'POST' });
    await expect(client(api).request('POST', '/issues/1/comments', { body: 'x' })).rejects.toThrow(/HTTP 500/);
    expect(api.state.comments).toHaveLength(0);
  });
});

describe('lists and identity', () => {
  it('follows every page, and stops where asked', async () => {
    for (let i = 0; i < 250; i++) api.seedComment(3, `c${i}`);
    const c = client(api);
    expect(await c.list('/issues/3/comments')).toHaveLength(250);
    const upTo = await c.list<{ body: string }>('/issues/3/comments', {}, { until: (x) => x.body === 'c120' });
    expect(upTo).toHaveLength(121);
    expect(api.requests.filter((r) => r.path.endsWith('/comments')).map((r) => r.query.get('page'))).toEqual([
      null,
      '2',
      '3',
      null,
      '2',
    ]);
  });

  it("reads the token's own login, and compares bot logins with and without [bot]", async () => {
    expect(await client(api).viewer()).toBe('github-actions[bot]');
    expect(sameLogin('github-actions[bot]', 'github-actions')).toBe(true);
    expect(sameLogin('mallory', 'github-actions[bot]')).toBe(false);
    expect(sameLogin('', '')).toBe(false);
  });

  it('quotes the details of a 422 and hints at the permission a 403 needs', async () => {
    const d = api.seedDeployment({ environment: 'staging' });
    const tooLong = await failure(
      client(api).request('POST', `/deployments/${d.id}/statuses`, { state: 'success', description: 'x'.repeat(141) }),
    );
    expect(tooLong.message).toContain('HTTP 422: Validation Failed: description is too long');
    api.failNext({ status: 403, body: { message: 'Resource not accessible by integration' } });
    const denied = await failure(status(client(api), d.id));
    expect(denied.hint).toContain('deployments: write');
  });
});
