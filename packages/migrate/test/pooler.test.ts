/**
 * Exclusivity and clean sessions whatever sits between pg-migrate and PostgreSQL: a direct
 * connection, and a real PgBouncer (Debian's package) on a free loopback port in transaction and
 * in session mode, so nothing can recognise it by its URL.
 */
import { dirname } from 'node:path';
import { type PgBouncer, pgBouncerBinary, startPgBouncer } from '@deploy-actions/testkit/pgbouncer';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { UserError } from '@deploy-actions/toolkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrateOptions, migrate } from '../src/index';
import { migrationsDir } from './helpers';

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 18 });
});
afterAll(async () => {
  await server?.stop();
});

async function setup(files: Record<string, string>) {
  const db = await server.createDatabase('lockdb');
  const dir = migrationsDir(files);
  const run = (extra: Partial<MigrateOptions> = {}) =>
    migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off', lockWaitMs: 5_000, ...extra });
  const q = (sql: string) => server.query(db.name, sql);
  /** Advisory locks held in this database, by anyone. */
  const advisoryLocks = async () =>
    (
      await q(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      )
    )[0].n;
  return { db, run, q, advisoryLocks };
}

/** The transaction-pooling reproduction: a log table, then a non-transactional migration with visible side effects. */
const SIDE_EFFECTS = {
  '0001_log.sql': 'CREATE TABLE log (n int);\n',
  '0002_side_effect.sql':
    '-- pg-migrate:no-transaction\nINSERT INTO log VALUES (2);\nSELECT pg_sleep(0.3);\nINSERT INTO log VALUES (2);\nSELECT pg_sleep(0.3);\nINSERT INTO log VALUES (2);\n',
  '0003_t.sql': 'INSERT INTO log VALUES (3);\nCREATE TABLE t3 (id int);\n',
  '0004_t.sql': 'INSERT INTO log VALUES (4);\nCREATE TABLE t4 (id int);\n',
};

async function settle<T>(runs: Promise<T>[]) {
  const results = await Promise.allSettled(runs);
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  return { ok: results.length - errors.length, errors };
}

describe('session state between the migrations of one run', () => {
  /** Applies `files` in one run and in one run per file: both must leave the same result. */
  async function batchedAndSplit(files: Record<string, string>, probe: string) {
    const batched = await setup(files);
    await batched.run();
    const split = await setup(files);
    for (let v = 1; v <= Object.keys(files).length; v++) await split.run({ target: String(v).padStart(4, '0') });
    const [a, b] = [await batched.q(probe), await split.q(probe)];
    expect(a).toEqual(b);
    return a;
  }

  it('a session SET search_path, statement_timeout or session_replication_role ends with its migration', async () => {
    const rows = await batchedAndSplit(
      {
        '0001_setup.sql':
          'CREATE SCHEMA app;\nCREATE TABLE parent (id int PRIMARY KEY);\nCREATE TABLE child (p int REFERENCES parent);\n',
        '0002_sets.sql':
          "SET search_path = app, public;\nSET statement_timeout = '100ms';\nSET session_replication_role = replica;\n",
        '0003_a2.sql': 'CREATE TABLE a2 (id int);\nSELECT pg_sleep(0.3);\n',
        '0004_orphan.sql':
          'DO $$ BEGIN INSERT INTO child VALUES (42); EXCEPTION WHEN foreign_key_violation THEN CREATE TABLE fk_held (); END $$;\n',
      },
      `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname IN ('a2', 'fk_held') ORDER BY 2`,
    );
    expect(rows).toEqual([
      { nspname: 'public', relname: 'a2' },
      { nspname: 'public', relname: 'fk_held' },
    ]);
  });

  it('a temporary table ends with its migration: a later insert lands in the real table', async () => {
    const rows = await batchedAndSplit(
      {
        '0001_temp.sql': 'CREATE TEMP TABLE staging (id int);\n',
        '0002_real.sql': 'CREATE TABLE staging (id int);\nINSERT INTO staging VALUES (1);\n',
        '0003_nontx.sql':
          '-- pg-migrate:no-transaction\nCREATE TEMP TABLE scratch (id int);\nSET search_path = pg_temp;\n',
        '0004_real.sql': 'CREATE TABLE scratch (id int);\nINSERT INTO scratch VALUES (2);\n',
      },
      `SELECT (SELECT count(*)::int FROM public.staging) AS staging, (SELECT count(*)::int FROM public.scratch) AS scratch`,
    );
    expect(rows).toEqual([{ staging: 1, scratch: 1 }]);
  });

  it('SET TRANSACTION ISOLATION LEVEL works in any migration of a run, after comments', async () => {
    const { run, q } = await setup({
      '0001_a.sql': 'CREATE TABLE a (id int);\n',
      '0002_iso.sql':
        '-- serializable on purpose\n/* why */ SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nCREATE TABLE iso AS SELECT current_setting($$transaction_isolation$$) AS level;\n',
      '0003_b.sql': 'CREATE TABLE b AS SELECT current_setting($$transaction_isolation$$) AS level;\n',
    });
    const result = await run();
    expect(result.done.map((d) => d.version)).toEqual(['0001', '0002', '0003']);
    expect(await q('SELECT (SELECT level FROM iso) AS iso, (SELECT level FROM b) AS b')).toEqual([
      { iso: 'serializable', b: 'read committed' },
    ]);
  });

  it('a failure behind a migration that opens with SET TRANSACTION still applies nothing after it', async () => {
    const { run, q } = await setup({
      '0001_a.sql': 'CREATE TABLE a (id int);\n',
      '0002_bad.sql': 'INSERT INTO a VALUES (1 / 0);\n',
      '0003_iso.sql': 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\nCREATE TABLE c (id int);\n',
    });
    const error = await run().catch((e) => e);
    expect(error.message).toMatch(/0002_bad\.sql:1/);
    expect(await q(`SELECT to_regclass('c') IS NULL AS absent`)).toEqual([{ absent: true }]);
  });
});

