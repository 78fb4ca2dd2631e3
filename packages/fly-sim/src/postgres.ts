/**
 * `flyctl postgres attach | detach | db list` over a real PostgreSQL server standing in for a Fly
 * Postgres cluster (superfly/flyctl@v0.4.87 internal/command/postgres/). flyctl talks to the
 * cluster leader's admin API (flypg, port 5500); fly-sim runs the same effects as SQL on the
 * server registered for the cluster app (`postgres.json` in the state folder, written by
 * `registerPostgresCluster`), so the DATABASE_URL an attach hands out really connects.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { parseArgs } from './args';
import { secretDigest } from './commands/secrets';
import { appName, type Ctx, faultError, isoNow, requireApp } from './context';
import { FlyFail } from './io';
import { goJson } from './render';
import type { SimApp } from './state';

/** The server behind a cluster app: a superuser URL flyctl never sees (the leader's admin API stands for it). */
export interface SimPgCluster {
  adminUrl: string;
}

/** One row of ListPostgresClusterAttachments (superfly/fly-go@v0.9.5 types.go PostgresClusterAttachment). */
export interface SimPgAttachment {
  id: string;
  app: string;
  cluster: string;
  databaseName: string;
  databaseUser: string;
  environmentVariableName: string;
}

interface PgBook {
  clusters: Record<string, SimPgCluster>;
  attachments: SimPgAttachment[];
}

const BOOK_FILE = 'postgres.json';

