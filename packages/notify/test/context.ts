import type { RunContext } from '@deploy-actions/toolkit';

export const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A push run of acme/shop, as `readRunContext()` would read it. */
export function runContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    eventName: 'push',
    event: {},
    repository: 'acme/shop',
    owner: 'acme',
    repo: 'shop',
    sha: SHA,
    ref: 'refs/heads/main',
    refName: 'main',
    refType: 'branch',
    actor: 'octocat',
    runId: '42',
    runAttempt: '1',
    workflow: 'deploy',
    job: 'deploy',
    serverUrl: 'https://github.com',
    apiUrl: 'https://api.github.com',
    runUrl: 'https://github.com/acme/shop/actions/runs/42',
    ...overrides,
  };
}
