import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
const DBMATE = join(dirname(require.resolve('dbmate/package.json')), '..', '.bin', 'dbmate');
const NODE_PG_MIGRATE = join(dirname(require.resolve('node-pg-migrate/package.json')), 'bin', 'node-pg-migrate.js');

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 18 });
});
afterAll(async () => {
  await server?.stop();
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-adopt-'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, 'migrations', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'migrations', name), sql);
  }
  return dir;
}

describe('pg-migrate bundle adopts existing databases (Node 24, PostgreSQL 18)', () => {
  it('baseline: records the migrations the database already has, applies the rest, once', async () => {
    const db = await server.createDatabase('baseline');
    await server.query(db.name, 'CREATE TABLE a (id int); CREATE TABLE b (id int);');
    const cwd = workspace({
      '0001_a.sql': 'CREATE TABLE a (id int);\n',
      '0002_b.sql': 'CREATE TABLE b (id int);\n',
      '0003_c.sql': 'CREATE TABLE c (id int);\n',
    });
    const first = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url, baseline: '0002', lint: 'off' },
    });
    expect(first.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({ applied: '0003', 'previous-version': '0002', 'current-version': '0003' });
    expect(first.log).toContain(
      'Recording 2 migrations as applied without running them (baseline 0002): 0001_a … 0002_b',
    );
    expect(first.summary).toMatch(/Recorded without running \| 2 \(baseline 0002\), up to 0002/);
    expect(findLeaks(first, [db.url, server.password])).toEqual([]);

    const again = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, baseline: '0002' } });
    expect([again.exitCode, again.outputs.applied]).toEqual([0, '']);
    const other = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, baseline: '0001' } });
    expect(other.exitCode).toBe(1);
    expect(other.annotations[0]?.message).toMatch(/Cannot baseline at 0001: .*already records 3 migrations/);
    const invalid = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, baseline: 'v2' } });
    expect(invalid.exitCode).toBe(1);
    expect(invalid.annotations[0]?.message).toMatch(/Invalid input 'baseline'/);
    expect(invalid.log).not.toMatch(/\n\s+at /);
  });

  it("imports dbmate's history and node-pg-migrate's, and says how to adopt dbmate's table under pg-migrate's name", async () => {
    const files = {
      '20240101000000_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
    };
    const db = await server.createDatabase('dbmate');
    const cwd = workspace(files);
    await exec(DBMATE, ['--url', `${db.url}?sslmode=disable`, '-d', join(cwd, 'migrations'), '--no-dump-schema', 'up']);
    writeFileSync(join(cwd, 'migrations', '20240102000000_b.sql'), 'CREATE TABLE b (id int);\n');
    const occupied = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url } });
    expect(occupied.exitCode).toBe(1);
    expect(occupied.annotations[0]?.message).toMatch(
      /It is dbmate's history table\. pg-migrate keeps its own: set the `table` input to another name/,
    );
    const imported = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url, table: 'pg_migrate_history', lint: 'off' },
    });
    expect(imported.exitCode).toBe(0);
    expect(imported.outputs.applied).toBe('20240102000000');
    expect(imported.log).toContain("(dbmate's public.schema_migrations)");

    const npm = await server.createDatabase('npm');
    const npmCwd = workspace({
      '1700000000000_users.sql':
        '-- Up Migration\nCREATE TABLE users (id int);\n-- Down Migration\nDROP TABLE users;\n',
    });
    await exec(process.execPath, [NODE_PG_MIGRATE, 'up', '-m', join(npmCwd, 'migrations')], {
      env: { ...process.env, DATABASE_URL: npm.url },
    });
    writeFileSync(join(npmCwd, 'migrations', '1700000000001_posts.sql'), 'CREATE TABLE posts (id int);\n');
    const run = await runBundle('pg-migrate', { cwd: npmCwd, inputs: { 'database-url': npm.url, lint: 'off' } });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.applied).toBe('1700000000001');
    expect(run.summary).toMatch(/Recorded without running \| 1 \(node-pg-migrate's public\.pgmigrations\)/);
  });

  it('a failed down run says what stays reverted, never "applied"', async () => {
    const db = await server.createDatabase('down');
    const files: Record<string, string> = {};
    for (let i = 1; i <= 4; i++) {
      files[`000${i}_t${i}.sql`] = `CREATE TABLE t${i} (id int);\n`;
      files[`000${i}_t${i}.down.sql`] = i === 2 ? 'DROP TABLE nosuch;\n' : `DROP TABLE t${i};\n`;
    }
    const cwd = workspace(files);
    expect((await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, lint: 'off' } })).exitCode).toBe(0);
    const down = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url, direction: 'down', target: '0', lint: 'off' },
    });
    expect(down.exitCode).toBe(1);
    expect(down.outputs.applied).toBe('0004,0003');
    const message = down.annotations.map((a) => a.message).join('\n');
    expect(message).toContain('2 migration(s) reverted before it stay reverted');
    expect(message).not.toContain('stay applied');
    expect(down.summary).toContain('These migrations were reverted before the failure and stay reverted');
  });

  it('refuses a URL without a database name as an input error', async () => {
    const db = await server.createDatabase('nodb');
    const cwd = workspace({ '0001_a.sql': 'CREATE TABLE a (id int);\n' });
    const run = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url.slice(0, db.url.lastIndexOf('/')) },
    });
    expect(run.exitCode).toBe(1);
    expect(run.annotations[0]?.message).toMatch(/Invalid input 'database-url': the URL names no database/);
    expect(run.log).not.toMatch(/\n\s+at /);
  });
});
