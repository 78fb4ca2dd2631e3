import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 15 });
});
afterAll(async () => {
  await server?.stop();
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-ws-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), sql);
  return dir;
}

describe('pg-migrate bundle (Node 24, PostgreSQL 15)', () => {
  it('takes a pg_dump backup before applying, and none when nothing is pending', async () => {
    const db = await server.createDatabase('backup');
    const cwd = workspace({ '0001_a.sql': 'CREATE TABLE a (id bigint);\n' });
    const inputs = { 'database-url': db.url, backup: 'backups/before.dump', lint: 'off' };
    const run = await runBundle('pg-migrate', { cwd, inputs });
    expect(run.exitCode).toBe(0);
    expect(run.outputs['backup-path']).toBe(join(cwd, 'backups/before.dump'));
    expect(readFileSync(run.outputs['backup-path']).subarray(0, 5).toString()).toBe('PGDMP');
    expect(run.summary).toContain('before.dump');
    expect(findLeaks(run, [db.url, server.password])).toEqual([]);

    const again = await runBundle('pg-migrate', { cwd, inputs: { ...inputs, backup: 'backups/second.dump' } });
    expect(again.exitCode).toBe(0);
    expect(again.outputs['backup-path']).toBe('');
  });

  it('reverts with direction down and reports what it reverted', async () => {
    const db = await server.createDatabase('down');
    const cwd = workspace({
      '0001_a.sql': '-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n',
      '0002_b.sql': '-- migrate:up\nCREATE TABLE b ();\n-- migrate:down\nDROP TABLE b;\n',
    });
    await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, lint: 'off' } });
    const down = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url, direction: 'down', target: '0' },
    });
    expect(down.exitCode).toBe(0);
    expect(down.outputs).toMatchObject({
      applied: '0002,0001',
      'applied-count': '2',
      'current-version': '',
      'previous-version': '0002',
      'pending-count': '2',
    });
    expect(down.summary).toContain('pg-migrate: 2 migrations reverted');
  });
});
