import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDuration, runProcess, UserError } from '@deploy-actions/toolkit';
import type { MigrateLogger } from './types';

/**
 * libpq environment for a URL: the password travels in PGPASSWORD, never in argv.
 * Query parameters such as sslmode map to their PG* variables.
 */
function libpqEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.hostname) env.PGHOST = u.hostname.replace(/^\[|\]$/g, '');
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  const params: Record<string, string> = {
    sslmode: 'PGSSLMODE',
    sslrootcert: 'PGSSLROOTCERT',
    sslcert: 'PGSSLCERT',
    sslkey: 'PGSSLKEY',
    connect_timeout: 'PGCONNECT_TIMEOUT',
  };
  for (const [param, variable] of Object.entries(params)) {
    const value = u.searchParams.get(param);
    if (value) env[variable] = value;
  }
  return env;
}

/** `pg_dump --format=custom` of the database to `path`, before anything changes. */
export async function runBackup(url: string, path: string, serverVersionNum: number, logger: MigrateLogger) {
  mkdirSync(dirname(path), { recursive: true });
  const env = { ...process.env, ...libpqEnv(url) };
  delete env.PGSERVICE;
  const result = await runProcess('pg_dump', ['--format=custom', '--no-password', `--file=${path}`], {
    env,
    timeoutMs: 30 * 60_000,
  });
  if (result.code !== 0) {
    const server = Math.floor(serverVersionNum / 10_000);
    const mismatch = /server version mismatch/i.test(result.stderr)
      ? `\nThe server runs PostgreSQL ${server}: install pg_dump ${server} or newer (e.g. the postgresql-client-${server} package).`
      : '';
    throw new UserError(
      `Backup with pg_dump failed (exit ${result.code}); nothing was migrated: ${result.stderr.trim().slice(0, 500)}${mismatch}`,
    );
  }
  logger.info(`Backup written to ${path} (${formatDuration(result.durationMs)})`);
}
