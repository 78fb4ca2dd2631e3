/** require-checks' bundle under Node 24 against the local GitHub API. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findLeaks, REPO_ROOT, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputs, outputs } from '../src/contract';

const GH_TOKEN = 'ghs_requirechecks000000000000000042';
let api: GitHubApi;
const sha = (n: number) => `c${n}`.padEnd(40, '0');

beforeAll(async () => {
  api = await startGitHubApi({ repository: 'acme/shop', token: GH_TOKEN });
  api.seedCheckRun({ sha: sha(1), name: 'test' });
  api.seedCheckRun({ sha: sha(1), name: 'lint', conclusion: 'skipped' });
  api.seedCommitStatus({ sha: sha(1), context: 'ci/circleci', state: 'success' });
  // The deploy's own gate job, still running, on the same commit.
  api.seedCheckRun({
    sha: sha(1),
    name: 'Deploy / Gates',
    status: 'in_progress',
    details_url: 'https://github.com/acme/shop/actions/runs/777/job/9',
  });
  api.seedCheckRun({ sha: sha(2), name: 'test', conclusion: 'failure' });
  api.seedCheckRun({ sha: sha(2), name: 'docs' });
  api.seedCheckRun({ sha: sha(3), name: 'test', status: 'queued' });
});
afterAll(async () => {
  await api?.close();
});

function run(ref: string, extra: Record<string, string> = {}) {
  return runBundle('require-checks', {
    inputs: { interval: '1s', ...extra },
    context: { apiUrl: api.url, sha: ref, runId: '777', repository: 'acme/shop' },
    githubToken: GH_TOKEN,
  });
}

describe('contract', () => {
  it('contract.ts mirrors action.yml', () => {
    const yml = parse(readFileSync(join(REPO_ROOT, 'require-checks', 'action.yml'), 'utf8'));
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(yml.inputs).sort());
    expect([...outputs].sort()).toEqual(Object.keys(yml.outputs).sort());
  });
});

describe.concurrent('require-checks bundle (Node 24)', () => {
  it('every check run and status green (skipped counts as passing), the own run left out: passes', async () => {
    const r = await run(sha(1));
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ passed: 'true', failed: '', pending: '' });
    expect(r.summary).toContain('Required checks: ✅ passed');
    expect(r.summary).toContain('| ci/circleci | status |');
    expect(r.summary).not.toContain('Deploy / Gates');
    expect(findLeaks(r, [GH_TOKEN])).toEqual([]);
  });

  it('a failed check fails the gate at once, naming it', async () => {
    const r = await run(sha(2), { timeout: '5m' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ passed: 'false', failed: 'test' });
    expect(r.annotations[0].message).toMatch(
      new RegExp(`^Required checks of ${sha(2).slice(0, 12)} failed: test \\(failure\\)\n`),
    );
    expect(r.log).not.toMatch(/\n\s+at /);
  });

  it('only the named checks count: docs alone passes on the same commit', async () => {
    const r = await run(sha(2), { checks: 'docs' });
    expect(r.exitCode, r.log).toBe(0);
  });

  it('a pending check past the timeout fails with what was still pending', async () => {
    const r = await run(sha(3), { timeout: '2s' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ passed: 'false', pending: 'test' });
    expect(r.annotations[0].message).toMatch(/still pending when the wait ended: test \(queued\)/);
  });

  it('bad inputs are named', async () => {
    const r = await run(sha(1), { timeout: 'soon', ref: '--all' });
    expect(r.exitCode).toBe(1);
    const message = r.annotations.map((a) => a.message).join('\n');
    expect(message).toContain("Invalid input 'timeout'");
    expect(message).toContain("Invalid input 'ref'");
  });
});
