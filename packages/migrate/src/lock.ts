import { backoffDelay, formatDuration, sleep, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { answerWithin, close, literal } from './db';
import type { Tracking } from './tracking';

/**
 * The advisory-lock key, computed by the server from (database, schema, table), so every
 * runner migrating the same tracking table agrees on it whatever URL spelling it used.
 * Runs take the `work` key on the connection that migrates (earlier releases also took a `run`
 * key on a second connection first; every release holds `work` while it changes anything).
 */
export function lockKey(t: Tracking, part: 'run' | 'work'): string {
  const name = literal(`/${t.schema}/${t.table}/${part}`);
  return `('x' || left(md5(current_database() || ${name}), 16))::bit(64)::bigint`;
}

export interface Holder {
  pid: number;
  applicationName: string;
  user: string;
  client: string | null;
  backendStart: Date | null;
  state: string | null;
  query: string;
}

/** Who holds the advisory lock `key`, from pg_locks and pg_stat_activity. */
export async function lockHolders(client: Client, key: string): Promise<Holder[]> {
  const { rows } = await client.query(`SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client,
    a.backend_start, a.state, left(coalesce(a.query, ''), 200) AS query
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((l.classid::bigint << 32) | l.objid::bigint) = ${key}`);
  return rows.map((r) => ({
    pid: Number(r.pid),
    applicationName: String(r.application_name ?? ''),
    user: String(r.usename ?? ''),
    client: r.client ?? null,
    backendStart: r.backend_start ?? null,
    state: r.state ?? null,
    query: String(r.query ?? ''),
  }));
}

export function describeHolder(h: Holder): string {
  const parts = [`pid ${h.pid}`];
  if (h.applicationName) parts.push(`application "${h.applicationName}"`);
  if (h.user) parts.push(`user ${h.user}`);
  if (h.client) parts.push(`from ${h.client}`);
  if (h.backendStart) parts.push(`connected since ${h.backendStart.toISOString()}`);
  if (h.state) parts.push(`state ${h.state}`);
  if (h.query) parts.push(`last query: ${h.query.replace(/\s+/g, ' ').slice(0, 120)}`);
  return parts.join(', ');
}

/** The lock as taken: the server backend that holds it and the key's pg_locks coordinates. */
export interface HeldLock {
  /** pg_backend_pid() of the backend holding the lock. */
  pid: number;
  /** The key, as a bigint literal. */
  key: string;
  /** pg_locks.database, classid and objid of the key (oids). */
  database: string;
  classid: string;
  objid: string;
  /** The connection reaches the backend itself (its login pid is the backend's): no pooler. */
  direct: boolean;
}

/**
 * True on the backend that took `lock` while it still holds it. Checked inside every migration's
 * transaction: a pooler that hands transactions to other server connections (transaction pooling)
 * or resets the one we had (DISCARD ALL releases advisory locks) fails it, and nothing commits.
 *
 * On a direct connection the socket is the backend: a session lock stays with it until it is
 * unlocked or the session ends, and another session means another pid. There the pid comparison
 * is the check (it catches a reconnect); the pg_locks lookup, which copies the server's whole lock
 * table and cost about as much as a small migration, is made only through a pooler, or when
 * `thorough` (between the statements of a non-transactional script, where it also catches a
 * script's own DISCARD ALL or pg_advisory_unlock_all()).
 */
export function holdsLock(lock: HeldLock, thorough = !lock.direct): string {
  if (!thorough) return `(pg_backend_pid() = ${lock.pid})`;
  return `(pg_backend_pid() = ${lock.pid} AND EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = ${lock.pid} AND database = '${lock.database}'::oid AND classid = '${lock.classid}'::oid AND objid = '${lock.objid}'::oid AND objsubid = 1))`;
}

/** SQLSTATE raised by `lockCheckBody` (a code of our own: class "PM" is unused by PostgreSQL). */
export const LOCK_LOST = 'PMLCK';

/** PL/pgSQL that raises LOCK_LOST unless this backend holds `lock`. */
export function lockCheckBody(lock: HeldLock): string {
  const message = `pg-migrate: the migration lock is held by server connection pid ${lock.pid}, but this transaction runs on pid %`;
  return `IF NOT ${holdsLock(lock)} THEN RAISE EXCEPTION ${literal(message)}, pg_backend_pid() USING ERRCODE = '${LOCK_LOST}'; END IF;`;
}

/**
 * The error of a run whose lock was lost, or never held, by the backend its queries ran on.
 * `detail` says which pids; `where` which migration it stopped before.
 */
export function lockLost(detail: string, where: string): UserError {
  return new UserError(
    `Stopped ${where}: ${detail}. Something between pg-migrate and PostgreSQL (a pooler in transaction or statement mode, or one that resets server connections) moves or resets the session, so the migration lock cannot keep other runs out.`,
    {
      hint: 'Use the direct (unpooled) database URL for migrations, or a pooler in session mode that does not reset server connections between transactions.',
    },
  );
}

export interface AcquireOptions {
  /** Absolute deadline in ms since epoch. */
  deadline: number;
  /** What the lock protects, for the timeout message. */
  what: string;
  /** How long the caller agreed to wait, for the message. */
  waitMs: number;
  /**
   * The process id the server sent at login (BackendKeyData). PostgreSQL sends the backend's
   * pid; a pooler sends a made-up one, since its clients have no backend of their own.
   */
  loginPid: number | undefined;
  /** Go on through a pooler (`allow-pooler`): the lock is then verified in every transaction. */
  allowPooler: boolean;
  /** What the URL tells about a pooler, for the refusal (Fly's pooled host, port 6432...). */
  urlHint?: string;
  onWait?: (holders: Holder[]) => void;
}

type Outcome = 'pooler' | 'shared' | 'taken' | 'busy';

function poolerRefusal(backendPid: number, loginPid: number, urlHint: string | undefined): UserError {
  return new UserError(
    `database-url reaches PostgreSQL through a connection pooler (such as PgBouncer): the server backend is pid ${backendPid}, but the connection was given pid ${loginPid} at login, which the pooler made up${urlHint ? `; ${urlHint}` : ''}. A pooler in transaction mode hands each transaction to any server connection, so the migration lock would not keep other runs out.`,
    {
      hint: 'Use the direct (unpooled) database URL for migrations (on Fly Managed Postgres, direct.<cluster>.flympg.net), or set `allow-pooler: true` if the pooler runs in session mode (then the lock is checked in every transaction, and a pooler found sharing server connections is refused).',
    },
  );
}

function sharedRefusal(backendPid: number): UserError {
  return new UserError(
    `The server connection this run was given (pid ${backendPid}) already holds the migration lock for another client: a pooler in front of PostgreSQL shares server connections between clients (transaction or statement pooling), so the lock cannot keep runs apart. Nothing was changed.`,
    {
      hint: `Use the direct (unpooled) database URL for migrations, or put the pooler in session mode. If no run is migrating, the lock was left on that pooled connection by a run through the pooler: end it with SELECT pg_terminate_backend(${backendPid}).`,
    },
  );
}

/**
 * Takes session advisory lock `key` on `client` by polling with backoff until the deadline (a
 * blocking `pg_advisory_lock` behind a client timer would keep waiting on the server after the
 * client gave up). Each attempt is one statement that first checks what is between us and the
 * server: a pooler (the login pid is not the backend's) is refused unless allowed, and a backend
 * that already holds the lock is one a pooler shares with another client (session locks are
 * re-entrant, so taking it again would succeed): refused, without touching the lock.
 */
export async function acquire(client: Client, key: string, options: AcquireOptions): Promise<HeldLock> {
  const direct =
    options.loginPid === undefined || options.allowPooler ? 'true' : `pg_backend_pid() = ${options.loginPid}`;
  const sql = `WITH k AS (SELECT ${key} AS key, (SELECT oid FROM pg_database WHERE datname = current_database()) AS database)
SELECT pg_backend_pid() AS pid, k.key::text AS key, k.database::text AS database,
  (k.key >> 32 & 4294967295)::text AS classid, (k.key & 4294967295)::text AS objid,
  CASE WHEN NOT ${direct} THEN 'pooler'
    WHEN EXISTS (SELECT FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_backend_pid()
      AND l.database = k.database AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = k.key) THEN 'shared'
    WHEN pg_try_advisory_lock(k.key) THEN 'taken'
    ELSE 'busy' END AS outcome
FROM k`;
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.query(sql);
    const row = rows[0];
    const outcome = row.outcome as Outcome;
    const pid = Number(row.pid);
    if (outcome === 'pooler') throw poolerRefusal(pid, options.loginPid!, options.urlHint);
    if (outcome === 'shared') throw sharedRefusal(pid);
    if (outcome === 'taken')
      return {
        pid,
        key: String(row.key),
        database: row.database,
        classid: row.classid,
        objid: row.objid,
        direct: pid === options.loginPid,
      };
    if (attempt === 1 && options.onWait) options.onWait(await lockHolders(client, key));
    const delay = backoffDelay(attempt, 50, 1_000);
    if (Date.now() + delay >= options.deadline) {
      const holders = await lockHolders(client, key);
      const who = holders.length > 0 ? holders.map(describeHolder).join('; ') : 'a session that has just ended';
      throw new UserError(
        `Timed out after ${formatDuration(options.waitMs)} waiting for ${options.what}: held by ${who}`,
        {
          hint: 'Another migration is running. Wait for it, raise `lock-wait`, or end the stuck session with pg_terminate_backend(<pid>).',
        },
      );
    }
    await sleep(delay);
  }
}

