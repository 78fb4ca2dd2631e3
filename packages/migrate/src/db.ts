import { retry, UserError } from '@deploy-actions/toolkit';
import type { Client, ClientConfig, DatabaseError } from 'pg';

/** A PostgreSQL error as `pg` reports it (SQLSTATE in `code`, 1-based `position`). */
export type PgError = DatabaseError;

export function isPgError(error: unknown): error is PgError {
  return error instanceof Error && typeof (error as PgError).code === 'string' && 'severity' in error;
}

/** SQL string literal; standard_conforming_strings is on in every supported server. */
export function literal(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return String(value);
  if (value.includes('\0')) throw new UserError('A value sent to PostgreSQL contains a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A `SET` value for a duration in milliseconds (0 = off). */
export function msSetting(ms: number): string {
  return literal(`${Math.max(0, Math.round(ms))}ms`);
}

/** Hosts and ports of connection poolers, where session advisory locks do not hold. */
export function poolerReason(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase();
  if (host.startsWith('pgbouncer.') || host.includes('.pgbouncer.') || host.includes('pooler'))
    return `the host ${host} is a connection pooler`;
  if (host.endsWith('.flympg.net') && !host.startsWith('direct.'))
    return `${host} is Fly Managed Postgres's pooled endpoint (use the direct.<cluster>.flympg.net URL)`;
  if (parsed.port === '6432') return 'port 6432 is PgBouncer’s port';
  if (parsed.searchParams.get('pgbouncer') === 'true') return 'the URL says pgbouncer=true';
  return undefined;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', '57P03', '53300']);

function describeConnectError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`;
}

export interface ConnectOptions {
  url: string;
  applicationName: string;
  /** Absolute deadline for connecting (retries of refused/reset connections included). */
  deadline: number;
  /** Gives up at once: no further attempt, an attempt in flight is ended. */
  signal?: AbortSignal;
  /** Send queries without waiting for earlier answers (pg's pipeline mode). */
  pipeline?: boolean;
}

let pgModule: Promise<typeof import('pg').default> | undefined;

/**
 * Opens a connection. `pg` is loaded here, on first use, to keep start-up light.
 * Refused or reset connections and "the database system is starting up" are retried.
 */
export async function connect(options: ConnectOptions): Promise<Client> {
  pgModule ??= import('./pg-driver').then((m) => m.default);
  const pg = await pgModule;
  const { signal } = options;
  return retry(
    async () => {
      const config: ClientConfig = {
        connectionString: options.url,
        application_name: options.applicationName.slice(0, 63),
        keepAlive: true,
        pipeline: options.pipeline ?? false,
        connectionTimeoutMillis: Math.max(1_000, Math.min(30_000, options.deadline - Date.now())),
      };
      const client = new pg.Client(config);
      // An idle client that loses its server emits 'error'; the next query reports it.
      client.on('error', () => undefined);
      // Abandoning closes the socket: pg's end() during a connect leaves connect() pending forever.
      const abort = () =>
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      signal?.addEventListener('abort', abort, { once: true });
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      } finally {
        signal?.removeEventListener('abort', abort);
      }
      return client;
    },
    {
      attempts: 5,
      baseDelayMs: 250,
      maxDelayMs: 4_000,
      deadline: options.deadline,
      retryable: (error) => TRANSIENT_CODES.has((error as { code?: string }).code ?? ''),
      signal,
    },
  ).catch((error) => {
    if (isPgError(error) && error.code === '28P01') {
      throw new UserError('PostgreSQL refused the password in `database-url` (28P01 invalid_password)');
    }
    throw new UserError(`Could not connect to PostgreSQL: ${describeConnectError(error)}`, { cause: error });
  });
}

/**
 * Ends a client: the goodbye is written, and the socket stops keeping the process alive. The
 * server closing its end (a few ms of its backend's exit) is not waited for: it tells nothing,
 * and a broken connection would make it wait forever.
 */
export async function close(client: Client | undefined): Promise<void> {
  if (!client) return;
  client.end().catch(() => undefined);
  (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
}

/**
 * `answer` (a query on `client`), or, when it takes longer than `ms`, a UserError: the connection
 * is closed and the query abandoned. For the first query of a run, which a pooler queues while
 * every server connection it may open is taken.
 */
export function answerWithin<T>(client: Client, answer: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      reject(error());
    }, ms);
  });
  answer.catch(() => undefined);
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/** The process id PostgreSQL (or a pooler, which makes one up) sent at login. */
export function loginPid(client: Client): number | undefined {
  const pid = (client as unknown as { processID?: number | null }).processID;
  return typeof pid === 'number' ? pid : undefined;
}
