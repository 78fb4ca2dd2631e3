import { cpSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDatabase, previewAppName } from '@deploy-actions/deploy';
import { seedPostgresCluster } from '@deploy-actions/fly-sim';
import type { Json } from '../expressions';
import { allJobs, allSteps, type RunRecord } from '../model';
import type { RunSpec, Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { APP_DIR, APP_SECRETS, FLY_TOKEN, REPOSITORY, type Stage } from '../stage';

const PR = 7;
// fly-deploy's preview name: pr-<n>-<repo>-<first 6 hex of sha256("acme/shop")>.
const PREVIEW_APP = 'pr-7-shop-d21b2c';
const PREVIEW_DB = 'pr_7_shop_d21b2c';
/** The team's Fly Postgres cluster, named in examples/preview.yml. */
const CLUSTER = 'acme-previews-db';

/** PREVIEW_DATABASE_URL: the cluster's postgres user at its flycast name (reached through flyctl proxy). */
function clusterUrl(stage: Stage): string {
  return `postgres://${stage.pg.user}:${encodeURIComponent(stage.pg.password)}@${CLUSTER}.flycast:5432/postgres`;
}

/**
 * A pull_request event run through examples/preview.yml, the caller users copy, which calls
 * .github/workflows/preview.yml (its jobs show as `preview / <job>`).
 */
function pullRequest(stage: Stage, action: string, sha: string, headRepo = REPOSITORY): RunSpec {
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
    // A fork's run gets no secrets at all (GitHub passes none to a pull request from a fork).
    secrets:
      headRepo === REPOSITORY
        ? { FLY_PREVIEW_TOKEN: FLY_TOKEN, PREVIEW_DATABASE_URL: clusterUrl(stage), PREVIEW_APP_SECRETS: APP_SECRETS }
        : {},
  };
}

async function rows(s: ScenarioContext, database: string, sql: string): Promise<Record<string, unknown>[]> {
  try {
    return await s.stage.pg.query(database, sql);
  } catch (error) {
    return [{ error: (error as Error).message }];
  }
}

