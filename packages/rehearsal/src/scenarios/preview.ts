import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../expressions';
import { allJobs, allSteps, type RunRecord } from '../model';
import type { RunSpec, Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { APP_DIR, FLY_TOKEN, REPOSITORY } from '../stage';

const PR = 7;
// fly-deploy's preview name: pr-<n>-<repo>-<first 6 hex of sha256("acme/shop")>.
const PREVIEW_APP = 'pr-7-shop-d21b2c';

/**
 * A pull_request event run through examples/preview.yml, the caller users copy, which calls
 * .github/workflows/preview.yml (its jobs show as `preview / <job>`).
 */
function pullRequest(action: string, sha: string, headRepo = REPOSITORY): RunSpec {
  const [owner, name] = REPOSITORY.split('/');
  const repo = (full: string): Json => ({
    full_name: full,
    name: full.split('/')[1],
    owner: { login: full.split('/')[0] },
  });
  return {
    workflow: 'examples/preview.yml',
    eventName: 'pull_request',
    sha,
    ref: `refs/pull/${PR}/merge`,
    commitMessage: 'Cart: remember the last address',
    event: {
      action,
      number: PR,
      pull_request: {
        number: PR,
        state: action === 'closed' ? 'closed' : 'open',
        html_url: `https://github.com/${REPOSITORY}/pull/${PR}`,
        title: 'Cart: remember the last address',
        head: { ref: 'feature/cart', sha, repo: repo(headRepo) },
        base: { ref: 'main', sha: '0'.repeat(40), repo: repo(REPOSITORY) },
      },
      repository: { full_name: REPOSITORY, name, owner: { login: owner } },
    },
    inputs: {},
    secrets: { FLY_PREVIEW_TOKEN: FLY_TOKEN },
  };
}

/** The outputs of the job that called preview.yml. */
function previewOutputs(run: RunRecord): Record<string, string> {
  return run.jobs.find((j) => j.id === 'preview')?.outputs ?? {};
}

function comments(s: ScenarioContext) {
  return s.stage.api.state.comments.filter((c) => c.issue_number === PR).map((c) => ({ ...c }));
}

export const preview: Scenario = {
  name: 'preview',
  title: 'a pull request opens, synchronizes and closes: preview app, comment, destroy',
  async run(s) {
    // The example deploys the app in app/backend, as a monorepo would have it.
    cpSync(APP_DIR, join(s.stage.workspace, 'app', 'backend'), { recursive: true });

    const opened = await s.run('pull request opened', pullRequest('opened', 'a'.repeat(40)));
    s.expect('the run succeeded', opened.result, 'success');
    s.expect('preview.yml output app-name', previewOutputs(opened)['app-name'], PREVIEW_APP);
    s.check('the preview app exists on Fly', s.stage.fly.appExists(PREVIEW_APP));
    const url = previewOutputs(opened)['app-url'];
    s.expect(
      'the preview answers /health with its version',
      await s.stage.fly.healthVersion(PREVIEW_APP),
      s.stage.fly.releases(PREVIEW_APP)[0]?.label ?? 'a release',
    );
    const first = comments(s);
    s.expect('one comment on the pull request', first.length, 1);
    s.check('the comment has the preview URL', Boolean(url) && (first[0]?.body ?? '').includes(url), first[0]?.body);
    const deployment = s.stage.api.state.deployments.find((d) => d.environment === `pr-${PR}`);
    s.check(
      'a transient GitHub deployment was recorded',
      deployment?.transient_environment === true,
      JSON.stringify(deployment),
    );

    const synced = await s.run('pull request synchronized', pullRequest('synchronize', 'b'.repeat(40)));
    s.expect('the run succeeded', synced.result, 'success');
    s.expect('the preview was redeployed', s.stage.fly.releases(PREVIEW_APP).length, 2);
    const second = comments(s);
    s.expect('still one comment', second.length, 1);
    s.check(
      'the comment was updated',
      second[0]?.body !== first[0]?.body || second[0]?.updated_at !== first[0]?.updated_at,
    );

    const closed = await s.run('pull request closed', pullRequest('closed', 'b'.repeat(40)));
    s.expect('the run succeeded', closed.result, 'success');
    s.expect('the destroy job ran', stepOf(closed, 'preview / destroy', 'destroy').conclusion, 'success');
    s.check('the preview app is gone', !s.stage.fly.appExists(PREVIEW_APP));
    const last = comments(s);
    s.expect('still one comment', last.length, 1);
    s.check('the comment says the preview was removed', /remov|destroy/i.test(last[0]?.body ?? ''), last[0]?.body);
    const { deployments, statuses } = s.stage.api.state;
    const latest = (id: number) => statuses.filter((st) => st.deployment_id === id).at(-1)?.state;
    const previews = deployments.filter((d) => d.environment === `pr-${PR}`);
    s.check(
      'every deployment of the preview is inactive (GitHub shows it as destroyed)',
      previews.length === 2 && previews.every((d) => latest(d.id) === 'inactive'),
      previews.map((d) => `${d.id}: ${latest(d.id)}`).join(', '),
    );

    const fork = await s.run('pull request from a fork', pullRequest('opened', 'c'.repeat(40), 'mallory/shop'));
    s.expect('the run succeeded without deploying', fork.result, 'success');
    const skip = allSteps(fork).find((step) => step.job === 'preview / skip');
    const notice = skip?.annotations.find((a) => a.level === 'notice');
    const why =
      notice?.message ??
      allJobs(fork)
        .flatMap((j) => j.notes)
        .join('; ');
    s.check('the skip job says why (a fork gets no secrets)', /fork/i.test(notice?.message ?? ''), why);
    s.check('no app for the fork', !s.stage.fly.appExists(PREVIEW_APP));
  },
};
