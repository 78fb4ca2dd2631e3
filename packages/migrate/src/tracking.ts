import { hash } from 'node:crypto';
import { UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { ident, isPgError, literal } from './db';

/** What the engine needs of one row of the tracking table. */
export interface AppliedRow {
  version: string;
  name: string;
  checksum: string;
  /** False while a non-transactional migration is part-way through. */
  finished: boolean;
  statementsDone: number | null;
  statementsTotal: number | null;
}

export interface Tracking {
  schema: string;
  table: string;
  /** `"schema"."table"` */
  qualified: string;
}

export function tracking(schema: string, table: string): Tracking {
  return { schema, table, qualified: `${ident(schema)}.${ident(table)}` };
}

/**
 * SHA-256 (hex) of `version checksum` of every row, in text order, joined by `/`: the same as
 * `inSyncDigest(files)` exactly when the table records every file of the folder, unchanged,
 * and nothing else. About 2 ms of server time for a thousand rows. A digest, not the text:
 * for a thousand rows the text is 72 KB, which a fresh connection to a remote server receives
 * in two or three round trips (TCP slow start); the digest comes in the first packet.
 */
const IN_SYNC = `encode(sha256(convert_to(coalesce(string_agg(version || ' ' || checksum, '/' ORDER BY version COLLATE "C"), ''), 'UTF8')), 'hex')`;

/**
 * The folder's side of IN_SYNC. Sorting the `version checksum` entries as text gives the
 * server's order: a space sorts before every digit, so `1 ...` comes before `10 ...`. Files
 * come in numeric order, which is already the text order when all versions have one width
 * (padded numbers, timestamps): then nothing is sorted.
 */
export function inSyncText(files: readonly { version: string; checksum: string }[]): string {
  const entries = files.map((f) => `${f.version} ${f.checksum}`);
  for (let i = 1; i < files.length; i++) {
    if (files[i - 1].version >= files[i].version) {
      entries.sort();
      break;
    }
  }
  return entries.join('/');
}

/** The folder's side of IN_SYNC: SHA-256 (hex) of `inSyncText(files)`. */
export function inSyncDigest(files: readonly { version: string; checksum: string }[]): string {
  return hash('sha256', inSyncText(files), 'hex');
}

export interface ServerState {
  /** `server_version_num`, e.g. 180004. */
  versionNum: number;
  database: string;
  /** The tracking table exists. */
  exists: boolean;
  /**
   * True when the table records exactly the files whose `inSyncDigest` this is (same
   * versions, same checksums, all finished): the database is up to date, with nothing to plan
   * or check.
   */
  matches(folderDigest: string): boolean;
  /** Every row, when asked for (`readState(client, t, true)`) and the table exists. */
  rows?: AppliedRow[];
}

/**
 * Every row as one text value: `version checksum finished done total name` per row, rows
 * joined by `/`, which no name holds (names come from file and folder names). A thousand
 * rows cost the server about 2 ms this way and the client one split, against 4 to 10 ms
 * as result rows of separate fields or as JSON.
 */
const ROWS = `string_agg(concat_ws(' ', version, checksum, finished, coalesce(statements_done, -1), coalesce(statements_total, -1), name), '/')`;

function parseRows(text: string | null): AppliedRow[] {
  if (!text) return [];
  return text.split('/').map((line) => {
    const [version, checksum, finished, done, total] = line.split(' ', 5);
    let nameStart = 0;
    for (let spaces = 0; spaces < 5; spaces++) nameStart = line.indexOf(' ', nameStart) + 1;
    return {
      version,
      checksum,
      name: line.slice(nameStart),
      finished: finished === 't',
      statementsDone: done === '-1' ? null : Number(done),
      statementsTotal: total === '-1' ? null : Number(total),
    };
  });
}

/** Every row of the tracking table (which exists). */
export async function readRows(client: Client, t: Tracking): Promise<AppliedRow[]> {
  const { rows } = await client.query(`SELECT ${ROWS} AS rows FROM ${t.qualified}`);
  return parseRows(rows[0].rows as string | null);
}

/**
 * Reads the server version and whether the tracking table matches the folder, in one round
 * trip; with `withRows`, every row too. A missing table (first run) costs a second, cheap
 * query; a table of another tool is refused.
 */
export async function readState(client: Client, t: Tracking, withRows = false): Promise<ServerState> {
  // Also: notice a vanished client during long statements (PostgreSQL 14+), so a killed
  // runner's work ends with it instead of running on.
  const head = `SELECT current_setting('server_version_num') AS v, current_database() AS db,
    CASE WHEN current_setting('server_version_num')::int >= 140000
      THEN set_config('client_connection_check_interval', '1000', false) END AS check_interval`;
  // Every column is named, so a table of another tool fails here (42703), not at the first write.
  const columns = `version, name, checksum, applied_at, execution_ms, applied_by, app_version, no_transaction, finished, statements_done, statements_total`;
  const table = `(SELECT ${columns} FROM ${t.qualified}) AS tracking`;
  try {
    const results = (await client.query(
      `${head}; SELECT ${IN_SYNC} AS in_sync, coalesce(bool_and(finished), true) AS finished${withRows ? `, ${ROWS} AS rows` : ''} FROM ${table}`,
    )) as unknown as { rows: Record<string, unknown>[] }[];
    const summary = results[1].rows[0];
    return {
      versionNum: Number(results[0].rows[0].v),
      database: String(results[0].rows[0].db),
      exists: true,
      matches: (folderDigest) => summary.finished === true && folderDigest === summary.in_sync,
      rows: withRows ? parseRows(summary.rows as string | null) : undefined,
    };
  } catch (error) {
    if (isPgError(error) && error.code === '42P01') {
      const { rows } = await client.query(head);
      return { versionNum: Number(rows[0].v), database: String(rows[0].db), exists: false, matches: () => false };
    }
    if (isPgError(error) && error.code === '42703') {
      const { foreignOccupant } = await import('./adopt');
      const tool = await foreignOccupant(client, t).catch(() => undefined);
      throw new UserError(
        `The table ${t.schema}.${t.table} exists but is not a pg-migrate tracking table (${error.message}).${tool ? ` ${tool}` : ''}`,
        {
          hint: tool
            ? undefined
            : 'Choose another name with the `table` input, or migrate that table to pg-migrate’s columns first.',
        },
      );
    }
    throw error;
  }
}

/** Creates the schema (when missing) and the tracking table. Runs under the migration lock. */
export async function ensureTable(client: Client, t: Tracking): Promise<void> {
  // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
  const createSchema = `CREATE SCHEMA IF NOT EXISTS ${ident(t.schema)}`;
  await client.query(`DO $pgm$ BEGIN
  IF to_regnamespace(${literal(ident(t.schema))}) IS NULL THEN EXECUTE ${literal(createSchema)}; END IF;
END $pgm$;
CREATE TABLE IF NOT EXISTS ${t.qualified} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL DEFAULT 0,
  applied_by text,
  app_version text,
  no_transaction boolean NOT NULL DEFAULT false,
  finished boolean NOT NULL DEFAULT true,
  statements_done integer,
  statements_total integer
)`);
}

export interface RowValues {
  version: string;
  name: string;
  checksum: string;
  appliedBy: string;
  appVersion?: string;
}

/** INSERT for a finished transactional migration; execution time measured by the server within the transaction. */
export function insertFinished(t: Tracking, v: RowValues): string {
  return `INSERT INTO ${t.qualified} (version, name, checksum, execution_ms, applied_by, app_version) VALUES (${literal(v.version)}, ${literal(v.name)}, ${literal(v.checksum)}, (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, ${literal(v.appliedBy)}, ${literal(v.appVersion ?? null)})`;
}

/**
 * One INSERT recording migrations applied before pg-migrate (baseline, imported history) as
 * finished, without having run them: `execution_ms` 0 and `applied_by` saying where they came from.
 */
export function insertAdopted(t: Tracking, rows: readonly RowValues[]): string {
  const values = rows.map(
    (v) =>
      `(${literal(v.version)}, ${literal(v.name)}, ${literal(v.checksum)}, 0, ${literal(v.appliedBy)}, ${literal(v.appVersion ?? null)})`,
  );
  return `INSERT INTO ${t.qualified} (version, name, checksum, execution_ms, applied_by, app_version) VALUES ${values.join(', ')}`;
}

/** Starts (or restarts) the progress row of a non-transactional migration. */
export function upsertStarted(t: Tracking, v: RowValues, total: number): string {
  return `INSERT INTO ${t.qualified} (version, name, checksum, applied_by, app_version, no_transaction, finished, statements_done, statements_total) VALUES (${literal(v.version)}, ${literal(v.name)}, ${literal(v.checksum)}, ${literal(v.appliedBy)}, ${literal(v.appVersion ?? null)}, true, false, 0, ${total}) ON CONFLICT (version) DO NOTHING`;
}

export function updateProgress(t: Tracking, version: string, done: number, finished: boolean, ms: number): string {
  return `UPDATE ${t.qualified} SET statements_done = ${done}, finished = ${finished}, execution_ms = execution_ms + ${Math.round(ms)}${finished ? ', applied_at = now()' : ''} WHERE version = ${literal(version)}`;
}

/**
 * PL/pgSQL that raises unless `version` was applied (`present`) or reverted (`absent`): the
 * guard of the migration sent after it in a pipeline, run in that migration's check block.
 */
export function guardBody(t: Tracking, version: string, expect: 'present' | 'absent'): string {
  const check = `${expect === 'present' ? 'NOT ' : ''}EXISTS (SELECT FROM ${t.qualified} WHERE version = ${literal(version)} AND finished)`;
  const message = `pg-migrate: skipped because migration ${version} before it did not take effect`;
  return `IF ${check} THEN RAISE EXCEPTION ${literal(message)}; END IF;`;
}

/** `guardBody` as a statement of its own. */
export function guardAfter(t: Tracking, version: string, expect: 'present' | 'absent'): string {
  return `DO $pgm$ BEGIN ${guardBody(t, version, expect)} END $pgm$`;
}

export function deleteRow(t: Tracking, version: string): string {
  return `DELETE FROM ${t.qualified} WHERE version = ${literal(version)}`;
}
