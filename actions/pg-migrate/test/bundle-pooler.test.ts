/**
 * The pg-migrate bundle behind a real PgBouncer (Debian's package) on a free loopback port: a
 * transaction-mode pooler is refused with a clear message whatever its URL, and runners
 * sharing a small session-mode pool all finish instead of deadlocking. No stack traces.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBundle } from '@deploy-actions/runner';
import { type PgBouncer, pgBouncerBinary, startPgBouncer } from '@deploy-actions/testkit/pgbouncer';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FILES = {
  '0001_log.sql': 'CREATE TABLE log (n int);\n',
  '0002_side_effect.sql':
    '-- pg-migrate:no-transaction\nINSERT INTO log VALUES (2);\nSELECT pg_sleep(0.3);\nINSERT INTO log VALUES (2);\n',
  '0003_t.sql': 'INSERT INTO log VALUES (3);\n',
};

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-ws-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(FILES)) writeFileSync(join(dir, 'migrations', name), sql);
  return dir;
}

const missing = pgBouncerBinary() ? false : 'pgbouncer is not installed (apt-get install pgbouncer)';
// The reason shows in the results as a skipped test.
if (missing) it.skip(`PgBouncer tests: skipped because ${missing}`, () => undefined);

describe.skipIf(missing)('pg-migrate bundle through PgBouncer', () => {
  let server: PgServer;
  let transaction: PgBouncer;
  let session: PgBouncer;
  beforeAll(async () => {
    server = await startPostgres({ version: 18 });
    [transaction, session] = await Promise.all([
      startPgBouncer(server, { poolMode: 'transaction', poolSize: 3 }),
      startPgBouncer(server, { poolMode: 'session', poolSize: 3 }),
    ]);
  });
  afterAll(async () => {
    await transaction?.stop();
    await session?.stop();
    await server?.stop();
  });

  const advisoryLocks = async (db: string) =>
    (await server.query(db, `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`))[0].n;

  it('transaction pooling on an unusual port is refused by 4 runners at once, naming the pooler and the fix', async () => {
    const db = await server.createDatabase('bundle_tx_pool');
    const cwd = workspace();
    const runs = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        runBundle('pg-migrate', {
          cwd,
          inputs: { 'database-url': transaction.url(db.name), lint: 'off' },
          context: { runId: String(i) },
        }),
      ),
    );
    for (const run of runs) {
      expect(run.exitCode).toBe(1);
      const error = run.annotations.find((a) => a.level === 'error');
      expect(error?.message).toMatch(/reaches PostgreSQL through a connection pooler \(such as PgBouncer\)/);
      expect(run.log).toMatch(/direct \(unpooled\) database URL/);
      expect(run.log).not.toMatch(/a bug in deploy-actions|\n\s+at /);
      expect(run.debug.join('\n')).not.toMatch(/\n\s+at /);
    }
    expect(await server.query(db.name, `SELECT to_regclass('log') IS NULL AS absent`)).toEqual([{ absent: true }]);
    expect(await advisoryLocks(db.name)).toBe(0);
  });

  it('6 runners through a session pool of 3 with allow-pooler all finish; each migration applied once', async () => {
    const db = await server.createDatabase('bundle_session_pool');
    const cwd = workspace();
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        runBundle('pg-migrate', {
          cwd,
          inputs: { 'database-url': session.url(db.name), 'allow-pooler': true, 'lock-wait': '60s', lint: 'off' },
          context: { runId: String(i) },
        }),
      ),
    );
    for (const run of runs) expect(run.log).not.toMatch(/a bug in deploy-actions|query_wait_timeout|\n\s+at /);
    expect(runs.map((r) => r.exitCode)).toEqual(Array(6).fill(0));
    expect(runs.reduce((n, r) => n + Number(r.outputs['applied-count']), 0)).toBe(3);
    expect(await server.query(db.name, 'SELECT n, count(*)::int AS times FROM log GROUP BY n ORDER BY n')).toEqual([
      { n: 2, times: 2 },
      { n: 3, times: 1 },
    ]);
    expect(await advisoryLocks(db.name)).toBe(0);
  });
});
