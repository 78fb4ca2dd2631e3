import { backoffDelay, formatDuration, sleep } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { scriptOf } from './analyse';
import { ident, isPgError, literal, msSetting } from './db';
import { migrationLabel, type Script } from './files';
import { type HeldLock, holdsLock, LOCK_LOST, lockCheckBody, lockLost } from './lock';
import type { PlanItem } from './plan';
import { lineOfPosition, parseScript, type Statement } from './sql';
import { type Tracking, updateProgress } from './tracking';
import { type DoneMigration, type MigrateLogger, MigrationError } from './types';

/** Timeouts and retries every statement runs with. */
export interface Settings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockRetries: number;
  /** The migration lock this run holds: checked inside every migration's transaction. */
  lock?: HeldLock;
  /** `server_version_num`: what the session reset may set. */
  serverVersionNum?: number;
}

/**
 * Statements that return the session to its state at login, so each migration starts clean
 * whatever the one before it set (search_path, statement_timeout, session_replication_role, a
 * role). DISCARD ALL would do it too, but it cannot run in a transaction and it drops the
 * migration lock. All are SET-like (no snapshot), so a migration can still open with
 * `SET TRANSACTION ISOLATION LEVEL`. Temporary tables go with DISCARD TEMP.
 */
export function resetStatements(s: Settings): string[] {
  const statements = ['SET SESSION AUTHORIZATION DEFAULT', 'RESET ALL'];
  // RESET ALL also forgets the dead-client check readState turned on (PostgreSQL 14+).
  if ((s.serverVersionNum ?? 0) >= 140000) statements.push(`SET client_connection_check_interval = '1000ms'`);
  return statements;
}

const LEADING_NOISE = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const SETS_TRANSACTION =
  /^set\s+(?:local\s+|session\s+)?(?:transaction\b|transaction_isolation\b|transaction_read_only\b|transaction_deferrable\b)/i;

/**
 * The script opens with `SET TRANSACTION ...` (or sets transaction_isolation & co.), which
 * PostgreSQL accepts only before the transaction's first query: the checks then go after it.
 */
export function leadsWithSetTransaction(sql: string): boolean {
  return SETS_TRANSACTION.test(sql.replace(LEADING_NOISE, ''));
}

/** SET statements for the timeouts; a 0 statement timeout leaves the server's own setting. */
export function settingStatements(s: Settings, local: boolean): string[] {
  const set = local ? 'SET LOCAL' : 'SET';
  const statements = [`${set} lock_timeout = ${msSetting(s.lockTimeoutMs)}`];
  if (s.statementTimeoutMs > 0) statements.push(`${set} statement_timeout = ${msSetting(s.statementTimeoutMs)}`);
  return statements;
}

function failure(
  error: unknown,
  script: Script,
  statement: Statement | undefined,
  position: number | undefined,
  done: DoneMigration[],
  what: string,
): MigrationError {
  const pg = isPgError(error) ? error : undefined;
  const line = position !== undefined ? lineOfPosition(script, position) : statement?.line;
  const where = line === undefined ? script.path : `${script.path}:${line}`;
  const state = pg?.code ? ` (SQLSTATE ${pg.code})` : '';
  const detail = [
    pg?.detail && `Detail: ${pg.detail}`,
    pg?.hint && `Hint: ${pg.hint}`,
    pg?.where && `Context: ${pg.where}`,
  ]
    .filter(Boolean)
    .join('\n');
  const message = `${what} failed at ${where}: ${(error as Error).message}${state}${detail ? `\n${detail}` : ''}`;
  return new MigrationError(message, { file: script.path, line }, pg?.code, done, { cause: error });
}

/**
 * Makes every commit so far durable: a transaction with an id commits synchronously (the session's
 * synchronous_commit), flushing the WAL up to it, which holds all earlier commits.
 */
export async function flushCommits(client: Client): Promise<void> {
  await client.query('SELECT txid_current()');
}

