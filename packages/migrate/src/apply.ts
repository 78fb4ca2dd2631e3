import { backoffDelay, formatDuration, sleep } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { scriptOf } from './analyse';
import { ident, isPgError, literal, msSetting, simpleQuery } from './db';
import type { MigrationFile, Script } from './files';
import type { PlanItem } from './plan';
import { lineOfPosition, parseScript, type Statement } from './sql';
import { type Tracking, updateProgress } from './tracking';
import { type DoneMigration, type MigrateLogger, MigrationError } from './types';

/** Timeouts and retries every statement runs with. */
export interface Settings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockRetries: number;
}

const label = (f: MigrationFile) => (f.name ? `${f.version}_${f.name}` : f.version);

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

/**
 * Runs one transactional script in ONE round trip: BEGIN; SET LOCAL ...; <file>; <bookkeeping>; COMMIT.
 * On error the transaction is rolled back and the failing statement located; a lock timeout
 * (55P03) is retried with jittered backoff.
 */
export async function runInTransaction(
  client: Client,
  item: PlanItem,
  bookkeeping: string,
  s: Settings,
  done: DoneMigration[],
  logger: MigrateLogger,
  durable: boolean,
): Promise<void> {
  const script = scriptOf(item);
  const settings = settingStatements(s, true);
  // Only the run's last commit waits for the WAL flush; it makes every earlier one durable too.
  if (!durable) settings.push('SET LOCAL synchronous_commit = off');
  const prefix = `BEGIN;\n${settings.map((q) => `${q};\n`).join('')}`;
  const sql = `${prefix}${script.sql}\n;\n${bookkeeping};\nCOMMIT;`;
  for (let attempt = 1; ; attempt++) {
    try {
      await simpleQuery(client, sql);
      return;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isPgError(error) && error.code === '55P03' && attempt <= s.lockRetries) {
        const delay = backoffDelay(attempt, 500, 8_000);
        logger.warning(
          `${script.path}: lock not available (55P03), retry ${attempt} of ${s.lockRetries} in ${formatDuration(delay)}`,
        );
        await sleep(delay);
        continue;
      }
      const completed = (error as { completedStatements?: number }).completedStatements ?? 0;
      const index = completed - 1 - settings.length; // BEGIN and the SET LOCALs come first
      // Scripts are parsed lazily: locate the failed statement now.
      item.statements ??= await parseScript(script).catch(() => undefined);
      const statements = item.statements ?? [];
      const statement = index >= 0 && index < statements.length ? statements[index] : undefined;
      const raw = isPgError(error) && error.position ? Number(error.position) - prefix.length : undefined;
      const position = raw !== undefined && raw > 0 && raw <= script.sql.length ? raw : undefined;
      throw failure(
        error,
        script,
        statement,
        position,
        done,
        `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${label(item.file)}`,
      );
    }
  }
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
 * Runs a non-transactional script one statement per query (a multi-statement query is an
 * implicit transaction), recording progress after each so a re-run resumes after the last
 * finished statement.
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
  await client.query(settingStatements(s, false).join(';\n'));
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
            `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${label(item.file)} (statement ${i + 1} of ${statements.length}, not in a transaction)`,
          );
        }
      }
      if (concurrent) await client.query(`SET lock_timeout = ${msSetting(s.lockTimeoutMs)}`);
      if (progress)
        await client.query(
          updateProgress(t, item.file.version, i + 1, i + 1 === statements.length, Date.now() - started),
        );
    }
  } finally {
    await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
}
