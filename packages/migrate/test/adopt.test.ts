import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrateOptions, migrate, readMigrations } from '../src/index';
import { addFile, capture, migrationsDir } from './helpers';

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
/** The real tools, from devDependencies. */
const DBMATE = join(dirname(require.resolve('dbmate/package.json')), '..', '.bin', 'dbmate');
const NODE_PG_MIGRATE = join(dirname(require.resolve('node-pg-migrate/package.json')), 'bin', 'node-pg-migrate.js');

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 18 });
});
afterAll(async () => {
  await server?.stop();
});

async function setup(files: Record<string, string>) {
  const db = await server.createDatabase('adopt');
  const dir = migrationsDir(files);
  const root = dirname(dir);
  const migrateRun = (extra: Partial<MigrateOptions> = {}) =>
    migrate({ databaseUrl: db.url, dir: 'migrations', root, lint: 'off', lockWaitMs: 5_000, ...extra });
  const q = (sql: string) => server.query(db.name, sql);
  return { db, dir, root, run: migrateRun, q };
}

describe('adopting a database migrated before pg-migrate', () => {
  it('baseline records every migration up to it, with checksums, without running it; once', async () => {
    const { run, q, dir, root } = await setup({
      '0001_a.sql': 'CREATE TABLE a (id int);\n',
      '0002_b.sql': 'CREATE TABLE b (id int);\n',
      '0003_c.sql': 'CREATE TABLE c (id int);\n',
    });
    // Made by hand before pg-migrate: running 0001 or 0002 again would fail.
    await q('CREATE TABLE a (id int); CREATE TABLE b (id int);');
    await expect(run({ baseline: '0004' })).rejects.toThrow(
      /Invalid input 'baseline': 0004 is not the version of a migration in the folder/,
    );
    const dry = await run({ baseline: '0002', dryRun: true });
    expect(dry.plan.map((p) => p.file.version)).toEqual(['0003']);
    expect(await q(`SELECT to_regclass('schema_migrations') AS t`)).toEqual([{ t: null }]);

    const log = capture();
    const result = await run({ baseline: '0002', logger: log, appliedBy: 'octocat run 5' });
    expect(result.done.map((d) => d.version)).toEqual(['0003']);
    expect(result.adopted).toEqual({ source: 'baseline 0002', versions: ['0001', '0002'] });
    expect(result.previousVersion).toBe('0002');
    expect(log.infos.join('\n')).toContain('Recording 2 migrations as applied without running them (baseline 0002)');
    const files = readMigrations(dir, root);
    const rows = await q('SELECT version, checksum, applied_by, execution_ms FROM schema_migrations ORDER BY version');
    expect(rows).toEqual([
      { version: '0001', checksum: files[0].checksum, applied_by: 'octocat run 5 (baseline 0002)', execution_ms: 0 },
      { version: '0002', checksum: files[1].checksum, applied_by: 'octocat run 5 (baseline 0002)', execution_ms: 0 },
      { version: '0003', checksum: files[2].checksum, applied_by: 'octocat run 5', execution_ms: expect.any(Number) },
    ]);

    // The same input on the next deploy records nothing again and applies what is new.
    addFile(dir, '0004_d.sql', 'CREATE TABLE d (id int);\n');
    expect((await run({ baseline: '0002' })).done.map((d) => d.version)).toEqual(['0004']);
    // Another baseline once migrations are recorded is refused.
    await expect(run({ baseline: '0003' })).rejects.toThrow(
      /Cannot baseline at 0003: public\.schema_migrations already records 4 migrations \(newest 0004_d\)/,
    );
  });

  it('a baseline at the newest migration records everything and runs nothing', async () => {
    const { run, q } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);\n' });
    await q('CREATE TABLE a (id int);');
    const result = await run({ baseline: '0001' });
    expect(result.done).toEqual([]);
    expect(result.adopted?.versions).toEqual(['0001']);
    expect(result.currentVersion).toBe('0001');
    expect(result.pendingCount).toBe(0);
    expect(await q('SELECT version FROM schema_migrations')).toEqual([{ version: '0001' }]);
  });

  it("imports dbmate's history, saying how when dbmate's table holds pg-migrate's table name", async () => {
    const { db, dir, run, q } = await setup({
      '20240101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
      '20240102000000_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
    });
    const url = `${db.url}?sslmode=disable`;
    await exec(DBMATE, ['--url', url, '--migrations-dir', dir, '--no-dump-schema', 'up']);
    expect((await q('SELECT version FROM schema_migrations ORDER BY 1')).map((r) => r.version)).toEqual([
      '20240101000000',
      '20240102000000',
    ]);
    await expect(run()).rejects.toThrow(
      /public\.schema_migrations exists but is not a pg-migrate tracking table .*It is dbmate's history table\. .*set the `table` input to another name/,
    );
    addFile(dir, '20240103000000_c.sql', '-- migrate:up\nCREATE TABLE c (id int);\n');
    const result = await run({ table: 'pg_migrate_history' });
    expect(result.adopted).toEqual({
      source: "dbmate's public.schema_migrations",
      versions: ['20240101000000', '20240102000000'],
    });
    expect(result.done.map((d) => d.version)).toEqual(['20240103000000']);
    expect((await q('SELECT version FROM pg_migrate_history ORDER BY 1')).length).toBe(3);
    // dbmate's table is left as it was.
    expect((await q('SELECT count(*)::int AS n FROM schema_migrations'))[0].n).toBe(2);
  });

  it("imports node-pg-migrate's pgmigrations, and refuses entries with no file", async () => {
    const { db, dir, run, q } = await setup({
      '1700000000000_users.sql':
        '-- Up Migration\nCREATE TABLE users (id int);\n-- Down Migration\nDROP TABLE users;\n',
      '1700000000001_posts.sql':
        '-- Up Migration\nCREATE TABLE posts (id int);\n-- Down Migration\nDROP TABLE posts;\n',
    });
    await exec(process.execPath, [NODE_PG_MIGRATE, 'up', '--migrations-dir', dir, '--no-check-order'], {
      env: { ...process.env, DATABASE_URL: db.url },
    });
    expect((await q('SELECT name FROM pgmigrations ORDER BY id')).map((r) => r.name)).toEqual([
      '1700000000000_users',
      '1700000000001_posts',
    ]);
    addFile(dir, '1700000000002_tags.sql', 'CREATE TABLE tags (id int);\n');
    const result = await run();
    expect(result.adopted?.source).toBe("node-pg-migrate's public.pgmigrations");
    expect(result.done.map((d) => d.version)).toEqual(['1700000000002']);
    expect((await q('SELECT count(*)::int AS n FROM schema_migrations'))[0].n).toBe(3);

    // A database whose history names a migration missing from the folder is not imported.
    const other = await setup({ '1700000000000_users.sql': 'CREATE TABLE users (id int);\n' });
    await other.q(
      `CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
       INSERT INTO pgmigrations (name, run_on) VALUES ('1700000000000_users', now()), ('1699999999999_gone', now());`,
    );
    await expect(other.run()).rejects.toThrow(
      /Found node-pg-migrate's public\.pgmigrations and could not import it: 1699999999999_gone \(recorded there, no migration with its version in the folder\)/,
    );
    expect(await other.q(`SELECT to_regclass('schema_migrations') AS t`)).toEqual([{ t: null }]);
  });

  it("imports Flyway's and Prisma's tables, refusing failed entries with the tool's fix", async () => {
    const flyway = await setup({
      '1_init.sql': 'CREATE TABLE a (id int);\n',
      '2_more.sql': 'CREATE TABLE b (id int);\n',
    });
    await flyway.q(`CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version varchar(50),
        description varchar(200), type varchar(20), script varchar(1000), checksum int, installed_by varchar(100),
        installed_on timestamp DEFAULT now(), execution_time int, success boolean);
      INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', 'V1__init.sql', 0, 'me', now(), 1, true);
      CREATE TABLE a (id int);`);
    const imported = await flyway.run();
    expect([imported.adopted?.versions, imported.done.map((d) => d.version)]).toEqual([['1'], ['2']]);

    const prisma = await setup({
      '20240101120000_init/migration.sql': 'CREATE TABLE "User" (id int);\n',
      '20240202120000_posts/migration.sql': 'CREATE TABLE "Post" (id int);\n',
    });
    await prisma.q(`CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,
        finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT NULL DEFAULT 0);
      INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name) VALUES
        ('a', 'x', NULL, '20240101120000_init');`);
    await expect(prisma.run()).rejects.toThrow(
      /20240101120000_init \(failed: `prisma migrate resolve` marks it applied or rolled back\)/,
    );
    await prisma.q(`UPDATE _prisma_migrations SET finished_at = now(); CREATE TABLE "User" (id int);`);
    const log = capture();
    const result = await prisma.run({ logger: log });
    expect([result.adopted?.versions, result.done.map((d) => d.version)]).toEqual([
      ['20240101120000'],
      ['20240202120000'],
    ]);
    // Prisma's checksum ('x' here) is compared with the file's.
    expect(log.warnings.map((w) => w.message).join('\n')).toMatch(/differs from what Prisma Migrate applied/);
  });
});