/** Transactional migrations sent ahead of their results on the work connection. */
const PIPELINE_DEPTH = 32;

/** One transactional migration of a pipeline. */
export interface TransactionJob {
  item: PlanItem;
  /** The tracking-table change that commits with the script. */
  bookkeeping: string;
  /** This commit waits for the WAL flush (the run's last one, which makes every earlier one durable). */
  durable: boolean;
  /**
   * PL/pgSQL that raises unless the job before it took effect (its tracking row is there, or gone
   * for a revert). It runs before the script, so nothing after a failed job applies.
   */
  guard?: string;
}

/**
 * The one query of a transactional job. The session is reset at the end of every migration (and
 * before the first of a run), inside its transaction, so the next one starts clean: a reset at the
 * start of the next would come after its BEGIN, too late for a default_transaction_* setting.
 * The lock check and the guard share one DO block, before the script, or after it when the script
 * opens with SET TRANSACTION.
 */
function transactionText(job: TransactionJob, s: Settings, first: boolean) {
  const script = scriptOf(job.item);
  const body = `${s.lock ? lockCheckBody(s.lock) : ''}${job.guard ?? ''}`;
  const checks = body ? [`DO $pgm$ BEGIN ${body} END $pgm$`] : [];
  const checksLast = leadsWithSetTransaction(script.sql);
  const leading = [...(first ? resetStatements(s) : []), ...settingStatements(s, true), ...(checksLast ? [] : checks)];
  const trailing = [
    ...(checksLast ? checks : []),
    job.bookkeeping,
    'DISCARD TEMP',
    ...resetStatements(s),
    // Read only at COMMIT, so set once, after RESET ALL (which undoes SET LOCAL too).
    ...(job.durable ? [] : ['SET LOCAL synchronous_commit = off']),
    'COMMIT',
  ];
  const prefix = `BEGIN;\n${leading.map((q) => `${q};\n`).join('')}`;
  // Statements before the script's own: BEGIN and the leading ones (for locating a failure).
  return {
    script,
    prefix,
    before: 1 + leading.length,
    sql: `${prefix}${script.sql}\n;\n${trailing.map((q) => `${q};`).join('\n')}`,
  };
}

/**
 * Counts, per query in flight, the statements the server completed: queries are answered in
 * order, each ending with ReadyForQuery, so the oldest open count is the current query's.
 */
function statementCounts(client: Client) {
  const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  const open: { completed: number }[] = [];
  const onComplete = () => {
    if (open[0]) open[0].completed++;
  };
  const onReady = () => void open.shift();
  connection.on('commandComplete', onComplete);
  connection.on('readyForQuery', onReady);
  return {
    /** The count of a query about to be sent. */
    add() {
      const count = { completed: 0 };
      open.push(count);
      return count;
    },
    stop() {
      connection.off('commandComplete', onComplete);
      connection.off('readyForQuery', onReady);
    },
  };
}

/**
 * Runs transactional migrations in order, each as ONE simple query: BEGIN; SET LOCAL ...; <lock
 * check and guard>; <file>; <bookkeeping>; <session reset>; COMMIT (see transactionText). Up to PIPELINE_DEPTH queries are sent before the first answer
 * arrives (the connection is in pipeline mode), so a run costs about one round trip, not one per
 * migration. Each job's guard fails when the job before it did not take effect, so when one
 * fails, the ones sent behind it change nothing: their answers are awaited, the failed
 * transaction is rolled back, and the failure is located in its file. A lock timeout (55P03) is
 * retried with jittered backoff, the pipeline resuming at that migration.
 */
