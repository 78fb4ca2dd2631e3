import { registerSecret, UserError } from '@deploy-actions/toolkit';

/**
 * Registers a database URL and its password on its own as secrets: URLs get rewritten (a tunnel's
 * host and port) and a migrator may print the password it parsed out of DATABASE_URL.
 */
export function registerDatabaseUrl(url: string): void {
  registerSecret(url);
  try {
    const password = new URL(url).password;
    if (password) registerSecret(decodeURIComponent(password));
  } catch {
    // Not a URL: the connection attempt reports it.
  }
}

/**
 * Refuses a database URL that names no database. libpq and `pg` then connect to the database
 * named after the user, which for `postgres` is the maintenance database: migrations would land
 * there, and the run would succeed.
 */
export function requireDatabaseName(url: string, input = 'database-url'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // Not a URL: the connection attempt reports it.
  }
  // A Unix socket host (`postgres:///run/postgresql?db=app`) names the database in `db`, as `pg` reads it.
  if (parsed.pathname.replace(/^\/+/, '') !== '' || parsed.searchParams.get('db')) return;
  const user = decodeURIComponent(parsed.username) || 'the user';
  throw new UserError(
    `Invalid input '${input}': the URL names no database (it ends after the host and port); expected postgres://user:password@host:port/<database>.`,
    {
      hint: `Without a database PostgreSQL connects to the one named after ${user === 'the user' ? user : `the user (${user})`}, often the maintenance database \`postgres\`: add the database name to the URL.`,
    },
  );
}
