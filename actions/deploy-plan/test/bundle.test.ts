/**
 * deploy-plan's bundle under Node 24, as a pull_request step, against the local GitHub API: a pull
 * request with a contract migration, a new secret name and a strategy change gets one plan comment;
 * a second run (a new push) edits that comment; a marker someone else pasted is left alone.
 */
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, checkout, HEAD } from '../../../packages/plan/test/fixture';

const PR = 7;
const FLY_TOKEN = 'fly-token-plan-8c41d2';
let api: GitHubApi;
let sim: FlySim;

beforeAll(async () => {
  [api, sim] = await Promise.all([startGitHubApi({ repository: 'acme/shop' }), startFlySim({ tokens: [FLY_TOKEN] })]);
});
afterAll(async () => {
  await Promise.all([api?.close(), sim?.stop()]);
});

/** The workspace as plan.yml lays it out: head at the root, base under `base/`. */
function workspace(head: Record<string, string>): string {
  const root = checkout(head);
  checkout(BASE, `${root}/base`);
  return root;
}

const plan = (cwd: string, inputs: Record<string, string> = {}, pr = PR, env: Record<string, string> = {}) =>
  runBundle('deploy-plan', {
    cwd,
    env,
    eventName: 'pull_request',
    event: { number: pr, pull_request: { number: pr } },
    githubToken: api.token,
    context: { repository: 'acme/shop', apiUrl: api.url },
    inputs: {
      'base-path': 'base',
      'secret-names-file': '.env.example',
      'business-hours': 'true',
      'merge-at': '2026-11-21T10:00:00-08:00',
      ...inputs,
    },
  });

describe('deploy-plan bundle (Node 24)', () => {
  it('comments the plan once, then edits the same comment on the next run', async () => {
    api.seedComment(PR, '<!-- deploy-actions-plan -->\npasted by someone else', 'mallory');
    const first = await plan(workspace(HEAD));
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs).toMatchObject({ migrations: '2', classes: 'contract,expand', blocking: 'true' });
    expect(first.outputs['comment-url']).toMatch(/\/acme\/shop\/pull\/7#issuecomment-\d+$/);
    const ours = () => api.state.comments.filter((c) => c.user.login !== 'mallory');
    expect(ours()).toHaveLength(1);
    const body = ours()[0].body;
    expect(body).toContain('| 0004 | drop\\_legacy\\_name | **contract** | no |');
    expect(body).toContain('ACCESS EXCLUSIVE on users');
    expect(body).toMatch(/\*\*Lint \(squawk\): \d+\*\*[\s\S]*ban-drop-column/);
    expect(body).toContain('- added `STRIPE_KEY`');
    expect(body).toContain('| `deploy.strategy` | `"rolling"` | `"bluegreen"` |');
    expect(body).toContain('**Deploy window:** closed at the likely merge time, Sat 2026-11-21 10:00 PST');
    expect(body).toContain('auto-rollback refuses an image-only rollback');
    expect(body).not.toContain('change-me');
    expect(first.summary).toContain('Posted on the pull request');

    // The next push adds the down migration: the same comment is edited, none is added.
    const second = await plan(
      workspace({
        ...HEAD,
        'migrations/0004_drop_legacy_name.down.sql': 'ALTER TABLE users ADD COLUMN legacy_name text;\n',
      }),
    );
    expect(second.exitCode, second.log).toBe(0);
    expect(second.outputs['comment-url']).toBe(first.outputs['comment-url']);
    expect(ours()).toHaveLength(1);
    expect(ours()[0].body).toContain('auto-rollback runs the down migrations newest first');
    expect(api.state.comments.find((c) => c.user.login === 'mallory')?.body).toContain('pasted by someone else');
    expect(second.summary).toContain('Updated on the pull request');
    expect(findLeaks(second, [api.token])).toEqual([]);
    expect(second.annotations).toEqual([]);
  });

  it("with the app and a token, compares secret names with the app's current ones through flyctl", async () => {
    await sim.seedApp('shop', {
      releases: ['v1'],
      secrets: { DATABASE_URL: 'postgres://db/old-9d2', OLD_TOKEN: 'tok-55e1' },
    });
    const r = await plan(
      workspace(HEAD),
      { app: 'shop', 'fly-api-token': FLY_TOKEN, 'secrets-mode': 'exact', lint: 'false' },
      8,
      sim.env,
    );
    expect(r.exitCode, r.log).toBe(0);
    const body = api.state.comments.find((c) => c.issue_number === 8)?.body ?? '';
    expect(body).toContain('**Secrets** (names only, compared with the secrets of shop now)');
    expect(body).toContain('- added `SESSION_SECRET`');
    expect(body).toContain('- added `STRIPE_KEY`');
    expect(body).toContain('- removed `OLD_TOKEN`');
    expect((await sim.calls()).map((c) => c.args)).toContainEqual(['secrets', 'list', '--app', 'shop', '--json']);
    expect(findLeaks(r, [FLY_TOKEN, 'postgres://db/old-9d2', 'tok-55e1', api.token])).toEqual([]);
    expect(body).not.toMatch(/old-9d2|tok-55e1|change-me/);
  });

  it('refuses to run without a pull request to comment on, naming the input, without a stack trace', async () => {
    const r = await runBundle('deploy-plan', {
      cwd: workspace(HEAD),
      eventName: 'push',
      githubToken: api.token,
      context: { repository: 'acme/shop', apiUrl: api.url },
      inputs: { 'base-path': 'base' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toMatch(/Input 'pr-number' is required outside a pull_request event/);
    expect(r.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it('writes the plan to the summary only with comment: false', async () => {
    const r = await runBundle('deploy-plan', {
      cwd: workspace(HEAD),
      eventName: 'push',
      inputs: { 'base-path': 'base', comment: 'false', lint: 'false' },
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['comment-url']).toBe('');
    expect(r.summary).toContain('### Deploy plan: what merging would deploy');
  });
});
