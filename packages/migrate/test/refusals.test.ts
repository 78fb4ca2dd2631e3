import { dirname } from 'node:path';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrateOptions, MigrationError, migrate } from '../src/index';
import { migrationsDir } from './helpers';

/** The adversarial review's reproductions: each is refused before anything runs, or located exactly. */
let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 18 });
});
afterAll(async () => {
  await server?.stop();
});

async function setup(files: Record<string, string>) {
  const db = await server.createDatabase('refuse');
  const dir = migrationsDir(files);
  const run = (extra: Partial<MigrateOptions> = {}) =>
    migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off', lockWaitMs: 5_000, ...extra });
  const tables = async () =>
    (await server.query(db.name, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map(
      (r) => r.tablename,
    );
  return { db, run, tables };
}

describe('pg-migrate refuses before anything runs', () => {
  it('SQL before `-- migrate:up`', async () => {
    const { run, tables } = await setup({
      '0001_x.sql':
        'CREATE TABLE lost_before_marker(id int);\n-- migrate:up\nCREATE TABLE kept(id int);\n-- migrate:down\nDROP TABLE kept;\n',
    });
    await expect(run()).rejects.toThrow(/migrations\/0001_x\.sql:1: SQL before `-- migrate:up` would never run/);
    expect(await tables()).toEqual([]);
  });

  it('two files of one version and name, in each layout mix', async () => {
    const mixes: Record<string, string>[] = [
      { '0002_a.sql': 'CREATE TABLE from_plain(id int);', '0002_a.up.sql': 'CREATE TABLE from_up_sql(id int);' },
      { '2_a.sql': 'CREATE TABLE x2(id int);', '0002_a.sql': 'CREATE TABLE x0002(id int);' },
      { '0002_a.sql': 'CREATE TABLE f(id int);', '0002_a/up.sql': 'CREATE TABLE g(id int);' },
    ];
    for (const files of mixes) {
      const { run, tables } = await setup(files);
      await expect(run(), JSON.stringify(files)).rejects.toThrow(
        /Two (up scripts for migration|migrations have version)/,
      );
      expect(await tables()).toEqual([]);
    }
  });

  it('`.SQL` and a versioned folder without up.sql', async () => {
    const upper = await setup({ '0001_a.sql': 'CREATE TABLE a(id int);', '0002_x.SQL': 'CREATE TABLE x(id int);' });
    await expect(upper.run()).rejects.toThrow(/0002_x\.SQL: a migration file must end in lower-case \.sql/);
    const folder = await setup({ '0001_a.sql': 'CREATE TABLE a(id int);', '0004_y/Up.sql': 'CREATE TABLE y(id int);' });
    await expect(folder.run()).rejects.toThrow(/0004_y\/: a versioned folder without up\.sql/);
    expect(await folder.tables()).toEqual([]);
  });

  it('REINDEX SCHEMA and ALTER DATABASE SET TABLESPACE in a transactional migration, also in a real run', async () => {
    for (const sql of ['REINDEX SCHEMA public;', 'ALTER DATABASE postgres SET TABLESPACE pg_default;']) {
      const { run, tables } = await setup({ '0001_ok.sql': 'CREATE TABLE t(id int);', '0002_x.sql': sql });
      await expect(run({ dryRun: true })).rejects.toThrow(/0002_x\.sql:1: .* cannot run inside a transaction/);
      await expect(run()).rejects.toThrow(
        /0002_x\.sql:1: (REINDEX SCHEMA|ALTER DATABASE \.\.\. SET TABLESPACE) cannot/,
      );
      expect(await tables()).toEqual([]);
    }
  });

  it('a URL without a database name is an input error, not a run against the maintenance database', async () => {
    const { db, run } = await setup({ '0001_a.sql': 'CREATE TABLE a(id int);' });
    const noDatabase = db.url.slice(0, db.url.lastIndexOf('/'));
    await expect(run({ databaseUrl: noDatabase })).rejects.toThrow(
      /Invalid input 'database-url': the URL names no database/,
    );
    await expect(run({ databaseUrl: `${noDatabase}/` })).rejects.toThrow(/names no database/);
    expect(await server.query('postgres', `SELECT to_regclass('public.a') AS t`)).toEqual([{ t: null }]);
  });

  it('COPY FROM stdin, an unterminated string, psql meta-commands, each named with file, line and fix', async () => {
    const cases: [string, RegExp][] = [
      ['CREATE TABLE c(id int);\nCOPY c FROM stdin;\n', /0002_x\.sql:2: COPY \.\.\. FROM stdin needs psql/],
      [
        "CREATE TABLE s(v text);\nINSERT INTO s VALUES ('never closed);\n",
        /0002_x\.sql:2: unterminated quoted string[\s\S]*never closed/,
      ],
      ['\\set ON_ERROR_STOP on\nCREATE TABLE m(id int);\n', /0002_x\.sql:1: \\set is a psql meta-command, not SQL/],
    ];
    for (const [sql, message] of cases) {
      const { run, tables } = await setup({ '0001_ok.sql': 'CREATE TABLE t(id int);', '0002_x.sql': sql });
      await expect(run(), sql).rejects.toThrow(message);
      expect(await tables()).toEqual([]);
    }
  });
});

describe('pg-migrate locates runtime errors', () => {
  it('the line of a server error after characters outside the BMP', async () => {
    const { run } = await setup({
      '0001_t.sql': 'CREATE TABLE t(id int);',
      '0002_x.sql': `-- ${'🎉'.repeat(43)}\n-- two\n-- three\nSELECT nosuchcol FROM t;\n`,
    });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).location).toEqual({ file: 'migrations/0002_x.sql', line: 4 });
  });
});