export async function runTransactions(
  client: Client,
  jobs: TransactionJob[],
  s: Settings,
  done: DoneMigration[],
  logger: MigrateLogger,
  onApplied: (job: TransactionJob, durationMs: number) => void,
): Promise<void> {
  const counts = statementCounts(client);
  const lockFailures = new Map<number, number>();
  type Sent = { index: number; sentAt: number; count: { completed: number }; answer: Promise<unknown> };
  const inFlight: Sent[] = [];
  let next = 0;
  let lastAnswerAt = Date.now();
  try {
    while (next < jobs.length || inFlight.length > 0) {
      while (next < jobs.length && inFlight.length < PIPELINE_DEPTH) {
        const count = counts.add();
        const answer = client.query(transactionText(jobs[next], s, next === 0).sql);
        answer.catch(() => undefined); // awaited in turn below
        inFlight.push({ index: next, sentAt: Date.now(), count, answer });
        next++;
      }
      const head = inFlight.shift()!;
      try {
        await head.answer;
        const now = Date.now();
        onApplied(jobs[head.index], now - Math.max(lastAnswerAt, head.sentAt));
        lastAnswerAt = now;
      } catch (error) {
        const behind = await Promise.allSettled(inFlight.map((f) => f.answer));
        inFlight.length = 0;
        await client.query('ROLLBACK').catch(() => undefined);
        if (behind.some((b) => b.status === 'fulfilled')) {
          throw new Error(`a migration sent after a failed one committed (its guard did not stop it)`, {
            cause: error,
          });
        }
        const job = jobs[head.index];
        if (isPgError(error) && error.code === LOCK_LOST && s.lock) {
          const lost = lockLost(error.message.replace(/^pg-migrate: /, ''), `before ${migrationLabel(job.item.file)}`);
          throw new MigrationError(lost.message, { file: scriptOf(job.item).path }, undefined, done, {
            hint: lost.hint,
            cause: error,
          });
        }
        const failures = (lockFailures.get(head.index) ?? 0) + 1;
        if (isPgError(error) && error.code === '55P03' && failures <= s.lockRetries) {
          lockFailures.set(head.index, failures);
          const delay = backoffDelay(failures, 500, 8_000);
          logger.warning(
            `${scriptOf(job.item).path}: lock not available (55P03), retry ${failures} of ${s.lockRetries} in ${formatDuration(delay)}`,
          );
          await sleep(delay);
          next = head.index;
          lastAnswerAt = Date.now();
          continue;
        }
        throw await locate(error, job, s, head.index === 0, head.count.completed, done);
      }
    }
  } finally {
    counts.stop();
  }
}

/** The failure of a transactional migration, pinned to its file, line and statement. */
async function locate(
  error: unknown,
  job: TransactionJob,
  s: Settings,
  first: boolean,
  completed: number,
  done: DoneMigration[],
): Promise<MigrationError> {
  const { item } = job;
  const { script, prefix, before } = transactionText(job, s, first);
  const index = completed - before;
  // Scripts are parsed lazily: locate the failed statement now.
  item.statements ??= await parseScript(script).catch(() => undefined);
  const statements = item.statements ?? [];
  const statement = index >= 0 && index < statements.length ? statements[index] : undefined;
  const raw = isPgError(error) && error.position ? Number(error.position) - prefix.length : undefined;
  const position = raw !== undefined && raw > 0 && raw <= script.sql.length ? raw : undefined;
  return failure(
    error,
    script,
    statement,
    position,
    done,
    `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${migrationLabel(item.file)}`,
  );
}

/** Drops the INVALID index a failed CREATE INDEX CONCURRENTLY left, so the statement can build it again. */
async function dropInvalidIndex(client: Client, statement: Statement, logger: MigrateLogger, path: string) {
  const index = statement.concurrentIndex;
  if (!index) return;
  const name = index.schema ? `${ident(index.schema)}.${ident(index.name)}` : ident(index.name);
  const { rows } = await client.query(
    `SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(${literal(name)})`,
  );
  if (rows.length > 0 && rows[0].indisvalid === false) {
    logger.warning(
      `${path}:${statement.line}: index ${index.name} is INVALID (left by a failed build); dropping and rebuilding it`,
      {
        file: path,
        line: statement.line,
      },
    );
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }
}

