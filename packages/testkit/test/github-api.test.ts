/**
 * The local GitHub API's routing layer answers as GitHub does: the token, the permission a route
 * needs, other repositories, paging with Link, injected faults and the rate-limit headers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitHubApi, startGitHubApi } from '../src/github-api';

let api: GitHubApi;
beforeAll(async () => {
  api = await startGitHubApi({ repository: 'acme/shop', token: 'ghs_routing' });
});
afterAll(() => api.close());
beforeEach(() => api.reset());

async function call(method: string, path: string, body?: unknown, token = api.token) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer: unknown = await response.json().catch(() => undefined);
  return { status: response.status, headers: response.headers, body: answer };
}

/** The `message` of a GitHub error body. */
function message(body: unknown): string | undefined {
  return (body as { message?: string } | undefined)?.message;
}

const SHA = 'a'.repeat(40);

describe('the local GitHub API', () => {
  it('refuses a wrong token with 401 "Bad credentials" and unparsable JSON with 400', async () => {
    expect(await call('GET', '/repos/acme/shop/deployments', undefined, 'ghs_other')).toMatchObject({
      status: 401,
      body: { message: 'Bad credentials' },
    });
    const raw = await fetch(`${api.url}/repos/acme/shop/deployments`, {
      method: 'POST',
      headers: { authorization: `token ${api.token}` },
      body: '{',
    });
    expect(raw.status).toBe(400);
  });

  it('answers 404 for another repository and for a path it does not serve', async () => {
    expect((await call('GET', '/repos/acme/other/deployments')).status).toBe(404);
    expect((await call('GET', '/repos/acme/shop/nothing-here')).status).toBe(404);
  });

  it('checks the permission of each route before finding it: 403 for a scope left out, read for GET only', async () => {
    const cases: [scope: Parameters<GitHubApi['setPermission']>[0], method: string, path: string][] = [
      ['actions', 'GET', '/repos/acme/shop/actions/runs/1'],
      ['checks', 'GET', `/repos/acme/shop/commits/${SHA}/check-runs`],
      ['statuses', 'GET', `/repos/acme/shop/commits/${SHA}/status`],
      ['deployments', 'GET', '/repos/acme/shop/deployments'],
      ['pull-requests', 'GET', '/repos/acme/shop/pulls/1'],
      ['contents', 'GET', `/repos/acme/shop/commits/${SHA}`],
      ['contents', 'GET', `/repos/acme/shop/compare/${SHA}...${SHA}`],
    ];
    for (const [scope, method, path] of cases) {
      api.reset();
      api.setPermission(scope, 'none');
      expect([scope, message((await call(method, path)).body)]).toEqual([
        scope,
        'Resource not accessible by integration',
      ]);
    }
    api.reset();
    api.setPermission('deployments', 'read');
    expect((await call('GET', '/repos/acme/shop/deployments')).status).toBe(200);
    expect((await call('POST', '/repos/acme/shop/deployments', { ref: 'main' })).status).toBe(403);
    // Comments on a pull request: Issues or Pull requests suffices.
    api.reset();
    api.setPermission('issues', 'none');
    expect((await call('GET', '/repos/acme/shop/issues/1/comments')).status).toBe(200);
    api.setPermission('pull-requests', 'none');
    expect((await call('GET', '/repos/acme/shop/issues/1/comments')).status).toBe(403);
  });

  it('pages a list with per_page and page, and links next and last while there are more', async () => {
    for (let i = 0; i < 5; i++) api.seedComment(7, `comment ${i}`);
    const first = await call('GET', '/repos/acme/shop/issues/7/comments?per_page=2');
    expect((first.body as { body: string }[]).map((c) => c.body)).toEqual(['comment 0', 'comment 1']);
    const link = first.headers.get('link') ?? '';
    expect(link).toContain('page=2>; rel="next"');
    expect(link).toContain('page=3>; rel="last"');
    const last = await call('GET', '/repos/acme/shop/issues/7/comments?per_page=2&page=3');
    expect(last.body).toHaveLength(1);
    expect(last.headers.get('link')).toBeNull();
  });

  it('answers an injected fault instead of the request, or after doing it (afterHandling)', async () => {
    api.failNext({ status: 502 }, { method: 'POST', path: /\/deployments$/ });
    expect(await call('POST', '/repos/acme/shop/deployments', { ref: 'main' })).toMatchObject({
      status: 502,
      body: { message: 'Injected fault' },
    });
    expect(api.state.deployments).toHaveLength(0);
    api.failNext({ status: 502, afterHandling: true }, { method: 'POST' });
    expect((await call('POST', '/repos/acme/shop/deployments', { ref: 'main' })).status).toBe(502);
    expect(api.state.deployments).toHaveLength(1);
    expect((await call('POST', '/repos/acme/shop/deployments', { ref: 'main' })).status).toBe(201);
    expect(api.requests.map((r) => r.status)).toEqual([502, 502, 201]);
  });

  it('counts every request in the x-ratelimit headers and refuses past the limit', async () => {
    const before = await call('GET', '/repos/acme/shop/deployments');
    expect(before.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(before.headers.get('x-ratelimit-used')).toBe('1');
    api.setRate(0);
    const refused = await call('GET', '/repos/acme/shop/deployments');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(message(refused.body)).toMatch(/^API rate limit exceeded/);
  });

  it('answers the GraphQL viewer query with the token login', async () => {
    expect((await call('POST', '/graphql', { query: 'query { viewer { login } }' })).body).toEqual({
      data: { viewer: { login: 'github-actions[bot]' } },
    });
    expect((await call('POST', '/graphql', { query: 'query { repository { id } }' })).status).toBe(400);
  });
});
