import { Fly } from '@deploy-actions/fly';
import { type FlySim, seedPostgresCluster, startFlySim } from '@deploy-actions/fly-sim';
import { GitHubClient } from '@deploy-actions/github';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { janitorSummary, runJanitor } from '../src/janitor';
import { previewAppName } from '../src/preview';
import { ensureDatabase } from '../src/preview-sql';

/** The janitor over fly-sim, a real PostgreSQL server and the local GitHub API. */
const TOKEN = 'fm2_janitor-3e9a41';
const REPO = 'acme/shop';
const DAY = 24 * 3_600_000;
let sim: FlySim;
let server: PgServer;
let api: GitHubApi;
let fly: Fly;
let github: GitHubClient;
let clusterUrl: string;

beforeAll(async () => {
  [sim, server, api] = await Promise.all([
    startFlySim({ tokens: [TOKEN], orgs: ['acme'] }),
    startPostgres({ version: 18 }),
    startGitHubApi({ repository: REPO }),
  ]);
  fly = new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env } });
  github = new GitHubClient({ token: api.token, repository: REPO, apiUrl: api.url, baseDelayMs: 10 });
  await seedPostgresCluster(sim, 'shop-db', { adminUrl: server.url('postgres'), org: 'acme', token: TOKEN });
  clusterUrl = `postgres://${server.user}:${encodeURIComponent(server.password)}@shop-db.flycast:5432/postgres`;
  const app = async (name: string) => fly.run(['apps', 'create', name, '--org', 'acme']);
  // #1 closed (app and database), #2 open and fresh, #3 only a database left, closed.
  await app(previewAppName(1, REPO));
  await ensureDatabase(server.url('postgres'), 'pr_1_shop_d21b2c', `${REPO}#1`);
  await app(previewAppName(2, REPO));
  await ensureDatabase(server.url('postgres'), 'pr_3_shop_d21b2c', `${REPO}#3`);
  api.seedPull(1, 'closed', { merged: true });
  api.seedPull(2, 'open');
  api.seedPull(3, 'closed');
  // Never candidates: another repository's preview, a look-alike name, a database marked as ours under another name.
  await app(previewAppName(1, 'partner-co/shop'));
  await app('pr-1-shop-000000');
  await ensureDatabase(server.url('postgres'), 'pr_4_lookalike', `${REPO}#4`);
  api.seedPull(4, 'closed');
  // GitHub deployments of the previews (preview.yml's environments): two pushes to #1, one to #2.
  for (const [environment, states] of [
    ['pr-1', ['success']],
    ['pr-1', ['in_progress', 'success']],
    ['pr-2', ['success']],
  ] as const) {
    api.seedDeployment({ environment, transient_environment: true, states: [...states] });
  }
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([sim?.stop(), server?.stop(), api?.close()]);
});

/** The newest status of each deployment of `environment`. */
const latestStates = (environment: string) =>
  api.state.deployments
    .filter((d) => d.environment === environment)
    .map((d) => api.state.statuses.filter((s) => s.deployment_id === d.id).at(-1)?.state);

const databases = async () =>
  (
    await server.query('postgres', "SELECT datname::text AS n FROM pg_database WHERE datname LIKE 'pr_%' ORDER BY 1")
  ).map((r) => r.n);

describe('preview janitor', () => {
  it('a dry run lists the closed pull requests’ previews and removes nothing', async () => {
    const report = await runJanitor(fly, github, {
      repository: REPO,
      org: 'acme',
      ttlMs: 7 * DAY,
      dryRun: true,
      serverUrl: clusterUrl,
      postgresApp: 'shop-db',
    });
    expect(report.items.map(({ pr, app, database, why, result }) => ({ pr, app, database, why, result }))).toEqual([
      {
        pr: 1,
        app: 'pr-1-shop-d21b2c',
        database: 'pr_1_shop_d21b2c',
        why: 'pull request closed',
        result: 'would remove',
      },
      { pr: 3, app: undefined, database: 'pr_3_shop_d21b2c', why: 'pull request closed', result: 'would remove' },
    ]);
    expect(report.seen).toBe(3);
    expect(await databases()).toEqual(['pr_1_shop_d21b2c', 'pr_3_shop_d21b2c', 'pr_4_lookalike']);
    expect(janitorSummary(report, true).toString()).toContain('2 of 3 previews would be removed');
    expect(latestStates('pr-1')).toEqual(['success', 'success']);
  });

  it('removes them, leaves everything else, and a second run finds nothing', async () => {
    const request = {
      repository: REPO,
      org: 'acme',
      ttlMs: 7 * DAY,
      dryRun: false,
      serverUrl: clusterUrl,
      postgresApp: 'shop-db',
    };
    const report = await runJanitor(fly, github, request);
    expect(report.items.map((i) => [i.pr, i.result, i.deployments])).toEqual([
      [1, 'removed', 2],
      [3, 'removed', 0],
    ]);
    // As the close job does: the removed preview's deployments inactive (GitHub shows it destroyed), #2's kept.
    expect(latestStates('pr-1')).toEqual(['inactive', 'inactive']);
    expect(latestStates('pr-2')).toEqual(['success']);
    const summary = janitorSummary(report, false).toString();
    expect(summary).toContain('Preview janitor: 2 of 3 previews removed');
    expect(summary).not.toContain('to remove');
    expect(summary).toContain('2 set to inactive');
    expect(await databases()).toEqual(['pr_4_lookalike']);
    const apps = Object.keys(sim.state().apps).sort();
    expect(apps).toEqual(
      ['pr-1-shop-000000', previewAppName(1, 'partner-co/shop'), 'pr-2-shop-d21b2c', 'shop-db'].sort(),
    );
    expect((await runJanitor(fly, github, request)).items).toEqual([]);
  });

  it('an open pull request’s preview goes once nothing happened to it within the TTL', async () => {
    await fly.run(['apps', 'create', previewAppName(5, REPO), '--org', 'acme']);
    await ensureDatabase(server.url('postgres'), 'pr_5_shop_d21b2c', `${REPO}#5`, new Date(Date.now() - 10 * DAY));
    api.seedPull(5, 'open');
    const report = await runJanitor(fly, github, {
      repository: REPO,
      org: 'acme',
      ttlMs: 7 * DAY,
      dryRun: false,
      serverUrl: clusterUrl,
      postgresApp: 'shop-db',
    });
    expect(report.items.map((i) => [i.pr, i.result, i.why.replace(/\d.*?(?= \(TTL)/, 'N')])).toEqual([
      [5, 'removed', 'nothing deployed for N (TTL 168h00m)'],
    ]);
    // #2 is open and has no sign of age: it stays.
    expect(sim.state().apps['pr-2-shop-d21b2c']).toBeDefined();
  });
});