/**
 * Sends `statements` and, when the run holds a lock, a check that this backend still holds it,
 * as one query. The check does not raise, so what came before it commits (a progress row must
 * not be lost); a failed check then stops the run.
 */
async function thenCheckLock(
  client: Client,
  statements: string[],
  s: Settings,
  where: string,
  path: string,
  done: DoneMigration[],
): Promise<void> {
  if (!s.lock) {
    if (statements.length > 0) await client.query(statements.join(';\n'));
    return;
  }
  const results = (await client.query(
    [...statements, `SELECT ${holdsLock(s.lock, true)} AS held, pg_backend_pid() AS pid`].join(';\n'),
  )) as unknown as { rows: { held: boolean; pid: number }[] } | { rows: { held: boolean; pid: number }[] }[];
  const check = Array.isArray(results) ? results[results.length - 1] : results;
  const { held, pid } = check.rows[0];
  if (held === true) return;
  const lost = lockLost(
    pid === s.lock.pid
      ? `server connection pid ${pid} no longer holds the migration lock (a statement released it, or reset the session)`
      : `the migration lock is held by server connection pid ${s.lock.pid}, but this session ran on pid ${pid}`,
    where,
  );
  throw new MigrationError(lost.message, { file: path }, undefined, done, { hint: lost.hint });
}

/**
 * Runs a non-transactional script one statement per query (a multi-statement query is an
 * implicit transaction), recording progress after each so a re-run resumes after the last
 * finished statement. The session is reset first (see resetStatements), and the lock is checked
 * before the first statement and with each progress row: such a statement cannot be checked in
 * its own transaction, so a pooler that moved it is found right after it, with its progress kept.
 */
export async function runStatements(
  client: Client,
  t: Tracking,
  item: PlanItem,
  s: Settings,
  done: DoneMigration[],
  logger: MigrateLogger,
  progress: boolean,
): Promise<void> {
  const script = scriptOf(item);
  const statements = item.statements ?? [];
  const label = migrationLabel(item.file);
  await thenCheckLock(
    client,
    [...resetStatements(s), 'DISCARD TEMP', ...settingStatements(s, false)],
    s,
    `before ${label}`,
    script.path,
    done,
  );
  try {
    for (let i = item.resumeFrom; i < statements.length; i++) {
      const statement = statements[i];
      const concurrent = statement.nonTransactional?.includes('CONCURRENTLY') ?? false;
      // Concurrent builds wait for every older transaction: lock_timeout would cancel them.
      if (concurrent) await client.query(`SET lock_timeout = 0`);
      await dropInvalidIndex(client, statement, logger, script.path);
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query(statement.text);
          break;
        } catch (error) {
          if (isPgError(error) && error.code === '55P03' && attempt <= s.lockRetries) {
            const delay = backoffDelay(attempt, 500, 8_000);
            logger.warning(
              `${script.path}:${statement.line}: lock not available, retry ${attempt} of ${s.lockRetries}`,
            );
            await sleep(delay);
            continue;
          }
          const raw = isPgError(error) && error.position ? Number(error.position) : undefined;
          const absolute = raw === undefined ? undefined : statement.offset + raw;
          throw failure(
            error,
            script,
            statement,
            absolute,
            done,
            `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${label} (statement ${i + 1} of ${statements.length}, not in a transaction)`,
          );
        }
      }
      if (concurrent) await client.query(`SET lock_timeout = ${msSetting(s.lockTimeoutMs)}`);
      const record = progress
        ? [updateProgress(t, item.file.version, i + 1, i + 1 === statements.length, Date.now() - started)]
        : [];
      await thenCheckLock(
        client,
        record,
        s,
        `after statement ${i + 1} of ${statements.length} of ${label}${progress ? ' (recorded as done)' : ''}`,
        script.path,
        done,
      );
    }
  } finally {
    await client.query([...resetStatements(s), 'DISCARD TEMP'].join(';\n')).catch(() => undefined);
  }
}
