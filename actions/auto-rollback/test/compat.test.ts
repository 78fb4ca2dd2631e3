/**
 * auto-rollback's bundle deciding from migration classes: past expand migrations it rolls the
 * image back; past a contract migration it refuses (and the refusal reaches notify), or runs the
 * down migrations under pg-migrate's lock and then the image. The classes come from the real
 * engine (migrate's `classes`) and from deploy records in the local GitHub API.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPayload } from '@deploy-actions/deployments';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { migrate } from '@deploy-actions/migrate';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { slackWebhook } from '@deploy-actions/testkit/chat-services';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-compat-77a1';
const GH_TOKEN = 'ghs_compattoken0077';
const SHA = '89abcdef0123456789abcdef0123456789abcdef';
const image = (app: string, label: string) => `registry.fly.io/${app}:${label}`;

let sim: FlySim;
let api: GitHubApi;
let pg: PgServer;
let sink: HttpSink;

beforeAll(async () => {
  [sim, api, pg, sink] = await Promise.all([
    startFlySim({ tokens: [TOKEN] }),
    startGitHubApi({ repository: 'acme/shop', token: GH_TOKEN }),
    startPostgres(),
    startHttpSink(),
  ]);
  sink.serve(/^\/services\//, slackWebhook);
  await Promise.all(
    ['after-expand', 'after-contract', 'recorded-contract', 'with-downs', 'own-table', 'wrong-table', 'via-tunnel'].map(
      (app) => sim.seedApp(app, { releases: ['v1', 'unhealthy-2'] }),
    ),
  );
  api.seedRun({ id: 700, head_sha: SHA });
  // recorded-contract: v1 verified, then a release that dropped a column (recorded, failed).
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'recorded-contract',
      image_ref: image('recorded-contract', 'v1'),
      release_version: '1',
      sha: SHA,
      repository: 'acme/shop',
      run_id: '700',
    }),
    states: ['success'],
  });
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'recorded-contract',
      image_ref: image('recorded-contract', 'unhealthy-2'),
      release_version: '2',
      sha: SHA,
      repository: 'acme/shop',
      run_id: '700',
      migrations: [
        {
          version: '0007',
          name: 'drop_sku',
          class: 'contract',
          classes: ['contract'],
          reasons: ['drop-column@1'],
          down: false,
        },
      ],
    }),
    states: ['failure'],
  });
});
afterAll(async () => {
  await Promise.all([sim?.stop(), api?.close(), pg?.stop(), sink?.close()]);
});

/**
 * A migrations folder and a database with the files up to `before` applied by the real engine,
 * then the rest as this run's; returns the run's classes. `tracking` is pg-migrate's schema and table.
 */
async function applied(
  files: Record<string, string>,
  before: string | undefined,
  tracking: { schema?: string; table?: string } = {},
) {
  const db = await pg.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'rollback-compat-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), sql);
  const options = { databaseUrl: db.url, dir: join(dir, 'migrations'), lint: 'off' as const, ...tracking };
  if (before) await migrate({ ...options, target: before });
  const run = await migrate(options);
  return { db, dir, classes: JSON.stringify(run.classes) };
}

function rollback(app: string, inputs: Record<string, string>, cwd?: string) {
  return runBundle('auto-rollback', {
    inputs: { app, timeout: '20s', 'wait-timeout': '30s', ...inputs },
    env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    context: { apiUrl: api.url, sha: SHA, runId: '778', repository: 'acme/shop' },
    githubToken: GH_TOKEN,
    cwd,
  });
}

const releases = (app: string) => sim.state().apps[app].releases;

const USERS = {
  '0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text, legacy text);',
  '0002_nickname.sql': 'ALTER TABLE users ADD COLUMN nickname text;',
};