/**
 * Releases the lock on the backend that holds it. Behind a pooler that moved us, the unlock
 * must reach that backend: it is sent again (each time to whichever backend the pooler picks)
 * until it lands there, for up to `withinMs`. False when it never did: the lock stays held.
 */
export async function release(client: Client, lock: HeldLock, withinMs = 5_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.query(
      `SELECT CASE WHEN pg_backend_pid() = ${lock.pid} THEN pg_advisory_unlock(${lock.key}) END AS released`,
    );
    if (rows[0].released !== null) return rows[0].released === true;
    if (Date.now() >= until) return false;
    await sleep(Math.min(200, 10 * attempt));
  }
}

/**
 * Releases the lock through a pooler that moved this run off the backend holding it. A pooler
 * hands an idle client the server connection it used last, so the run's own connection may
 * never get that backend back. Extra connections, each kept inside an open transaction so the
 * next one is given another server connection, try each backend in turn until one is the holder.
 */
export async function releaseThroughPooler(
  open: () => Promise<Client>,
  lock: HeldLock,
  withinMs = 10_000,
  maxConnections = 16,
): Promise<boolean> {
  const until = Date.now() + withinMs;
  const pinned: Client[] = [];
  try {
    while (pinned.length < maxConnections && Date.now() < until) {
      const client = await open();
      pinned.push(client);
      const answer = client.query(
        `BEGIN; SELECT CASE WHEN pg_backend_pid() = ${lock.pid} THEN pg_advisory_unlock(${lock.key}) END AS released`,
      ) as unknown as Promise<{ rows: { released: boolean | null }[] }[]>;
      const results = await answerWithin(client, answer, Math.max(1, until - Date.now()), () => new Error('timeout'));
      const released = results[1].rows[0].released;
      if (released !== null) return released;
    }
    return false;
  } catch {
    return false;
  } finally {
    for (const client of pinned) await close(client);
  }
}