describe('the migration lock on a direct connection', () => {
  it('takes one connection, holds the lock while it works, and leaves none held', async () => {
    const { run, q, advisoryLocks } = await setup({
      '0001_a.sql': 'CREATE TABLE seen AS SELECT count(*)::int AS n FROM pg_locks WHERE locktype = $$advisory$$;\n',
    });
    await run({ appliedBy: 'one-connection' });
    expect(await q('SELECT n FROM seen')).toEqual([{ n: 1 }]);
    expect(await advisoryLocks()).toBe(0);
  });

  it('stops right after a non-transactional statement that released the lock, its progress kept', async () => {
    const { run, q, advisoryLocks } = await setup({
      '0001_unlock.sql':
        '-- pg-migrate:no-transaction\nSELECT pg_advisory_unlock_all();\nCREATE TABLE after_unlock (id int);\n',
      '0002_b.sql': 'CREATE TABLE b (id int);\n',
    });
    const error = await run().catch((e) => e);
    expect(error.message).toMatch(/Stopped after statement 1 of 2 of 0001_unlock.*no longer holds the migration lock/);
    expect(
      await q(`SELECT to_regclass('after_unlock') IS NULL AS a, to_regclass('b') IS NULL AS b, statements_done
        FROM schema_migrations WHERE version = '0001'`),
    ).toEqual([{ a: true, b: true, statements_done: 1 }]);
    expect(await advisoryLocks()).toBe(0);
  });
});

const bouncerMissing = pgBouncerBinary() ? false : 'pgbouncer is not installed (apt-get install pgbouncer)';
// The reason shows in the results as a skipped test.
if (bouncerMissing) it.skip(`PgBouncer tests: skipped because ${bouncerMissing}`, () => undefined);

