import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fo1_pg-migrate-test-token-5f2a';
let server: PgServer;
let sim: FlySim;
beforeAll(async () => {
  [server, sim] = await Promise.all([startPostgres({ version: 18 }), startFlySim({ tokens: [TOKEN], orgs: ['acme'] })]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), sim?.stop()]);
});

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-fly-'));
  mkdirSync(join(dir, 'migrations'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), sql);
  return dir;
}

describe('pg-migrate on Fly (fly-sim)', () => {
  it('migrates through a flyctl proxy tunnel to a Fly Postgres app and closes it', async () => {
    const db = await server.createDatabase('tunnel');
    await sim.seedApp('shop-db', { proxyTarget: `127.0.0.1:${server.port}` });
    // The URL names the app's private host, unreachable from here: only the tunnel gets through.
    const url = db.url.replace(`127.0.0.1:${server.port}`, 'shop-db.flycast:5432');
    const run = await runBundle('pg-migrate', {
      cwd: workspace({ '0001_a.sql': 'CREATE TABLE a (id bigint);\n', '0002_b.sql': 'CREATE TABLE b (id bigint);\n' }),
      inputs: { 'database-url': url, 'fly-postgres-app': 'shop-db', lint: 'off' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs.applied).toBe('0001,0002');
    expect(run.log).toMatch(/Tunnel ready on 127\.0\.0\.1:\d+/);
    const proxyCalls = (await sim.calls()).filter((c) => c.args[0] === 'proxy');
    expect(proxyCalls.at(-1)?.args).toEqual(['proxy', '0:5432', '--app', 'shop-db', '--watch-stdin']);
    expect(proxyCalls.at(-1)?.hadToken).toBe(true);
    expect(await server.query(db.name, 'SELECT count(*)::int AS n FROM schema_migrations')).toEqual([{ n: 2 }]);
    expect(findLeaks(run, [TOKEN, url, server.password])).toEqual([]);
  });

  it('runs the app’s own migrator with flyctl ssh console and fails clearly when it fails', async () => {
    const consoleDir = mkdtempSync(join(tmpdir(), 'pg-migrate-console-'));
    await sim.seedApp('shop', { releases: ['v1'], singleMachine: true, console: { cwd: consoleDir } });
    const ok = await runBundle('pg-migrate', {
      // No shell on a Fly machine (hallpass execs the word-split command): a shell is asked for by name.
      inputs: { command: `sh -c 'echo "migrated 3 files" && touch ran-migrator'`, app: 'shop' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(ok.exitCode).toBe(0);
    expect(ok.log).toContain('migrated 3 files');
    expect(existsSync(join(consoleDir, 'ran-migrator'))).toBe(true);
    expect(ok.summary).toContain('pg-migrate: ran the migration command on a machine of shop');
    const ssh = (await sim.calls()).filter((c) => c.args[0] === 'ssh').at(-1);
    expect(ssh?.args).toEqual([
      'ssh',
      'console',
      '--app',
      'shop',
      '-C',
      `sh -c 'echo "migrated 3 files" && touch ran-migrator'`,
    ]);
    expect(findLeaks(ok, [TOKEN])).toEqual([]);

    const failed = await runBundle('pg-migrate', {
      inputs: { command: `sh -c 'echo "relation users already exists" >&2; exit 3'`, app: 'shop' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(failed.exitCode).toBe(1);
    const error = failed.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/The migration command failed on shop/);
    expect(error?.message).toContain('relation users already exists');
    expect(failed.log).not.toMatch(/\n\s+at /);
  });

  it('asks for database-url (or app) with command, and for a token', async () => {
    const noApp = await runBundle('pg-migrate', {
      inputs: { command: 'bin/migrate' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(noApp.exitCode).toBe(1);
    expect(noApp.annotations[0]?.message).toContain("Input 'database-url' is required with 'command'");
    const noToken = await runBundle('pg-migrate', { inputs: { command: 'bin/migrate', app: 'shop' }, env: sim.env });
    expect(noToken.exitCode).toBe(1);
    expect(noToken.annotations[0]?.message).toContain('No Fly API token');
  });
});
