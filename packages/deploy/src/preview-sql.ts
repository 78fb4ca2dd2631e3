/**
 * A preview's database on its PostgreSQL server: created with a comment naming the pull request it
 * belongs to, and only ever dropped when that comment says it is ours. The comment is how a close,
 * a re-run and the janitor tell a preview database from anything else on a shared server.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '@deploy-actions/toolkit';
import type pg from 'pg';

const MARK = 'deploy-actions preview of ';

/** The preview database's name: the app name as `postgres attach` folds it (flyctl@v0.4.87 attach.go:233). */
export function previewDatabaseName(app: string): string {
  return app.replaceAll('-', '_').toLowerCase();
}

/** `acme/shop#7`: who owns a preview database. */
export function ownerOf(repository: string, pr: number): string {
  return `${repository.toLowerCase()}#${pr}`;
}

/** What a database's comment says about it: the owning pull request and when it was created, or nothing. */
export function parseMark(comment: string | null | undefined): { owner: string; created: Date } | undefined {
  const m = comment ? /^deploy-actions preview of (\S+#\d+) created (\S+)$/.exec(comment) : null;
  if (!m) return undefined;
  const created = new Date(m[2]);
  return Number.isNaN(created.getTime()) ? undefined : { owner: m[1], created };
}

/** The server URL with `database` as its database: `{database}` replaced when present, else the path. */
export function urlFor(serverUrl: string, database: string): string {
  if (serverUrl.includes('{database}')) return serverUrl.replaceAll('{database}', database);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A server URL's maintenance database: the template's `postgres` database. */
export function maintenanceUrl(serverUrl: string): string {
  return urlFor(serverUrl, 'postgres');
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** pg loads on the first connection: most runs of the steps that bundle this never open one. */
let driver: Promise<typeof pg> | undefined;

async function withClient<T>(url: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  driver ??= import('pg').then((m) => m.default);
  const { Client } = await driver;
  const db = new Client({ connectionString: url, connectionTimeoutMillis: 30_000 });
  try {
    await db.connect();
  } catch (error) {
    const u = new URL(url);
    throw new UserError(
      `Cannot connect to the preview database server ${u.hostname}:${u.port || 5432} as ${decodeURIComponent(u.username)}: ${(error as Error).message}`,
      { hint: "Check the secret given as 'database-url' (a user that may create and drop databases)." },
    );
  }
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => {});
  }
}

export interface PreviewDatabaseState {
  exists: boolean;
  /** Set when the database exists and its comment names a preview. */
  owner?: string;
}

export async function inspectDatabase(serverUrl: string, name: string): Promise<PreviewDatabaseState> {
  return withClient(maintenanceUrl(serverUrl), async (db) => {
    const r = await db.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    if (r.rows.length === 0) return { exists: false };
    return { exists: true, owner: parseMark(r.rows[0].comment)?.owner };
  });
}

/**
 * Creates `name` for `owner` unless it is there already. True when this call created it. A
 * database of that name that is not this pull request's preview is a collision: refused, untouched.
 */
export async function ensureDatabase(
  serverUrl: string,
  name: string,
  owner: string,
  now = new Date(),
): Promise<boolean> {
  const state = await inspectDatabase(serverUrl, name);
  if (state.exists) {
    if (state.owner === owner) return false;
    throw new UserError(
      `Database ${name} already exists on the preview server and is not the preview database of ${owner}${state.owner ? ` (it belongs to ${state.owner})` : ''}; it was left untouched`,
      { hint: 'Rename or drop that database, or give the preview another app name (input `app`).' },
    );
  }
  await withClient(maintenanceUrl(serverUrl), async (db) => {
    await db.query(`CREATE DATABASE ${ident(name)}`);
    await db.query(`COMMENT ON DATABASE ${ident(name)} IS ${literal(`${MARK}${owner} created ${now.toISOString()}`)}`);
  });
  return true;
}

/**
 * Drops the preview database `name` of `owner` and the login role an attach made for it, ending
 * its sessions first. Missing is fine (a re-run, or a close after the janitor); a database that
 * is not `owner`'s is never dropped. Returns whether a database was dropped.
 */
export async function dropDatabase(
  serverUrl: string,
  name: string,
  owner: string,
  options: { role?: string } = {},
): Promise<boolean> {
  return withClient(maintenanceUrl(serverUrl), async (db) => {
    const r = await db.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [name],
    );
    let dropped = false;
    if (r.rows.length > 0) {
      const found = parseMark(r.rows[0].comment)?.owner;
      if (found !== owner) {
        throw new UserError(
          `Refusing to drop database ${name}: it is not the preview database of ${owner}${found ? ` (it belongs to ${found})` : ''}`,
        );
      }
      // PostgreSQL 13+: ends the preview app's open sessions instead of failing on them.
      await db.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      dropped = true;
    }
    if (options.role) {
      const role = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [options.role]);
      if (role.rowCount) await db.query(`DROP ROLE ${ident(options.role)}`);
    }
    return dropped;
  });
}

/** Drops the login role `role` (an attach's user left by a run that stopped half-way). */
export async function dropRole(serverUrl: string, role: string): Promise<void> {
  await withClient(maintenanceUrl(serverUrl), async (db) => {
    await db.query(`DROP ROLE IF EXISTS ${ident(role)}`);
  });
}

/** Every preview database on the server with the pull request it belongs to (for the janitor). */
export async function listPreviewDatabases(
  serverUrl: string,
): Promise<{ name: string; owner: string; created: Date }[]> {
  return withClient(maintenanceUrl(serverUrl), async (db) => {
    const r = await db.query<{ name: string; comment: string | null }>(
      `SELECT datname::text AS name, shobj_description(oid, 'pg_database') AS comment
         FROM pg_database WHERE NOT datistemplate ORDER BY datname`,
    );
    return r.rows.flatMap((row) => {
      const mark = parseMark(row.comment);
      return mark ? [{ name: row.name, ...mark }] : [];
    });
  });
}

/** Runs the seed file (plain SQL, several statements) in one transaction on the preview database. */
export async function runSeed(databaseUrl: string, file: string): Promise<void> {
  let sql: string;
  try {
    sql = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`Input 'seed-file': cannot read ${file}`, { hint: 'Give a path relative to the repository.' });
  }
  await withClient(databaseUrl, async (db) => {
    try {
      await db.query(`BEGIN;\n${sql}\n;COMMIT;`);
    } catch (error) {
      await db.query('ROLLBACK').catch(() => {});
      throw new UserError(`The seed file ${file} failed: ${(error as Error).message}`);
    }
  });
}