describe('the class decides the rollback', () => {
  it('rolls the image back after an expand migration', async () => {
    const { classes } = await applied(
      {
        ...USERS,
        '0002_nickname.sql': `-- pg-migrate:no-transaction\n${USERS['0002_nickname.sql']}\nCREATE INDEX CONCURRENTLY users_nickname ON users (nickname);`,
      },
      '0001',
    );
    expect(JSON.parse(classes)).toMatchObject([{ version: '0002', class: 'expand' }]);
    const r = await rollback('after-expand', { 'applied-migrations': classes });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({
      'rolled-back': 'true',
      verified: 'true',
      refused: 'false',
      'to-image': image('after-expand', 'v1'),
    });
    expect(r.summary).toContain('none contract or breaking: the older image runs against this schema');
  });

  it('refuses after a contract migration without a down migration, and the refusal reaches notify', async () => {
    const { classes } = await applied(
      { ...USERS, '0003_drop_legacy.sql': 'ALTER TABLE users DROP COLUMN legacy;' },
      '0002',
    );
    const before = releases('after-contract').length;
    const r = await rollback('after-contract', { 'applied-migrations': classes });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'false', refused: 'true' });
    expect(r.outputs.reason).toContain(`Not rolling back after-contract to ${image('after-contract', 'v1')}`);
    expect(r.outputs.reason).toContain('0003 drop_legacy is contract: drop-column@1');
    expect(r.outputs.reason).toContain('0003 drop_legacy has no down migration');
    expect(r.annotations.find((a) => a.level === 'error')?.message).toContain('0003 drop_legacy is contract');
    expect(r.log).not.toMatch(/^\s+at /m);
    expect(r.summary).toContain('Refused: migrations since the target are not compatible with its image');
    expect(releases('after-contract')).toHaveLength(before);

    // deploy.yml's notify job: status failure, the message built from the refusal.
    const n = await runBundle('notify', {
      inputs: {
        status: 'failure',
        app: 'after-contract',
        environment: 'production',
        message: `auto-rollback refused: ${r.outputs.reason}`,
        'slack-webhook': sink.url('/services/T0/B0/compatSecret'),
      },
      context: { repository: 'acme/shop', sha: SHA, runId: '778' },
    });
    expect(n.exitCode, n.log).toBe(0);
    const posted = JSON.stringify(sink.requests.map((q) => q.body));
    expect(posted).toContain('auto-rollback refused');
    expect(posted).toContain('0003 drop_legacy is contract');
  });

  it('refuses from the deploy record when the failed release dropped a column', async () => {
    const r = await rollback('recorded-contract', {});
    expect(r.exitCode).toBe(1);
    expect(r.outputs.refused).toBe('true');
    expect(r.outputs.reason).toContain('0007 drop_sku is contract: drop-column@1');
  });

  it('goes past the contract migration when rollback-past-contract is set', async () => {
    const r = await rollback('recorded-contract', { 'rollback-past-contract': 'true' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', refused: 'false' });
    expect(r.summary).toContain('as rollback-past-contract allows');
  });

  it('runs the down migrations newest first, then redeploys the image', async () => {
    const { db, dir, classes } = await applied(
      {
        ...USERS,
        '0003_drop_legacy.sql':
          '-- migrate:up\nALTER TABLE users DROP COLUMN legacy;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy text;\n',
        '0004_notes.sql': 'CREATE TABLE notes (id bigint);',
        '0004_notes.down.sql': 'DROP TABLE notes;',
      },
      '0002',
    );
    const r = await rollback(
      'with-downs',
      { 'applied-migrations': classes, 'database-url': db.url, 'migrations-dir': 'migrations' },
      dir,
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'true', refused: 'false' });
    const columns = await pg.query(
      db.name,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'legacy', 'name', 'nickname']);
    const versions = await pg.query(db.name, 'SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(['0001', '0002']);
    expect(r.summary).toContain('reverted 0004, 0003');
    expect(r.summary.indexOf('reverted 0004, 0003')).toBeLessThan(r.summary.indexOf('rollback release'));
    expect(findLeaks(r, [TOKEN, GH_TOKEN, db.url, new URL(db.url).password])).toEqual([]);
  });
});

