import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, postgresAttachments, seedPostgresCluster, startFlySim } from '../src/index';

let sim: FlySim;
let server: PgServer;
const env = { FLY_API_TOKEN: 'good-token' };

beforeAll(async () => {
  [sim, server] = await Promise.all([startFlySim({ tokens: ['good-token'] }), startPostgres({ version: 18 })]);
  await seedPostgresCluster(sim, 'shop-db', { adminUrl: server.url('postgres'), token: 'good-token' });
  await sim.run(['apps', 'create', 'pr-1-shop', '--org', 'personal'], { env });
  await sim.run(['apps', 'create', 'plain-app', '--org', 'personal'], { env });
}, 120_000);
afterAll(async () => {
  await Promise.allSettled([sim?.stop(), server?.stop()]);
});

describe('postgres attach', () => {
  it('creates the database and user, stores DATABASE_URL and prints what flyctl prints', async () => {
    const r = await sim.run(['postgres', 'attach', 'shop-db', '--app', 'pr-1-shop', '--yes'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m =
      /DATABASE_URL=(postgres:\/\/pr_1_shop:([A-Za-z0-9]{15})@shop-db\.flycast:5432\/pr_1_shop\?sslmode=disable)\n$/.exec(
        r.stdout,
      );
    expect(m).not.toBeNull();
    expect(r.stdout.split('\n').slice(0, 6)).toEqual([
      'Checking for existing attachments',
      'Registering attachment',
      'Creating database',
      'Creating user',
      '',
      'Postgres cluster shop-db is now attached to pr-1-shop',
    ]);
    expect(sim.state().apps['pr-1-shop'].secrets.DATABASE_URL).toMatchObject({ deployed: false });
    // The URL works against the real server once its host is the cluster's (what the proxy gives).
    const url = new URL(m?.[1] ?? '');
    url.hostname = server.host;
    url.port = String(server.port);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    expect((await client.query('SELECT current_database() AS db, current_user AS u')).rows[0]).toEqual({
      db: 'pr_1_shop',
      u: 'pr_1_shop',
    });
    await client.end();
  });

  it('refuses a second attach (the secret exists) and a user that exists', async () => {
    const again = await sim.run(['pg', 'attach', 'shop-db', '-a', 'pr-1-shop', '--yes'], { env });
    expect(again.stderr).toBe('Error: consumer app "pr-1-shop" already contains a secret named DATABASE_URL\n');
    const user = await sim.run(['postgres', 'attach', 'shop-db', '-a', 'plain-app', '--database-user', 'pr_1_shop'], {
      env,
    });
    expect(user.stderr).toBe(
      'Error: database user "pr_1_shop" already exists. Please specify a new database user via --database-user\n',
    );
  });

  it('asks before reusing an existing database, and cannot ask without a terminal', async () => {
    const r = await sim.run(['postgres', 'attach', 'shop-db', '-a', 'plain-app', '--database-name', 'pr_1_shop'], {
      env,
    });
    expect(r.stderr).toBe('Error: prompt: non interactive\n');
  });

  it('names a missing cluster, an app that is not a cluster and a missing app', async () => {
    const missing = await sim.run(['postgres', 'attach', 'nope-db', '-a', 'plain-app'], { env });
    expect(missing.stderr).toBe('Error: failed retrieving postgres app nope-db: Could not find App "nope-db"\n');
    const notPg = await sim.run(['postgres', 'attach', 'plain-app', '-a', 'pr-1-shop'], { env });
    expect(notPg.stderr).toBe('Error: app plain-app is not a postgres app\n');
    const noApp = await sim.run(['postgres', 'attach', 'shop-db', '-a', 'gone'], { env });
    expect(noApp.stderr).toBe('Error: failed retrieving app gone: Could not find App "gone"\n');
  });
});

describe('postgres db list', () => {
  it('lists databases with their users, as a table and as JSON', async () => {
    const json = await sim.run(['postgres', 'db', 'list', '-a', 'shop-db', '--json'], { env });
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { Name: string; Users: string[] }[];
    expect(rows.find((d) => d.Name === 'pr_1_shop')?.Users).toEqual(['pr_1_shop']);
    expect(json.stdout).toContain('\n    {\n        "Name": ');
    const table = await sim.run(['postgres', 'db', 'ls', '-a', 'shop-db'], { env });
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^NAME\s+USERS\n/);
    expect(table.stdout).toMatch(/\npr_1_shop\s+pr_1_shop\n/);
    const notPg = await sim.run(['postgres', 'db', 'list', '-a', 'plain-app'], { env });
    expect(notPg.stderr).toBe('Error: app plain-app is not a postgres app\n');
  });
});

describe('postgres detach', () => {
  it('stops at the attachment prompt without a terminal, as flyctl does in CI', async () => {
    const r = await sim.run(['postgres', 'detach', 'shop-db', '-a', 'pr-1-shop'], { env });
    expect(r.stderr).toBe('Error: prompt: non interactive\n');
    expect(postgresAttachments(sim.stateDir)).toHaveLength(1);
  });

  it('with a terminal: drops the user, schedules the secret removal, keeps the database', async () => {
    const r = await sim.run(['postgres', 'detach', 'shop-db', '-a', 'pr-1-shop'], {
      env: { ...env, FLY_SIM_INTERACTIVE: '1' },
    });
    expect(r.stdout).toBe(
      'Secret "DATABASE_URL" was scheduled to be removed from app pr-1-shop\nDetach completed successfully!\n',
    );
    expect(await server.query('postgres', "SELECT 1 FROM pg_roles WHERE rolname = 'pr_1_shop'")).toHaveLength(0);
    expect(await server.query('postgres', "SELECT 1 FROM pg_database WHERE datname = 'pr_1_shop'")).toHaveLength(1);
    expect(sim.state().apps['pr-1-shop'].secrets.DATABASE_URL).toBeUndefined();
    const none = await sim.run(['postgres', 'detach', 'shop-db', '-a', 'pr-1-shop'], { env });
    expect(none.stderr).toBe('Error: no attachments found\n');
  });
});
