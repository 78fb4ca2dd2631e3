// A stub of ampel-api: `node ampel-api.mjs` serves /health; `node ampel-api.mjs migrate run|status`
// applies migrations/*.sql in order and records them in _sqlx_migrations, as sqlx's migrator does.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';

const ref = (process.env.FLY_IMAGE_REF ?? '').split('@')[0];
const version = ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : 'dev';

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

function migrate(command) {
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL is not set');
    process.exit(1);
  }
  psql(
    '-c',
    'CREATE TABLE IF NOT EXISTS _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL)',
  );
  const applied = new Set(psql('-At', '-c', 'SELECT version FROM _sqlx_migrations').split('\n').filter(Boolean));
  const files = readdirSync('migrations')
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  for (const file of files) {
    const [, number, description] = /^(\d+)_(.+)\.sql$/.exec(file);
    const done = applied.has(String(Number(number)));
    if (command === 'status') {
      console.log(`${Number(number)}/${done ? 'installed' : 'pending'} ${description}`);
      continue;
    }
    if (done) continue;
    psql(
      '-1',
      '-f',
      `migrations/${file}`,
      '-c',
      `INSERT INTO _sqlx_migrations (version, description, success) VALUES (${Number(number)}, '${description}', true)`,
    );
    console.log(`Applied ${Number(number)}/migrate ${description}`);
  }
}

if (process.argv[2] === 'migrate') {
  migrate(process.argv[3] ?? 'run');
} else {
  createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const [status, body] = path === '/health' ? [200, { status: 'healthy', version }] : [404, { error: 'not found' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }).listen(Number(process.env.PORT ?? 8080));
}
