/**
 * A real PgBouncer (Debian's `pgbouncer` package) in front of a testkit PostgreSQL server, on a
 * free loopback port (never 6432, so nothing can recognise it by its port), with its config in a
 * fresh temp folder:
 *
 * ```ts
 * const bouncer = await startPgBouncer(pg, { poolMode: 'transaction', poolSize: 3 });
 * bouncer.url(db.name); // postgres://postgres:…@127.0.0.1:<port>/<db>, through the pooler
 * await bouncer.stop();
 * ```
 *
 * `pgBouncerBinary()` is undefined when the package is not installed (`apt-get install pgbouncer`);
 * tests skip with that reason. PgBouncer refuses to run as root, so as root it runs as the
 * `postgres` OS user, like the server.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type PgServer, serverTemp } from './postgres';

export interface PgBouncer {
  port: number;
  poolMode: 'session' | 'transaction';
  url(database: string): string;
  stop(): Promise<void>;
}

export interface StartPgBouncerOptions {
  poolMode: 'session' | 'transaction';
  /** Server connections per database and user (`default_pool_size`). */
  poolSize?: number;
}

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'];

export function pgBouncerBinary(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

function freePort(): Promise<number> {
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

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Resolves once PgBouncer listens (its log says so), rejects with its log when it exits first. */
function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    let settled = false;
    const timer = setTimeout(() => fail('PgBouncer did not start within 15 s'), 15_000);
    function fail(why: string) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n${log.trim().slice(-2000)}`));
    }
    child.stderr!.on('data', (chunk: Buffer) => {
      if (settled) return;
      log += chunk;
      if (/process up|listening on 127\.0\.0\.1/i.test(log)) {
        settled = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`PgBouncer exited (${signal ?? `code ${code}`})`));
  });
}

export async function startPgBouncer(server: PgServer, options: StartPgBouncerOptions): Promise<PgBouncer> {
  const binary = pgBouncerBinary();
  if (!binary) throw new Error('pgbouncer is not installed (apt-get install pgbouncer)');
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const dir = mkdtempSync(join(serverTemp(runAs), 'pgbouncer-'));
  const port = await freePort();
  const users = join(dir, 'userlist.txt');
  // A plain-text password in the auth file: PgBouncer checks the client's SCRAM proof with it and
  // logs in to the server with it.
  writeFileSync(users, `"${server.user}" "${server.password}"\n`, { mode: 0o600 });
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir =`,
      'auth_type = scram-sha-256',
      `auth_file = ${users}`,
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.poolSize ?? 3}`,
      'max_client_conn = 200',
      // Longer than any test: a client left waiting for a server connection shows as a hung test,
      // not as PgBouncer's own timeout error.
      'query_wait_timeout = 900',
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  if (runAs) {
    chmodSync(dir, 0o700);
    for (const path of [dir, users, ini]) chownSync(path, runAs.uid, runAs.gid);
  }
  const child = spawn(binary, [ini], { ...runAs, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await started(child);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    port,
    poolMode: options.poolMode,
    url: (database) =>
      `postgres://${server.user}:${encodeURIComponent(server.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGINT');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
