import { backoffDelay, formatDuration, sleep, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { literal } from './db';
import type { Tracking } from './tracking';

/**
 * The advisory-lock key, computed by the server from (database, schema, table), so every
 * runner migrating the same tracking table agrees on it whatever URL spelling it used.
 * `part` separates the run lock from the work-connection lock.
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

export interface AcquireOptions {
  /** Absolute deadline in ms since epoch. */
  deadline: number;
  /** What the lock protects, for the timeout message. */
  what: string;
  /** How long the caller agreed to wait, for the message. */
  waitMs: number;
  onWait?: (holders: Holder[]) => void;
}

/**
 * Takes session advisory lock `key` on `client` by polling `pg_try_advisory_lock` with
 * backoff until the deadline. A blocking `pg_advisory_lock` behind a client timer would
 * keep waiting on the server after the client gave up.
 */
export async function acquire(client: Client, key: string, options: AcquireOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(${key}) AS ok`);
    if (rows[0].ok) return;
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

export async function release(client: Client, key: string): Promise<void> {
  await client.query(`SELECT pg_advisory_unlock(${key})`);
}
