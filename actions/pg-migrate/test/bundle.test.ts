import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks, node24Path, REPO_ROOT, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { inputEnvName } from '@deploy-actions/toolkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres({ version: 18 });
});
afterAll(async () => {
  await server?.stop();
});

/** A workspace with a `migrations/` folder. */
function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-ws-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(files)) {
    mkdirSync(join(dir, 'migrations', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'migrations', name), sql);
  }
  return dir;
}

function generated(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    files[`${String(i).padStart(4, '0')}_t${i}.sql`] =
      `CREATE TABLE t${i} (id bigint PRIMARY KEY);\nINSERT INTO t${i} VALUES (${i});\n`;
  }
  return files;
}

describe('pg-migrate bundle (Node 24, PostgreSQL 18)', () => {
  it('applies pending migrations, sets every output, writes summary and plan, leaks no secret; a re-run does nothing', async () => {
    const db = await server.createDatabase('bundle');
    const cwd = workspace(generated(3));
    const first = await runBundle('pg-migrate', {
      cwd,
      inputs: { 'database-url': db.url, 'app-version': 'v9', lint: 'off' },
    });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({
      applied: '0001,0002,0003',
      'applied-count': '3',
      'pending-count': '0',
      'current-version': '0003',
      'previous-version': '',
      'backup-path': '',
      'lint-findings': '0',
    });
    expect(readFileSync(first.outputs['plan-file'], 'utf8')).toContain('3 migrations to apply');
    expect(first.summary).toContain('pg-migrate: 3 migrations applied');
    expect(first.log).toMatch(/Applied 0002_t2/);
    expect(first.masks).toContain(db.url);
    expect(findLeaks(first, [db.url, server.password])).toEqual([]);
    const rows = await server.query(db.name, 'SELECT applied_by, app_version FROM schema_migrations');
    expect(rows[0]).toEqual({ applied_by: 'octocat run 1000', app_version: 'v9' });

    const second = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url } });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({
      applied: '',
      'applied-count': '0',
      'current-version': '0003',
      'previous-version': '0003',
    });
    expect(second.log).toContain('Nothing to migrate: the database is up to date.');
    expect(second.summary).toContain('pg-migrate: nothing to do');
  });

  it('reports a failing migration as an annotation on its file and line; earlier ones stay applied', async () => {
    const db = await server.createDatabase('bundle_fail');
    const files = generated(5);
    files['0003_t3.sql'] = 'CREATE TABLE t3 (id int);\nALTER TABLE nope ADD COLUMN x int;\n';
    const run = await runBundle('pg-migrate', {
      cwd: workspace(files),
      inputs: { 'database-url': db.url, lint: 'off' },
    });
    expect(run.exitCode).toBe(1);
    const annotation = run.annotations.find((a) => a.title === 'Migration failed');
    expect(annotation).toMatchObject({ level: 'error', file: 'migrations/0003_t3.sql', line: 2 });
    expect(annotation?.message).toContain('relation "nope" does not exist (SQLSTATE 42P01)');
    expect(run.outputs.applied).toBe('0001,0002');
    expect(run.summary).toContain('migrations/0003_t3.sql:2');
    expect(run.log).not.toMatch(/\n\s+at /);
    expect(findLeaks(run, [db.url, server.password])).toEqual([]);
  });

  it('rejects bad inputs with a message naming each input, without a stack trace', async () => {
    const run = await runBundle('pg-migrate', {
      inputs: { 'database-url': 'mysql://u:hunter2@h/db', direction: 'sideways', 'lock-wait': 'soon' },
    });
    expect(run.exitCode).toBe(1);
    const errors = run.annotations
      .filter((a) => a.level === 'error')
      .map((a) => a.message)
      .join('\n');
    expect(errors).toContain("Invalid input 'direction'");
    expect(errors).toContain("Invalid input 'lock-wait'");
    expect(errors).toContain("Invalid input 'database-url': got a value (hidden: secret)");
    expect(run.log).not.toContain('hunter2');
    expect(run.log).not.toMatch(/\n\s+at /);
  });

  it('8 runners at once on one database: each migration applied exactly once, all exit 0', async () => {
    const db = await server.createDatabase('bundle_race');
    const files = generated(12);
    // Holds the lock long enough that the runners really overlap.
    files['0006_t6.sql'] = 'CREATE TABLE t6 (id bigint PRIMARY KEY);\nSELECT pg_sleep(0.5);\n';
    const cwd = workspace(files);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runBundle('pg-migrate', {
          cwd,
          inputs: { 'database-url': db.url, lint: 'off' },
          context: { runId: String(i) },
        }),
      ),
    );
    expect(runs.map((r) => r.exitCode)).toEqual(Array(8).fill(0));
    const applied = runs.flatMap((r) => (r.outputs.applied ? r.outputs.applied.split(',') : []));
    expect(applied.sort()).toEqual(Object.keys(files).map((f) => f.slice(0, 4)));
    expect(runs.reduce((n, r) => n + Number(r.outputs['applied-count']), 0)).toBe(12);
    expect(runs.every((r) => r.outputs['current-version'] === '0012')).toBe(true);
    const rows = await server.query(db.name, 'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY 1');
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('a runner killed with SIGKILL mid-migration leaves nothing half-applied; the re-run finishes without duplicates', async () => {
    const db = await server.createDatabase('bundle_kill');
    const files = generated(6);
    files['0004_t4.sql'] =
      "CREATE TABLE t4 (id bigint PRIMARY KEY);\nINSERT INTO t4 VALUES (4);\nSELECT pg_sleep(CASE WHEN to_regclass('public.slow_once') IS NULL THEN 0 ELSE 60 END);\n";
    const cwd = workspace(files);
    await server.query(db.name, 'CREATE TABLE slow_once ()');

    const child: ChildProcess = spawn(node24Path(), [join(REPO_ROOT, 'dist', 'pg-migrate', 'index.js')], {
      cwd,
      env: {
        PATH: process.env.PATH,
        GITHUB_WORKSPACE: cwd,
        [inputEnvName('database-url')]: db.url,
        [inputEnvName('lint')]: 'off',
      },
      stdio: 'ignore',
      detached: true,
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const sleeping = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${db.name}' AND query LIKE '%slow_once%' AND pid <> pg_backend_pid()`;
    for (let i = 0; i < 200 && (await server.query(db.name, sleeping))[0].n === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await server.query(db.name, sleeping))[0].n).toBe(1);
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // The server notices the vanished client and rolls the migration back.
    for (let i = 0; i < 100 && (await server.query(db.name, sleeping))[0].n > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    const versions = async () =>
      (await server.query(db.name, 'SELECT version FROM schema_migrations ORDER BY 1')).map((r) => r.version);
    expect(await versions()).toEqual(['0001', '0002', '0003']);
    expect(await server.query(db.name, `SELECT to_regclass('public.t4') AS t`)).toEqual([{ t: null }]);

    await server.query(db.name, 'DROP TABLE slow_once');
    const rerun = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, lint: 'off' } });
    expect(rerun.exitCode).toBe(0);
    expect(rerun.outputs.applied).toBe('0004,0005,0006');
    expect(await versions()).toEqual(['0001', '0002', '0003', '0004', '0005', '0006']);
    expect(await server.query(db.name, 'SELECT id FROM t4')).toEqual([{ id: '4' }]);
  });

  it('a dry run writes the plan with lint findings and changes nothing', async () => {
    const db = await server.createDatabase('bundle_dry');
    const cwd = workspace({ '0001_a.sql': 'CREATE TABLE a (id bigint);\n' });
    await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, lint: 'off' } });
    writeFileSync(join(cwd, 'migrations', '0002_a_id.sql'), '\nCREATE INDEX a_id ON a (id);\n');
    const run = await runBundle('pg-migrate', { cwd, inputs: { 'database-url': db.url, 'dry-run': true } });
    expect(run.exitCode).toBe(0);
    expect(run.outputs['pending-count']).toBe('1');
    expect(Number(run.outputs['lint-findings'])).toBeGreaterThan(0);
    const plan = readFileSync(run.outputs['plan-file'], 'utf8');
    expect(plan).toContain('<!-- pg-migrate-plan -->');
    expect(plan).toContain('require-concurrent-index-creation');
    const finding = run.annotations.find((a) => a.message.startsWith('require-concurrent-index-creation'));
    expect(finding).toMatchObject({ level: 'warning', file: 'migrations/0002_a_id.sql', line: 2 });
    expect(await server.query(db.name, `SELECT to_regclass('public.a_id') AS t`)).toEqual([{ t: null }]);
  });
});