async function databaseExists(s: ScenarioContext, name: string): Promise<boolean> {
  return (await s.stage.pg.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
}

const seconds = (run: RunRecord) => `${(run.durationMs / 1000).toFixed(1)} s`;

/** The outputs of the job that called preview.yml. */
function previewOutputs(run: RunRecord): Record<string, string> {
  return run.jobs.find((j) => j.id === 'preview')?.outputs ?? {};
}

/** Copies of the pull request's comments as they are now. */
function comments(s: ScenarioContext) {
  return s.stage.api.state.comments.filter((c) => c.issue_number === PR).map((c) => ({ ...c }));
}

type Comment = ReturnType<typeof comments>[number];

/**
 * The example deploys the app in app/backend, as a monorepo would have it. The pull request's
 * first commit has two migrations; its second push adds the third, held back here as `*.later`
 * (the files returned). The team's Postgres cluster and the open pull request are seeded.
 */
async function setUpPullRequest(s: ScenarioContext): Promise<string[]> {
  const backend = join(s.stage.workspace, 'app', 'backend');
  cpSync(APP_DIR, backend, { recursive: true });
  const third = ['0003_index_orders_by_status.sql', '0003_index_orders_by_status.down.sql'].map((f) =>
    join(backend, 'migrations', f),
  );
  for (const file of third) renameSync(file, `${file}.later`);
  await seedPostgresCluster(s.stage.fly.sim, CLUSTER, {
    adminUrl: s.stage.pg.url('postgres'),
    org: 'acme',
    token: FLY_TOKEN.replace(/^FlyV1 /, ''),
  });
  s.stage.api.seedPull(PR, 'open');
  return third;
}

/** Opening deploys the preview app with its own database, migrated and seeded; returns the comment then. */
async function openPullRequest(s: ScenarioContext): Promise<Comment | undefined> {
  const opened = await s.run('pull request opened', pullRequest(s.stage, 'opened', 'a'.repeat(40)));
  s.expect('the run succeeded', opened.result, 'success');
  s.check(`opening took ${seconds(opened)}`, true);
  s.check('the preview database was created on the cluster', await databaseExists(s, PREVIEW_DB));
  s.expect('preview.yml output migrations-applied', previewOutputs(opened)['migrations-applied'], '0001,0002');
  s.expect(
    'the seed ran once, after the migrations',
    await rows(s, PREVIEW_DB, 'SELECT count(*)::int AS n FROM orders'),
    [{ n: 2 }],
  );
  checkPreviewSecrets(s);
  s.expect('preview.yml output app-name', previewOutputs(opened)['app-name'], PREVIEW_APP);
  s.check('the preview app exists on Fly', s.stage.fly.appExists(PREVIEW_APP));
  s.expect(
    'the preview answers /health with its version',
    await s.stage.fly.healthVersion(PREVIEW_APP),
    s.stage.fly.releases(PREVIEW_APP)[0]?.label ?? 'a release',
  );
  const comment = checkOpenedComment(s, previewOutputs(opened)['app-url']);
  const deployment = s.stage.api.state.deployments.find((d) => d.environment === `pr-${PR}`);
  s.check(
    'a transient GitHub deployment was recorded',
    deployment?.transient_environment === true,
    JSON.stringify(deployment),
  );
  return comment;
}

/** The preview gets DATABASE_URL from attach (its own user on the cluster) and only the allowed secret. */
function checkPreviewSecrets(s: ScenarioContext): void {
  const secretNames = s.stage.fly.secretNames(PREVIEW_APP).sort();
  s.expect('the preview got DATABASE_URL (attach) and only the allowed secret', secretNames, [
    'DATABASE_URL',
    'STRIPE_API_KEY',
  ]);
  const attached = s.stage.fly.sim.state().apps[PREVIEW_APP]?.secrets.DATABASE_URL?.value ?? '';
  s.check(
    "DATABASE_URL is the preview's own user on the cluster",
    attached.startsWith(`postgres://${PREVIEW_DB}:`) && attached.includes(`@${CLUSTER}.flycast:5432/${PREVIEW_DB}`),
  );
  // The password attach made is in flyctl's output: it must not reach a log from now on either.
  if (attached) s.stage.sensitive['the preview DATABASE_URL'] = new URL(attached).password;
}

/** One comment with the preview URL, the database, the migrations and the health; returns it. */
function checkOpenedComment(s: ScenarioContext, url: string): Comment | undefined {
  const first = comments(s);
  s.expect('one comment on the pull request', first.length, 1);
  s.check('the comment has the preview URL', Boolean(url) && (first[0]?.body ?? '').includes(url), first[0]?.body);
  s.check(
    'the comment shows the database, the migrations applied and the health',
    /pr_7_shop_d21b2c/.test(first[0]?.body ?? '') &&
      /0001,0002/.test(first[0]?.body ?? '') &&
      /Health:\*\* passed/.test(first[0]?.body ?? ''),
    first[0]?.body,
  );
  return first[0];
}

/** A second push brings the third migration: only it is applied, the seed does not rerun, the comment is updated. */
async function synchronizePullRequest(s: ScenarioContext, third: string[], first: Comment | undefined) {
  for (const file of third) renameSync(`${file}.later`, file);
  const synced = await s.run('pull request synchronized', pullRequest(s.stage, 'synchronize', 'b'.repeat(40)));
  s.expect('the run succeeded', synced.result, 'success');
  s.expect('only the new migration was applied', previewOutputs(synced)['migrations-applied'], '0003');
  s.expect('the seed did not run again', await rows(s, PREVIEW_DB, 'SELECT count(*)::int AS n FROM orders'), [
    { n: 2 },
  ]);
  s.expect('the preview was redeployed', s.stage.fly.releases(PREVIEW_APP).length, 2);
  const second = comments(s);
  s.expect('still one comment', second.length, 1);
  s.check('the comment was updated', second[0]?.body !== first?.body || second[0]?.updated_at !== first?.updated_at);
}

/** Closing drops the database and its user, destroys the app, says so in the comment; a re-run does no harm. */
async function closePullRequest(s: ScenarioContext): Promise<void> {
  s.stage.api.seedPull(PR, 'closed', { merged: true });
  const closed = await s.run('pull request closed', pullRequest(s.stage, 'closed', 'b'.repeat(40)));
  s.expect('the run succeeded', closed.result, 'success');
  s.check(`closing took ${seconds(closed)}`, true);
  s.check('the preview database was dropped', !(await databaseExists(s, PREVIEW_DB)));
  s.expect(
    "the preview's database user was dropped",
    await rows(s, 'postgres', `SELECT rolname FROM pg_roles WHERE rolname = '${PREVIEW_DB}'`),
    [],
  );
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

  const reclosed = await s.run('the close job re-run', pullRequest(s.stage, 'closed', 'b'.repeat(40)));
  s.expect('re-running the close does no harm', reclosed.result, 'success');
}

/**
 * A pull request whose close event was missed leaves its app and database behind: the janitor's
 * dry run (as a maintainer would try it first) removes nothing, the example's nightly run both.
 */
async function sweepOrphanPreview(s: ScenarioContext): Promise<void> {
  const orphanApp = previewAppName(8, REPOSITORY);
  await s.stage.fly.sim.run(['apps', 'create', orphanApp, '--org', 'acme'], {
    env: { FLY_API_TOKEN: FLY_TOKEN.replace(/^FlyV1 /, '') },
  });
  await ensureDatabase(s.stage.pg.url('postgres'), 'pr_8_shop_d21b2c', `${REPOSITORY}#8`);
  s.stage.api.seedPull(8, 'closed');
  const dry = await s.run('janitor, dry run', {
    workflow: '.github/workflows/preview-janitor.yml',
    eventName: 'workflow_dispatch',
    sha: 'd'.repeat(40),
    ref: 'refs/heads/main',
    inputs: { org: 'acme', 'postgres-app': CLUSTER, 'dry-run': true },
    secrets: { FLY_API_TOKEN: FLY_TOKEN, PREVIEW_DATABASE_URL: clusterUrl(s.stage) },
  });
  s.expect('the dry run succeeded', dry.result, 'success');
  s.check(
    'the dry run removed nothing',
    s.stage.fly.appExists(orphanApp) && (await databaseExists(s, 'pr_8_shop_d21b2c')),
  );
  const swept = await s.run('janitor, nightly', {
    workflow: 'examples/preview-janitor.yml',
    eventName: 'schedule',
    sha: 'd'.repeat(40),
    ref: 'refs/heads/main',
    inputs: {},
    secrets: { FLY_PREVIEW_TOKEN: FLY_TOKEN, PREVIEW_DATABASE_URL: clusterUrl(s.stage) },
  });
  s.expect('the janitor succeeded', swept.result, 'success');
  s.check('the orphan app is gone', !s.stage.fly.appExists(orphanApp));
  s.check('the orphan database is gone', !(await databaseExists(s, 'pr_8_shop_d21b2c')));
  s.expect('the janitor removed one preview', swept.jobs.find((j) => j.id === 'janitor')?.outputs.removed, '1');
}

/** A fork's pull request gets no secrets: the run skips the preview and says why. */
async function forkPullRequest(s: ScenarioContext): Promise<void> {
  const fork = await s.run('pull request from a fork', pullRequest(s.stage, 'opened', 'c'.repeat(40), 'mallory/shop'));
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
  s.check('no database for the fork', !(await databaseExists(s, PREVIEW_DB)));
}

export const preview: Scenario = {
  name: 'preview',
  title:
    'a pull request opens, synchronizes and closes: preview app and database, migrations, comment, destroy, janitor',
  async run(s) {
    const third = await setUpPullRequest(s);
    const first = await openPullRequest(s);
    await synchronizePullRequest(s, third, first);
    await closePullRequest(s);
    await sweepOrphanPreview(s);
    await forkPullRequest(s);
  },
};