describe.skipIf(bouncerMissing)('through PgBouncer in transaction mode on an unusual port', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer(server, { poolMode: 'transaction', poolSize: 3 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('is found at run time and refused, naming the pooler and the fix; nothing changes, no lock stays', async () => {
    const { db, run, q, advisoryLocks } = await setup(SIDE_EFFECTS);
    expect(bouncer.url(db.name)).not.toMatch(/6432|pgbouncer|pooler/);
    const error = await run({ databaseUrl: bouncer.url(db.name) }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/reaches PostgreSQL through a connection pooler \(such as PgBouncer\)/);
    expect(error.hint).toMatch(/direct \(unpooled\) database URL.*allow-pooler: true/);
    expect(await q(`SELECT to_regclass('log') IS NULL AS absent`)).toEqual([{ absent: true }]);
    expect(await advisoryLocks()).toBe(0);
  });

  it('8 concurrent runners refuse clearly; nothing is applied and no lock stays held', async () => {
    const { db, run, q, advisoryLocks } = await setup(SIDE_EFFECTS);
    const { ok, errors } = await settle(
      Array.from({ length: 8 }, (_, i) => run({ databaseUrl: bouncer.url(db.name), appliedBy: `runner ${i}` })),
    );
    expect(ok).toBe(0);
    for (const e of errors) expect(e.message).toMatch(/through a connection pooler/);
    expect(await q(`SELECT to_regclass('log') IS NULL AS absent`)).toEqual([{ absent: true }]);
    expect(await advisoryLocks()).toBe(0);
  });

  it('with allow-pooler, 8 concurrent runners apply every migration exactly once or refuse clearly; no lock stays held', async () => {
    for (let round = 0; round < 2; round++) {
      const { db, run, q, advisoryLocks } = await setup(SIDE_EFFECTS);
      const runs = () =>
        settle(
          Array.from({ length: 8 }, (_, i) =>
            run({ databaseUrl: bouncer.url(db.name), allowPooler: true, appliedBy: `runner ${i}`, lockWaitMs: 20_000 }),
          ),
        );
      const { errors } = await runs();
      for (const e of errors) {
        expect(e).toBeInstanceOf(UserError);
        expect(e.message).toMatch(/pooler|migration lock/);
      }
      expect(await advisoryLocks()).toBe(0);
      // Whatever was applied was applied once; a direct run finishes the rest from there.
      await run();
      expect(await q('SELECT n, count(*)::int AS times FROM log GROUP BY n ORDER BY n')).toEqual([
        { n: 2, times: 3 },
        { n: 3, times: 1 },
        { n: 4, times: 1 },
      ]);
      expect(await advisoryLocks()).toBe(0);
    }
  });
});

describe.skipIf(bouncerMissing)('through PgBouncer in session mode, pool of 3', () => {
  let bouncer: PgBouncer;
  beforeAll(async () => {
    bouncer = await startPgBouncer(server, { poolMode: 'session', poolSize: 3 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  it('6 concurrent runners do not deadlock: each migration is applied once, every runner ends', async () => {
    const { db, run, q, advisoryLocks } = await setup(SIDE_EFFECTS);
    const { ok, errors } = await settle(
      Array.from({ length: 6 }, (_, i) =>
        run({ databaseUrl: bouncer.url(db.name), allowPooler: true, appliedBy: `runner ${i}`, lockWaitMs: 30_000 }),
      ),
    );
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(ok).toBe(6);
    expect(await q('SELECT n, count(*)::int AS times FROM log GROUP BY n ORDER BY n')).toEqual([
      { n: 2, times: 3 },
      { n: 3, times: 1 },
      { n: 4, times: 1 },
    ]);
    expect(await advisoryLocks()).toBe(0);
  });

  it('runners that cannot get the lock or a server connection within lock-wait end with a clear message', async () => {
    const { db, run, q } = await setup({
      '0001_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(8);\n',
    });
    const { ok, errors } = await settle(
      Array.from({ length: 6 }, (_, i) =>
        run({ databaseUrl: bouncer.url(db.name), allowPooler: true, appliedBy: `runner ${i}`, lockWaitMs: 2_000 }),
      ),
    );
    expect(ok).toBe(1);
    expect(errors).toHaveLength(5);
    for (const e of errors) {
      expect(e).toBeInstanceOf(UserError);
      expect(e.message).toMatch(
        /Timed out after 2\.0s waiting for the migration lock|did not answer the first query within 5\.0s/,
      );
    }
    expect(await q('SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 1 }]);
  });

  it('a runner queued by a full pool gives up within lock-wait (at least 5 s) with a clear message', async () => {
    const { db, run, q } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);\n' });
    // Three app sessions hold the pool's three server connections (session mode pins them).
    const apps = Array.from({ length: 3 }, () => new pg.Client({ connectionString: bouncer.url(db.name) }));
    try {
      for (const app of apps) {
        await app.connect();
        await app.query('SELECT 1');
      }
      const error = await run({ databaseUrl: bouncer.url(db.name), allowPooler: true, lockWaitMs: 1_000 }).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(
        /PostgreSQL did not answer the first query within 5\.0s: .*pooler's in session mode/,
      );
      expect(error.hint).toMatch(/default_pool_size/);
    } finally {
      for (const app of apps) await app.end().catch(() => undefined);
    }
    expect(await q(`SELECT to_regclass('a') IS NULL AS absent`)).toEqual([{ absent: true }]);
  });
});
