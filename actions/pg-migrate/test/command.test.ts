import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fo1_pg-migrate-command-token-8c1d';
const require = createRequire(import.meta.url);
const DBMATE = join(dirname(require.resolve('dbmate/package.json')), '..', '.bin', 'dbmate');
const PG = pathToFileURL(require.resolve('pg')).href;

let server: PgServer;
let sim: FlySim;
beforeAll(async () => {
  [server, sim] = await Promise.all([startPostgres({ version: 18 }), startFlySim({ tokens: [TOKEN], orgs: ['acme'] })]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), sim?.stop()]);
});

/**
 * A team's migrator: reports the advisory locks held on its database and what it can see, then
 * runs dbmate (a real migrator) against DATABASE_URL.
 */
const MIGRATOR = `import { spawnSync } from 'node:child_process';
import pg from ${JSON.stringify(PG)};
const url = process.env.DATABASE_URL;
const client = new pg.Client({ connectionString: url });
await client.connect();
const { rows } = await client.query(
  "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
);
await client.end();
console.log('advisory locks held: ' + rows[0].n);
console.log('database at ' + new URL(url).host + ', url ' + url);
console.log('token visible: ' + Boolean(process.env.FLY_API_TOKEN || process.env['INPUT_FLY-API-TOKEN']));
console.log('::error::a line of the migrator that looks like a command');
const dbmate = spawnSync(${JSON.stringify(DBMATE)}, ['--no-dump-schema', '--migrations-dir', 'db/migrations', 'up'], { stdio: 'inherit' });
process.exit(dbmate.status ?? 1);
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-migrate-command-'));
  mkdirSync(join(dir, 'db', 'migrations'), { recursive: true });
  writeFileSync(join(dir, 'migrate.mjs'), MIGRATOR);
  writeFileSync(
    join(dir, 'db', 'migrations', '20240101000000_a.sql'),
    '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n',
  );
  return dir;
}

const locksLeft = (db: string) =>
  server.query(
    db,
    `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );

describe('pg-migrate command: the team’s own migrator', () => {
  it('runs on the runner through a flyctl proxy tunnel, DATABASE_URL pointed at it, under the migration lock', async () => {
    const db = await server.createDatabase('command');
    await sim.seedApp('shop-pg', { proxyTarget: `127.0.0.1:${server.port}` });
    // The app's private host, unreachable from here: only the tunnel gets through.
    const url = `${db.url.replace(`127.0.0.1:${server.port}`, 'shop-pg.flycast:5432')}?sslmode=disable`;
    const run = await runBundle('pg-migrate', {
      cwd: workspace(),
      inputs: { command: `${process.execPath} migrate.mjs`, 'database-url': url, 'fly-postgres-app': 'shop-pg' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(run.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(run.exitCode).toBe(0);
    // Our lock connection holds the migration lock (the key a pg-migrate run holds) while the migrator runs.
    expect(run.log).toContain('advisory locks held: 1');
    // The tunnel's URL is a secret as a whole (its password too, in any spelling).
    expect(run.log).toMatch(/database at 127\.0\.0\.1:\d+, url \*\*\*\n/);
    expect(run.log).toContain('token visible: false');
    // The migrator's output goes through the log boundary: printed, never run.
    expect(run.log).toContain('\\::error::a line of the migrator that looks like a command');
    expect(run.log).toMatch(/Applying: 20240101000000_a\.sql/);
    expect(run.summary).toContain('pg-migrate: ran the migration command on the runner');
    expect(run.summary).toContain('held while it ran');
    const proxy = (await sim.calls()).filter((c) => c.args[0] === 'proxy').at(-1);
    expect(proxy?.args).toEqual(['proxy', '0:5432', '--app', 'shop-pg', '--watch-stdin']);
    expect(await server.query(db.name, 'SELECT version FROM schema_migrations')).toEqual([
      { version: '20240101000000' },
    ]);
    expect(await locksLeft(db.name)).toEqual([{ n: 0 }]);
    expect(findLeaks(run, [TOKEN, url, server.password])).toEqual([]);
  });

  it('fails clearly with the migrator’s exit code and output, and releases the lock', async () => {
    const db = await server.createDatabase('command_fail');
    const cwd = workspace();
    writeFileSync(
      join(cwd, 'db', 'migrations', '20240102000000_bad.sql'),
      '-- migrate:up\nSELECT nosuchcol;\n-- migrate:down\n',
    );
    const failed = await runBundle('pg-migrate', {
      cwd,
      inputs: { command: `${process.execPath} migrate.mjs`, 'database-url': `${db.url}?sslmode=disable` },
    });
    expect(failed.exitCode).toBe(1);
    const error = failed.annotations.find((a) => a.level === 'error');
    expect(error?.message).toMatch(/^The migration command failed \(exit 2\): .*node\nLast output:\n[\s\S]*nosuchcol/);
    expect(failed.log).not.toMatch(/\n\s+at /);
    expect(await locksLeft(db.name)).toEqual([{ n: 0 }]);
  });

  it('waits for another runner’s migration lock and names the holder when it times out', async () => {
    const db = await server.createDatabase('command_lock');
    const holder = new pg.Client({ connectionString: db.url, application_name: 'another pg-migrate run' });
    await holder.connect();
    try {
      await holder.query(
        `SELECT pg_advisory_lock(('x' || left(md5(current_database() || '/public/schema_migrations/work'), 16))::bit(64)::bigint)`,
      );
      const run = await runBundle('pg-migrate', {
        cwd: workspace(),
        inputs: { command: `${process.execPath} migrate.mjs`, 'database-url': db.url, 'lock-wait': '1s' },
      });
      expect(run.exitCode).toBe(1);
      expect(run.annotations.find((a) => a.level === 'error')?.message).toMatch(
        /Timed out after 1\.0s waiting for the migration lock on public\.schema_migrations: held by pid \d+, application "another pg-migrate run"/,
      );
      expect(run.log).not.toContain('advisory locks held');
    } finally {
      await holder.end();
    }
  });

  it('refuses shell syntax, which no shell would run on the machine or the runner, showing the sh -c form', async () => {
    const cases: [string, string][] = [
      ['cd /app && bin/migrate', 'a command list (&& or ||)'],
      ['bin/migrate | tee log', 'a pipe (|)'],
      ['bin/migrate; echo done', 'a command separator (;)'],
      ['bin/migrate > out.log', 'a redirect (< or >)'],
      ['bin/migrate --url "$DATABASE_URL"', 'a variable or substitution ($)'],
      ['RAILS_ENV=production bin/rails db:migrate', 'a variable assignment'],
    ];
    const before = (await sim.calls()).length;
    for (const [command, what] of cases) {
      const run = await runBundle('pg-migrate', {
        inputs: { command, app: 'shop' },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      });
      expect(run.exitCode, command).toBe(1);
      const message = run.annotations.find((a) => a.level === 'error')?.message ?? '';
      expect(message, command).toContain(`Invalid input 'command': it uses shell syntax (${what}`);
      expect(message, command).toContain(`command: sh -c '${command.replace(/'/g, `'\\''`)}'`);
      expect(run.log).not.toMatch(/\n\s+at /);
    }
    // Refused before flyctl was asked for anything.
    expect((await sim.calls()).length).toBe(before);
  });
});