function loadBook(dir: string): PgBook {
  const file = join(dir, BOOK_FILE);
  if (!existsSync(file)) return { clusters: {}, attachments: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as PgBook;
}

function saveBook(dir: string, book: PgBook): void {
  const file = join(dir, BOOK_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(book, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Marks `app` as a Fly Postgres cluster (PostgresAppRole "postgres_cluster") served by `adminUrl`. */
export function registerPostgresCluster(stateDir: string, app: string, adminUrl: string): void {
  const book = loadBook(stateDir);
  book.clusters[app] = { adminUrl };
  saveBook(stateDir, book);
}

/** The attachments fly-sim holds (for tests that check what a detach left). */
export function postgresAttachments(stateDir: string): SimPgAttachment[] {
  return loadBook(stateDir).attachments;
}

/** flyctl's `apps.BuildContext` + `mach.ListActive` + `pickLeader`, reduced to what fly-sim models. */
function cluster(ctx: Ctx, book: PgBook, name: string, noMachines: string): SimPgCluster {
  const found = book.clusters[name];
  // fly-go@v0.9.5 types.go:348-351: an app is a postgres app when its PostgresAppRole is "postgres_cluster".
  if (!found) throw new FlyFail(`app ${name} is not a postgres app`);
  const app = ctx.world.app(name) as SimApp;
  if (!app.machines.some((m) => m.state !== 'destroyed')) throw new FlyFail(noMachines);
  return found;
}

/** Runs `work` on one connection to `database` of the cluster's server. */
async function onServer<T>(c: SimPgCluster, database: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(c.adminUrl);
  url.pathname = `/${database}`;
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end().catch(() => {});
  }
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** helpers.RandString (superfly/flyctl@v0.4.87 helpers/rand.go:11,18-30): letters and digits. */
function randString(n: number): string {
  const charset = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from({ length: n }, () => charset[randomInt(charset.length)]).join('');
}

/**
 * prompt.Confirm/Select without a terminal (superfly/flyctl@v0.4.87 internal/prompt/prompt.go:198,
 * 215-219): flyctl in CI has none. FLY_SIM_INTERACTIVE=1 stands for a terminal where the user
 * takes the default (the first option, "yes").
 */
function promptOrFail(ctx: Ctx): void {
  if (ctx.inv.env.FLY_SIM_INTERACTIVE !== '1') throw new FlyFail('prompt: non interactive');
}

async function prelude(ctx: Ctx, app: string): Promise<void> {
  const fault = await ctx.fault('postgres');
  if (fault === 'hang') await ctx.io.sleep(24 * 3_600_000);
  if (fault) throw faultError(fault, app);
}

/** Looks an app up as GetAppCompact does, the failure wrapped as the command wraps it. */
function getApp(ctx: Ctx, name: string, wrap: (error: string) => string): SimApp {
  try {
    return requireApp(ctx, name);
  } catch (error) {
    throw new FlyFail(wrap((error as Error).message));
  }
}

/** `postgres attach <POSTGRES APP> -a <app>` (superfly/flyctl@v0.4.87 internal/command/postgres/attach.go:35-126,173-341). */
export async function postgresAttach(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    'database-name': { kind: 'string' },
    'database-user': { kind: 'string' },
    'variable-name': { kind: 'string' },
    superuser: { kind: 'bool' },
    yes: { kind: 'bool', aliases: ['y'] },
  });
  // cobra.ExactArgs(1) (attach.go:46).
  if (p.positionals.length !== 1) {
    throw new FlyFail(`accepts 1 arg(s), received ${p.positionals.length}`);
  }
  const pgName = p.positionals[0];
  const name = appName(ctx, p.strings.app);
  await prelude(ctx, name);
  const book = loadBook(ctx.world.dir);
  getApp(ctx, pgName, (e) => `failed retrieving postgres app ${pgName}: ${e}`); // :82-85
  if (!book.clusters[pgName]) throw new FlyFail(`app ${pgName} is not a postgres app`); // :87-89
  const app = getApp(ctx, name, (e) => `failed retrieving app ${name}: ${e}`); // :91-94
  const c = cluster(ctx, book, pgName, 'no active machines found'); // :186-188

  // :219-233: names default to the consuming app's, lower case, `-` folded to `_`.
  const dbName = (p.strings['database-name'] || name).replaceAll('-', '_').toLowerCase();
  const dbUser = (p.strings['database-user'] || name).replaceAll('-', '_').toLowerCase();
  const varName = p.strings['variable-name'] || 'DATABASE_URL';
  const superuser = p.bools.superuser ?? true; // :64-68

  ctx.io.out('Checking for existing attachments'); // :246
  if (app.secrets[varName]) {
    throw new FlyFail(`consumer app "${name}" already contains a secret named ${varName}`); // :252-256
  }
  const dbExists = await onServer(c, 'postgres', async (db) => {
    const r = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    return r.rowCount !== null && r.rowCount > 0;
  });
  if (dbExists && !p.bools.yes) promptOrFail(ctx); // :263-273
  const userExists = await onServer(c, 'postgres', async (db) => {
    const r = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [dbUser]);
    return r.rowCount !== null && r.rowCount > 0;
  });
  if (userExists) {
    // :276-282
    throw new FlyFail(
      `database user "${dbUser}" already exists. Please specify a new database user via --database-user`,
    );
  }

  ctx.io.out('Registering attachment'); // :284
  book.attachments.push({
    id: `att_${randString(12)}`,
    app: name,
    cluster: pgName,
    databaseName: dbName,
    databaseUser: dbUser,
    environmentVariableName: varName,
  });
  saveBook(ctx.world.dir, book);

  if (!dbExists) {
    ctx.io.out('Creating database'); // :293-304
    await onServer(c, 'postgres', (db) => db.query(`CREATE DATABASE ${ident(dbName)}`));
  }
  const password = randString(15); // :307
  ctx.io.out('Creating user'); // :312-317
  await onServer(c, 'postgres', async (db) => {
    await db.query(`CREATE ROLE ${ident(dbUser)} LOGIN ${superuser ? 'SUPERUSER' : ''} PASSWORD '${password}'`);
    await db.query(`GRANT ALL PRIVILEGES ON DATABASE ${ident(dbName)} TO ${ident(dbUser)}`);
  });

  // :319-328: the flycast address when the cluster has a private IPv6 (every cluster fly-sim knows
  // has one). There is no 6PN here: `flyctl proxy -a <cluster>` reaches it, as it does on Fly.
  const url = `postgres://${dbUser}:${password}@${pgName}.flycast:5432/${dbName}?sslmode=disable`;
  // :332 appsecrets.Update sets the secret without touching machines: it reaches them on the next deploy.
  const now = isoNow();
  app.secrets[varName] = {
    value: url,
    digest: secretDigest(url, ctx.version),
    createdAt: now,
    updatedAt: now,
    deployed: false,
  };
  ctx.world.save();

  ctx.io.raw(`\nPostgres cluster ${pgName} is now attached to ${name}\n`); // :337
  ctx.io.raw(`The following secret was added to ${name}:\n  ${varName}=${url}\n`); // :338
  return 0;
}

/** `postgres detach <POSTGRES APP> -a <app>` (superfly/flyctl@v0.4.87 internal/command/postgres/detach.go:23-171). */
export async function postgresDetach(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { app: { kind: 'string', aliases: ['a'] }, config: { kind: 'string', aliases: ['c'] } });
  if (p.positionals.length !== 1) throw new FlyFail(`accepts 1 arg(s), received ${p.positionals.length}`); // :35
  const pgName = p.positionals[0];
  const name = appName(ctx, p.strings.app);
  await prelude(ctx, name);
  const app = getApp(ctx, name, (e) => e); // :53-56
  getApp(ctx, pgName, (e) => `get postgres app: ${e}`); // :60-63
  const book = loadBook(ctx.world.dir);
  // apps.BuildContext does not check the role here; the admin API call fails on an app that is not a cluster.
  const c = cluster(ctx, book, pgName, `no 6pn ips founds for ${pgName} app`); // :89-91
  const attachments = book.attachments.filter((a) => a.app === name && a.cluster === pgName);
  if (attachments.length === 0) throw new FlyFail('no attachments found'); // :114-116
  // :118-131: the attachment is chosen in a prompt, so without a terminal detach stops here.
  promptOrFail(ctx);
  const target = attachments[0];
  await onServer(c, 'postgres', async (db) => {
    // :137-147: the user goes; "Database will remain intact" (:119).
    const r = await db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [target.databaseUser]);
    if (r.rowCount) {
      await db.query(`REASSIGN OWNED BY ${ident(target.databaseUser)} TO CURRENT_USER`);
      await db.query(`DROP OWNED BY ${ident(target.databaseUser)}`);
      await db.query(`DROP ROLE ${ident(target.databaseUser)}`);
    }
  });
  delete app.secrets[target.environmentVariableName]; // :150
  ctx.world.save();
  ctx.io.out(`Secret "${target.environmentVariableName}" was scheduled to be removed from app ${name}`); // :154-157
  book.attachments = book.attachments.filter((a) => a.id !== target.id);
  saveBook(ctx.world.dir, book);
  ctx.io.out('Detach completed successfully!'); // :168
  return 0;
}

