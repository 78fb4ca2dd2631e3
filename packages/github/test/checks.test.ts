import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitChecks, GitHubClient, waitForChecks } from '../src/index';

let api: GitHubApi;
beforeAll(async () => {
  api = await startGitHubApi({ repository: 'acme/shop' });
});
afterAll(async () => {
  await api.close();
});

const client = () => new GitHubClient({ token: api.token, repository: 'acme/shop', apiUrl: api.url, baseDelayMs: 10 });
const sha = (n: number) => n.toString(16).padStart(40, '0');

describe.concurrent('a commit’s check runs and statuses, as GitHub’s API serves them', () => {
  it('reads every page of check runs (Link), the newest run per name, and the combined status', async () => {
    const ref = sha(1);
    for (let i = 0; i < 130; i++) api.seedCheckRun({ sha: ref, name: `test-${i}` });
    api.seedCheckRun({ sha: ref, name: 'lint', conclusion: 'failure' });
    api.seedCheckRun({ sha: ref, name: 'lint', conclusion: 'success' }); // re-run: the newest counts
    api.seedCommitStatus({ sha: ref, context: 'ci/legacy', state: 'failure' });
    api.seedCommitStatus({ sha: ref, context: 'ci/legacy', state: 'success' });
    const verdicts = await commitChecks(client(), ref);
    expect(verdicts).toHaveLength(132);
    expect(verdicts.every((v) => v.outcome === 'passed')).toBe(true);
    const pages = api.requests.filter((r) => r.path.includes(`${ref}/check-runs`));
    expect(pages.length).toBe(2);
  });

  it('a failed check ends the wait at once; neutral and skipped pass', async () => {
    const ref = sha(2);
    api.seedCheckRun({ sha: ref, name: 'build', conclusion: 'neutral' });
    api.seedCheckRun({ sha: ref, name: 'docs', conclusion: 'skipped' });
    api.seedCheckRun({ sha: ref, name: 'e2e', conclusion: 'timed_out' });
    const r = await waitForChecks(client(), ref, { timeoutMs: 60_000, intervalMs: 10_000 });
    expect(r).toMatchObject({ passed: false, reason: 'failed: e2e (timed_out)' });
  });

  it('waits for a pending check that then passes, ignoring the asking run’s own jobs', async () => {
    const ref = sha(3);
    const pending = api.seedCheckRun({ sha: ref, name: 'test', status: 'in_progress' });
    api.seedCheckRun({
      sha: ref,
      name: 'Deploy / gate',
      status: 'in_progress',
      details_url: 'https://github.com/acme/shop/actions/runs/777/job/1',
    });
    api.seedCommitStatus({ sha: ref, context: 'ci/circle', state: 'pending' });
    let polls = 0;
    const r = await waitForChecks(client(), ref, {
      timeoutMs: 60_000,
      intervalMs: 1,
      ownRunId: '777',
      onPoll: () => {
        if (++polls === 2) {
          api.updateCheckRun(pending.id, { status: 'completed', conclusion: 'success' });
          api.seedCommitStatus({ sha: ref, context: 'ci/circle', state: 'success' });
        }
      },
    });
    expect(r).toMatchObject({ passed: true, reason: '2 passed' });
    expect(polls).toBe(3);
  });

  it('only the named checks count, and a named one that never reports times out as missing', async () => {
    const ref = sha(4);
    api.seedCheckRun({ sha: ref, name: 'test', conclusion: 'success' });
    api.seedCheckRun({ sha: ref, name: 'flaky-optional', conclusion: 'failure' });
    const ok = await waitForChecks(client(), ref, { names: ['test'], timeoutMs: 0, intervalMs: 1 });
    expect(ok.passed).toBe(true);
    const missing = await waitForChecks(client(), ref, { names: ['test', 'security'], timeoutMs: 50, intervalMs: 10 });
    expect(missing).toMatchObject({
      passed: false,
      reason: 'still pending when the wait ended: security (not reported (yet))',
    });
  });
});

describe('permissions', () => {
  it('a token without checks: read gets GitHub’s 403, named', async () => {
    const own = await startGitHubApi({ repository: 'acme/shop' });
    try {
      own.setPermission('checks', 'none');
      const c = new GitHubClient({ token: own.token, repository: 'acme/shop', apiUrl: own.url, baseDelayMs: 10 });
      await expect(commitChecks(c, sha(5))).rejects.toThrow(/Resource not accessible by integration/);
    } finally {
      await own.close();
    }
  });
});
