// Stands in for `npx prisma migrate deploy` (a dev dependency, never in the image): applies
// backend/migrations/*.sql in order over DATABASE_URL and records each in _prisma_migrations.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'migrations');
function psql(...args) {
  const r = spawnSync('psql', [process.env.DATABASE_URL ?? '', '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(1);
  }
  return r.stdout.trim();
}
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is not set');
  process.exit(1);
}
psql(
  '-c',
  'CREATE TABLE IF NOT EXISTS _prisma_migrations (migration_name text PRIMARY KEY, finished_at timestamptz NOT NULL DEFAULT now())',
);
const applied = new Set(psql('-At', '-c', 'SELECT migration_name FROM _prisma_migrations').split('\n').filter(Boolean));
const pending = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => f.replace(/\.sql$/, ''))
  .filter((m) => !applied.has(m));
for (const name of pending) {
  psql(
    '-1',
    '-f',
    join(dir, `${name}.sql`),
    '-c',
    `INSERT INTO _prisma_migrations (migration_name) VALUES ('${name}')`,
  );
  console.log(`Applying migration \`${name}\``);
}
console.log(pending.length ? `All migrations have been successfully applied.` : 'No pending migrations to apply.');