/** `postgres db list -a <POSTGRES APP> [--json]` (superfly/flyctl@v0.4.87 internal/command/postgres/db.go:23-154). */
export async function postgresDb(ctx: Ctx, args: string[]): Promise<number> {
  const [sub, ...rest] = args[0]?.startsWith('-') ? ['', ...args] : args;
  if (sub !== 'list' && sub !== 'ls') {
    throw new FlyFail(`unknown command "${sub ?? ''}" for "flyctl postgres db"`);
  }
  const p = parseArgs(rest, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    json: { kind: 'bool', aliases: ['j'] },
  });
  const name = appName(ctx, p.strings.app);
  await prelude(ctx, name);
  getApp(ctx, name, (e) => `failed retrieving app ${name}: ${e}`); // :70-73
  const book = loadBook(ctx.world.dir);
  if (!book.clusters[name]) throw new FlyFail(`app ${name} is not a postgres app`); // :75-77
  const c = cluster(ctx, book, name, `no 6pn ips founds for ${name} app`); // :99-101
  // flypg ListDatabases (flypg/pg.go:49, flypg/types.go:15-18): Name and Users. The admin API
  // (postgres-flex) leaves out the templates; the users are those granted access to each database.
  const rows = await onServer(c, 'postgres', async (db) => {
    const r = await db.query<{ name: string; users: string[] | null }>(
      `SELECT d.datname::text AS name,
              ARRAY(SELECT r.rolname::text FROM pg_roles r
                     WHERE has_database_privilege(r.oid, d.oid, 'CONNECT') AND r.rolcanlogin
                       AND r.rolname <> current_user ORDER BY r.rolname) AS users
         FROM pg_database d WHERE NOT d.datistemplate ORDER BY d.datname`,
    );
    return r.rows.map((row) => ({ Name: row.name, Users: row.users ?? [] }));
  });
  if (rows.length === 0) {
    ctx.io.out('No databases found'); // :128-132
    return 0;
  }
  const json = p.bools.json || ['1', 'ok', 't', 'true'].includes((ctx.inv.env.FLY_JSON ?? '').toLowerCase());
  if (json) {
    ctx.io.raw(goJson(rows)); // :134-136, render.JSON (internal/render/render.go:16-21)
    return 0;
  }
  // render.Table (internal/render/render.go:64-72): columns Name, Users (users joined by ", "), then a blank line.
  const table = [['NAME', 'USERS'], ...rows.map((r) => [r.Name, r.Users.join(', ')])];
  const width = Math.max(...table.map((r) => r[0].length));
  for (const [a, b] of table) ctx.io.out(`${a.padEnd(width)}\t${b}`.trimEnd());
  ctx.io.out('');
  return 0;
}

/** Command words to handlers, merged into fly-sim's table (`pg` is flyctl's alias: postgres.go:28). */
export const POSTGRES_COMMANDS = {
  'postgres attach': postgresAttach,
  'postgres detach': postgresDetach,
  'postgres db': postgresDb,
  'pg attach': postgresAttach,
  'pg detach': postgresDetach,
  'pg db': postgresDb,
} as const;