// Concurrent: each test has its own app and database.
describe.concurrent('the down migrations reach the database as pg-migrate did', () => {
  const DROP_LEGACY = {
    ...USERS,
    '0003_drop_legacy.sql':
      '-- migrate:up\nALTER TABLE users DROP COLUMN legacy;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy text;\n',
  };
  const columns = async (db: string) =>
    (
      await pg.query(db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY 1")
    ).map((c) => c.column_name);

  it('reverts in the tracking table and schema the migrations were applied with', async () => {
    const tracking = { schema: 'ops', table: 'migration_log' };
    const { db, dir, classes } = await applied(DROP_LEGACY, '0002', tracking);
    const r = await rollback(
      'own-table',
      {
        'applied-migrations': classes,
        'database-url': db.url,
        'migrations-schema': 'ops',
        'migrations-table': 'migration_log',
      },
      dir,
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'true' });
    expect(await columns(db.name)).toContain('legacy');
    const versions = await pg.query(db.name, 'SELECT version FROM ops.migration_log ORDER BY version');
    expect(versions.map((v) => v.version)).toEqual(['0001', '0002']);
    // Nothing was read or written under pg-migrate's default name.
    expect(await pg.query(db.name, "SELECT to_regclass('public.schema_migrations') AS t")).toEqual([{ t: null }]);
    expect(r.log).toContain('Reverted 0003_drop_legacy');
    expect(r.summary).toContain('reverted 0003');
  });

  it('refuses before the image when the tracking table is not where it looks: the failed release stays', async () => {
    const { db, dir, classes } = await applied(DROP_LEGACY, '0002', { schema: 'ops', table: 'migration_log' });
    const before = releases('wrong-table').length;
    const r = await rollback('wrong-table', { 'applied-migrations': classes, 'database-url': db.url }, dir);
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toContain(`database "${db.name}" has no tracking table public.schema_migrations`);
    expect(error).toContain('schema and table the migrations were applied with');
    expect(r.log).not.toMatch(/\n\s+at /);
    expect(r.outputs['rolled-back']).toBe('false');
    // No new release, the column still dropped, the applied migrations still recorded.
    expect(releases('wrong-table')).toHaveLength(before);
    expect(await columns(db.name)).not.toContain('legacy');
    expect(await pg.query(db.name, 'SELECT count(*)::int AS n FROM ops.migration_log')).toEqual([{ n: 3 }]);
    expect(findLeaks(r, [TOKEN, GH_TOKEN, db.url, new URL(db.url).password])).toEqual([]);
  });

  it('runs them through a flyctl proxy tunnel to the Fly Postgres app', async () => {
    const { db, dir, classes } = await applied(DROP_LEGACY, '0002');
    await sim.seedApp('shop-pg', { proxyTarget: `127.0.0.1:${pg.port}` });
    // The URL names the app's private host, unreachable from here: only the tunnel gets through.
    const privateUrl = db.url.replace(`127.0.0.1:${pg.port}`, 'shop-pg.flycast:5432');
    const r = await rollback(
      'via-tunnel',
      { 'applied-migrations': classes, 'database-url': privateUrl, 'fly-postgres-app': 'shop-pg' },
      dir,
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'true' });
    expect(await columns(db.name)).toContain('legacy');
    const proxy = (await sim.calls()).filter((c) => c.args[0] === 'proxy').at(-1);
    expect(proxy?.args).toEqual(['proxy', '0:5432', '--app', 'shop-pg', '--watch-stdin']);
    expect(proxy?.hadToken).toBe(true);
    expect(r.log).toMatch(/Tunnel ready on 127\.0\.0\.1:\d+/);
    expect(findLeaks(r, [TOKEN, GH_TOKEN, privateUrl, new URL(db.url).password])).toEqual([]);
  });
});
