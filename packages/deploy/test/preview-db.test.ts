import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fly } from '@deploy-actions/fly';
import { type FlySim, seedPostgresCluster, startFlySim } from '@deploy-actions/fly-sim';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closePreviewDatabase, openPreviewDatabase, previewDatabaseInput } from '../src/preview-db';
import { allowedPreviewSecrets } from '../src/preview-secrets';

/** The whole database side of a preview over fly-sim's `postgres` commands and a real PostgreSQL server. */
const TOKEN = 'fm2_preview-db-51c0e7';
const REPO = 'acme/shop';
let sim: FlySim;
let server: PgServer;
let fly: Fly;
let root: string;
/** What the team stores as the preview server's secret: the cluster's postgres user at its flycast name. */
let clusterUrl: string;

const migration = (name: string, sql: string) => writeFileSync(join(root, 'migrations', name), sql);

beforeAll(async () => {
  [sim, server] = await Promise.all([startFlySim({ tokens: [TOKEN] }), startPostgres({ version: 18 })]);
  fly = new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env } });
  await seedPostgresCluster(sim, 'shop-db', { adminUrl: server.url('postgres'), token: TOKEN });
  clusterUrl = `postgres://${server.user}:${encodeURIComponent(server.password)}@shop-db.flycast:5432/postgres`;
  root = mkdtempSync(join(tmpdir(), 'preview-db-'));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(root, 'migrations'));
  migration('0001_create_orders.sql', 'CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n');
  migration('0002_add_status.sql', "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n");
  writeFileSync(join(root, 'seed.sql'), 'INSERT INTO orders (id, total) VALUES (1, 9.5), (2, 20);\n');
});
afterAll(async () => {
  await Promise.allSettled([sim?.stop(), server?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

async function createApp(name: string) {
  await fly.run(['apps', 'create', name, '--org', 'personal']);
}

/** The app's own DATABASE_URL (as attach stored it), pointed at the real server. */
function appUrl(app: string): string {
  const url = new URL(sim.state().apps[app].secrets.DATABASE_URL.value);
  url.hostname = server.host;
  url.port = String(server.port);
  return url.toString();
}

async function rowsAs(url: string, sql: string) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(sql)).rows;
  } finally {
    await db.end();
  }
}

const request = (app: string, pr: number, extra = {}) => ({
  app,
  repository: REPO,
  pr,
  serverUrl: clusterUrl,
  postgresApp: 'shop-db',
  migrationsDir: 'migrations',
  seedFile: join(root, 'seed.sql'),
  root,
  ...extra,
});

const exists = async (name: string) =>
  (await server.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length === 1;
const roleExists = async (name: string) =>
  (await server.query('postgres', 'SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;

describe('a preview database in a Fly Postgres cluster', () => {
  it('opens: created, attached (the app has its own user), migrated, seeded', async () => {
    await createApp('pr-7-shop-d21b2c');
    const outcome = await openPreviewDatabase(fly, request('pr-7-shop-d21b2c', 7));
    expect(outcome).toEqual({
      name: 'pr_7_shop_d21b2c',
      created: true,
      attached: true,
      applied: ['0001', '0002'],
      seeded: true,
    });
    const rows = await rowsAs(
      appUrl('pr-7-shop-d21b2c'),
      'SELECT id, status, current_user AS u FROM orders ORDER BY id',
    );
    expect(rows).toEqual([
      { id: '1', status: 'new', u: 'pr_7_shop_d21b2c' },
      { id: '2', status: 'new', u: 'pr_7_shop_d21b2c' },
    ]);
  });

  it('a second push applies only the new migration, and neither attaches nor seeds again', async () => {
    migration('0003_index_status.sql', 'CREATE INDEX orders_status ON orders (status);\n');
    const before = sim.state().apps['pr-7-shop-d21b2c'].secrets.DATABASE_URL.digest;
    const writes: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const outcome = await openPreviewDatabase(fly, request('pr-7-shop-d21b2c', 7)).finally(() => stdout.mockRestore());
    // squawk's finding on the new file is an annotation on it, as pg-migrate's are.
    expect(writes.join('')).toMatch(
      /::warning file=migrations\/0003_index_status\.sql,line=1::require-concurrent-index-creation/,
    );
    expect(outcome).toMatchObject({ created: false, attached: false, applied: ['0003'], seeded: false });
    expect(sim.state().apps['pr-7-shop-d21b2c'].secrets.DATABASE_URL.digest).toBe(before);
    expect(await rowsAs(appUrl('pr-7-shop-d21b2c'), 'SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 2 }]);
    // Re-running the same job changes nothing.
    expect(await openPreviewDatabase(fly, request('pr-7-shop-d21b2c', 7))).toMatchObject({ applied: [] });
  });

  it('closes: database and its user dropped; closing again is fine', async () => {
    expect(await closePreviewDatabase(fly, request('pr-7-shop-d21b2c', 7))).toBe(true);
    expect(await exists('pr_7_shop_d21b2c')).toBe(false);
    expect(await roleExists('pr_7_shop_d21b2c')).toBe(false);
    expect(await closePreviewDatabase(fly, request('pr-7-shop-d21b2c', 7))).toBe(false);
  });

  it('a cluster that does not exist: a clear error and nothing created', async () => {
    await createApp('pr-8-shop-d21b2c');
    await expect(openPreviewDatabase(fly, request('pr-8-shop-d21b2c', 8, { postgresApp: 'nope-db' }))).rejects.toThrow(
      "Input 'postgres-app': nope-db is not a Fly Postgres cluster this token can see",
    );
    expect(await exists('pr_8_shop_d21b2c')).toBe(false);
  });

  it('a database of that name that is not this preview: refused, untouched, and never dropped', async () => {
    await server.query('postgres', 'CREATE DATABASE pr_9_shop_d21b2c');
    await createApp('pr-9-shop-d21b2c');
    await expect(openPreviewDatabase(fly, request('pr-9-shop-d21b2c', 9))).rejects.toThrow(
      /Database pr_9_shop_d21b2c already exists on the preview server and is not the preview database of acme\/shop#9/,
    );
    await expect(closePreviewDatabase(fly, request('pr-9-shop-d21b2c', 9))).rejects.toThrow(/Refusing to drop/);
    expect(await exists('pr_9_shop_d21b2c')).toBe(true);
    expect(sim.state().apps['pr-9-shop-d21b2c'].secrets.DATABASE_URL).toBeUndefined();
  });

  it('a failing migration on the first run leaves no database, user or DATABASE_URL behind', async () => {
    const bad = mkdtempSync(join(root, 'bad-'));
    writeFileSync(join(bad, '0001_broken.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY;\n');
    await createApp('pr-10-shop-d21b2c');
    await expect(
      openPreviewDatabase(fly, request('pr-10-shop-d21b2c', 10, { migrationsDir: bad, seedFile: undefined })),
    ).rejects.toThrow();
    expect(await exists('pr_10_shop_d21b2c')).toBe(false);
    expect(await roleExists('pr_10_shop_d21b2c')).toBe(false);
    expect(sim.state().apps['pr-10-shop-d21b2c'].secrets.DATABASE_URL).toBeUndefined();
    // The next run (migration fixed) starts clean.
    writeFileSync(join(bad, '0001_broken.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY);\n');
    const again = await openPreviewDatabase(
      fly,
      request('pr-10-shop-d21b2c', 10, { migrationsDir: bad, seedFile: undefined }),
    );
    expect(again).toMatchObject({ created: true, attached: true, applied: ['0001'] });
  });
});

describe("a preview database with the team's own tracking table", () => {
  // An app that keeps a schema_migrations table of its own (Rails does): pg-migrate's default
  // tracking table collides with it; named as in production, the preview migrates.
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(root, 'own-table-'));
    writeFileSync(
      join(dir, '0001_app_versions.sql'),
      'CREATE TABLE schema_migrations (version varchar PRIMARY KEY);\n',
    );
    writeFileSync(join(dir, '0002_orders.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY);\n');
  });
  const own = (extra = {}) => request('pr-12-shop-d21b2c', 12, { migrationsDir: dir, seedFile: undefined, ...extra });

  it('the default table collides and the run leaves nothing behind; ops.migration_log migrates, unclassified', async () => {
    await createApp('pr-12-shop-d21b2c');
    const collided = await openPreviewDatabase(fly, own()).catch((error: Error) => error);
    expect(String(collided)).toMatch(/relation "schema_migrations" already exists/);
    expect(await exists('pr_12_shop_d21b2c')).toBe(false);

    // In modules of its own, so whether the parser process started shows: a preview does not classify.
    vi.resetModules();
    const fresh = await import('../src/preview-db');
    const parser = await import('../../migrate/src/parser-process');
    const outcome = await fresh.openPreviewDatabase(
      fly,
      own({ migrationsSchema: 'ops', migrationsTable: 'migration_log' }),
    );
    expect(outcome).toMatchObject({ created: true, applied: ['0001', '0002'] });
    expect(parser.parserProcessId()).toBeUndefined();
    const url = appUrl('pr-12-shop-d21b2c');
    expect(await rowsAs(url, 'SELECT version FROM ops.migration_log ORDER BY version')).toEqual([
      { version: '0001' },
      { version: '0002' },
    ]);
    // The app's own table is the migration's, empty, with its own columns.
    expect(await rowsAs(url, 'SELECT count(*)::int AS n FROM public.schema_migrations')).toEqual([{ n: 0 }]);
    expect(
      await rowsAs(
        url,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'schema_migrations'",
      ),
    ).toEqual([{ column_name: 'version' }]);
    // The next push reads the same table: nothing pending.
    expect(
      await openPreviewDatabase(fly, own({ migrationsSchema: 'ops', migrationsTable: 'migration_log' })),
    ).toMatchObject({ created: false, applied: [] });
  });
});

describe('a preview database on PostgreSQL elsewhere', () => {
  it('creates the database over the URL and stages it as DATABASE_URL', async () => {
    await createApp('pr-11-shop-d21b2c');
    const outcome = await openPreviewDatabase(
      fly,
      request('pr-11-shop-d21b2c', 11, { postgresApp: undefined, serverUrl: server.url('{database}') }),
    );
    expect(outcome).toMatchObject({ name: 'pr_11_shop_d21b2c', created: true, attached: true });
    const secret = sim.state().apps['pr-11-shop-d21b2c'].secrets.DATABASE_URL;
    expect(secret).toMatchObject({ value: server.url('pr_11_shop_d21b2c'), deployed: false });
    expect(
      await closePreviewDatabase(fly, {
        app: 'pr-11-shop-d21b2c',
        repository: REPO,
        pr: 11,
        serverUrl: server.url('{database}'),
      }),
    ).toBe(true);
  });
});

describe('inputs', () => {
  it('database inputs need database-url and preview mode', () => {
    expect(previewDatabaseInput({ preview: true })).toBeUndefined();
    expect(() => previewDatabaseInput({ preview: true, postgresApp: 'shop-db' })).toThrow(
      "Input 'database-url' is required with 'postgres-app'",
    );
    expect(() => previewDatabaseInput({ preview: false, serverUrl: 'postgres://a@b/c' })).toThrow(/preview mode only/);
    expect(() => previewDatabaseInput({ preview: true, migrationsTable: 'migration_log' })).toThrow(
      "Input 'database-url' is required with 'migrations-table'",
    );
  });

  it("the tracking table's inputs need migrations-dir, the folder they belong to", () => {
    const serverUrl = 'postgres://a@b/c';
    expect(() => previewDatabaseInput({ preview: true, serverUrl, migrationsSchema: 'ops' })).toThrow(
      "Input 'migrations-schema' names pg-migrate's tracking table, which only 'migrations-dir' uses",
    );
    expect(() =>
      previewDatabaseInput({ preview: true, serverUrl, migrationsSchema: 'ops', migrationsTable: 'log' }),
    ).toThrow("Inputs 'migrations-schema' and 'migrations-table' name pg-migrate's tracking table");
    expect(
      previewDatabaseInput({
        preview: true,
        serverUrl,
        migrationsDir: 'db',
        migrationsSchema: 'ops',
        migrationsTable: 'log',
      }),
    ).toEqual({ serverUrl, migrationsDir: 'db', migrationsSchema: 'ops', migrationsTable: 'log' });
  });

  it('only allow-listed secrets reach the preview; DATABASE_URL and the token are refused', () => {
    const entries = [
      { name: 'STRIPE_API_KEY', value: 'sk_test_1' },
      { name: 'LIVE_PAYMENTS_KEY', value: 'sk_live_2' },
    ];
    expect(allowedPreviewSecrets(['STRIPE_API_KEY', 'SMTP_URL'], entries)).toEqual({ STRIPE_API_KEY: 'sk_test_1' });
    expect(() => allowedPreviewSecrets(['DATABASE_URL'], entries)).toThrow(/preview-secrets/);
  });
});
