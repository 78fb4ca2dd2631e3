import { resolve } from 'node:path';
import { backoffDelay, formatDuration, registerSecret, sleep, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { runBackup } from './backup';
import { close, connect, ident, isPgError, literal, msSetting, poolerReason, simpleQuery } from './db';
import { type MigrationFile, readMigrations, type Script } from './files';
import { type LintFinding, lint } from './lint';
import { acquire, lockKey, release } from './lock';
import { buildPlan, type Plan, type PlanItem } from './plan';
import { renderPlan } from './render';
import { lineOfPosition, parseScript, type Statement } from './sql';
import {
  type AppliedRow,
  deleteRow,
  ensureTable,
  insertFinished,
  readState,
  type Tracking,
  tracking,
  updateProgress,
  upsertStarted,
} from './tracking';

export interface Location {
  file: string;
  line?: number;
}

/** Where the engine reports progress; the action maps it to the job log and annotations. */
export interface MigrateLogger {
  info(message: string): void;
  warning(message: string, at?: Location): void;
}

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of migrations (resolved against `root`). */
  dir: string;
  /** Base for relative paths in messages and annotations (the workspace). Default: cwd. */
  root?: string;
  direction?: 'up' | 'down';
  /** up: apply pending versions up to and including this one. down: revert every version newer than it. */
  target?: string;
  /** down: how many applied versions to revert, newest first (default 1 when no target). */
  steps?: number;
  /** Plan, analyse and lint only; change nothing. */
  dryRun?: boolean;
  /** Schema of the tracking table (default `public`). */
  schema?: string;
  table?: string;
  /** How long to wait for another runner's lock (default 2 min). */
  lockWaitMs?: number;
  /** `lock_timeout` per statement (default 5 s; 0 = off). */
  lockTimeoutMs?: number;
  /** `statement_timeout` per statement (default 0 = off). */
  statementTimeoutMs?: number;
  /** Retries of a migration that failed with lock_not_available (55P03). Default 3. */
  lockRetries?: number;
  allowOutOfOrder?: boolean;
  allowDrift?: boolean;
  allowPooler?: boolean;
  /** Recorded with each applied migration. */
  appVersion?: string;
  /** Who applies (actor and run), recorded with each migration and shown to other runners. */
  appliedBy?: string;
  lint?: 'off' | 'warn' | 'error';
  /** Run `pg_dump --format=custom` to this file first when anything will change. */
  backupPath?: string;
  logger?: MigrateLogger;
}

export interface DoneMigration {
  version: string;
  name: string;
  path: string;
  noTransaction: boolean;
  durationMs: number;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  /** Migrations applied (up) or reverted (down) by this run, in order. */
  done: DoneMigration[];
  /** What the run set out to do (pending for up, to revert for down). */
  plan: PlanItem[];
  /** Pending migrations left after the run (all of the plan for a dry run). */
  pendingCount: number;
  previousVersion?: string;
  currentVersion?: string;
  /** The plan as Markdown: summary and PR comment ready. */
  planMarkdown: string;
  lintFindings: LintFinding[];
  backupPath?: string;
  warnings: string[];
  serverVersionNum: number;
  database: string;
}

/** A migration failed: the file and line, SQLSTATE and PostgreSQL's message. */
export class MigrationError extends UserError {
  override name = 'MigrationError';
  constructor(
    message: string,
    readonly location: Location,
    readonly sqlstate: string | undefined,
    /** Migrations done before the failure (they stay applied). */
    readonly done: DoneMigration[],
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The password inside a URL is a secret on its own too (URLs get rewritten, e.g. for a tunnel). */
function registerUrlPassword(url: string): void {
  try {
    const password = new URL(url).password;
    if (password) registerSecret(decodeURIComponent(password));
  } catch {
    // Not a URL: the connection attempt reports it.
  }
}

const silent: MigrateLogger = { info: () => undefined, warning: () => undefined };
const label = (f: MigrationFile) => (f.name ? `${f.version}_${f.name}` : f.version);

interface Settings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  lockRetries: number;
}

/**
 * Words every statement that cannot run in a transaction block (or controls one) contains.
 * A transactional script without any of them needs no parsing before it runs; one with any
 * of them (even in a comment or string) is parsed with PostgreSQL's parser, which decides.
 */
const NEEDS_PARSING =
  /\b(concurrently|vacuum|reindex|database|tablespace|system|subscription|discard|cluster|begin|commit|rollback|start|end|savepoint|release|prepare|abort)\b/i;

/**
 * Parses the scripts a plan will run (all of them for a dry run, whose plan shows statement
 * counts) and refuses, before anything runs, statements that cannot run inside the transaction
 * pg-migrate opens, and transaction control in such files.
 */
async function analyse(items: PlanItem[], problems: string[], all: boolean): Promise<void> {
  for (const item of items) {
    if (item.statements) continue;
    const script = scriptOf(item);
    if (!all && !script.noTransaction && !NEEDS_PARSING.test(script.sql)) continue;
    const statements = await parseScript(script).catch((error) => {
      problems.push((error as Error).message);
      return undefined;
    });
    if (!statements) continue;
    item.statements = statements;
    if (script.noTransaction) continue;
    for (const s of statements) {
      if (s.nonTransactional) {
        problems.push(
          `${script.path}:${s.line}: ${s.nonTransactional} cannot run inside a transaction. Put \`-- pg-migrate:no-transaction\` on the first line of the file (pg-migrate then runs its statements one by one and resumes after the last finished one).`,
        );
      } else if (s.transactionControl) {
        problems.push(
          `${script.path}:${s.line}: transaction control (${s.text.split(/\s+/)[0].toUpperCase()}) in a migration that pg-migrate already runs in its own transaction. Remove it, or put \`-- pg-migrate:no-transaction\` on the first line.`,
        );
      }
    }
  }
}

function scriptOf(item: PlanItem): Script {
  return item.action === 'revert' ? item.file.down! : item.file.up;
}

/** SET statements for the timeouts; a 0 statement timeout leaves the server's own setting. */
function settingStatements(s: Settings, local: boolean): string[] {
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
 * Runs one transactional script in ONE round trip: BEGIN; SET LOCAL ...; <file>; <bookkeeping>; COMMIT.
 * On error the transaction is rolled back and the failing statement located; a lock timeout
 * (55P03) is retried with jittered backoff.
 */
async function runInTransaction(
  client: Client,
  item: PlanItem,
  bookkeeping: string,
  s: Settings,
  done: DoneMigration[],
  logger: MigrateLogger,
): Promise<void> {
  const script = scriptOf(item);
  const settings = settingStatements(s, true);
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
      throw failure(error, script, statement, position, done, `Migration ${label(item.file)}`);
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
async function runStatements(
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
            `Migration ${label(item.file)} (statement ${i + 1} of ${statements.length}, not in a transaction)`,
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

function highestVersion(rows: Map<string, AppliedRow | true>, fallback?: string): string | undefined {
  let best: bigint | undefined;
  let text = fallback;
  for (const [version, row] of rows) {
    if (row !== true && !row.finished) continue;
    const n = BigInt(version);
    if (best === undefined || n > best) {
      best = n;
      text = row === true ? version : row.version;
    }
  }
  return best === undefined ? undefined : text;
}

/**
 * Applies (up) or reverts (down) migrations. Checks everything before changing anything;
 * takes a session advisory lock on its own connection while it changes the database.
 * A run with nothing to do opens one connection and sends one query.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const logger = options.logger ?? silent;
  const direction = options.direction ?? 'up';
  const root = options.root ?? process.cwd();
  const t = tracking(options.schema ?? 'public', options.table ?? 'schema_migrations');
  const settings: Settings = {
    lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 0,
    lockRetries: options.lockRetries ?? 3,
  };
  const lockWaitMs = options.lockWaitMs ?? 120_000;
  const appliedBy = options.appliedBy ?? 'pg-migrate';
  const planOptions = {
    direction,
    target: options.target,
    steps: options.steps,
    allowDrift: options.allowDrift ?? false,
    allowOutOfOrder: options.allowOutOfOrder ?? false,
  };

  registerUrlPassword(options.databaseUrl);
  const files = readMigrations(resolve(root, options.dir), root);
  const pooler = poolerReason(options.databaseUrl);
  if (pooler && !options.allowPooler) {
    throw new UserError(
      `database-url points at a connection pooler: ${pooler}. Session advisory locks do not hold behind a pooler.`,
      {
        hint: 'Use the direct (unpooled) database URL for migrations, or set `allow-pooler: true` if the pooler runs in session mode.',
      },
    );
  }

  const applicationName = `pg-migrate ${appliedBy}`;
  const work = await connect({ url: options.databaseUrl, applicationName, deadline: Date.now() + 60_000 });
  let lockClient: Client | undefined;
  let lockConnecting: Promise<Client> | undefined;
  const runKey = lockKey(t, 'run');
  const workKey = lockKey(t, 'work');
  const done: DoneMigration[] = [];
  try {
    let state = await readState(work, t);
    let plan: Plan = buildPlan(files, state.rows ?? [], planOptions);
    const previousVersion = plan.currentVersion;
    const finished = new Set((state.rows ?? []).filter((r) => r.finished).map((r) => BigInt(r.version).toString()));
    const result = (p: Plan, findings: LintFinding[], extra: Partial<MigrateResult>): MigrateResult => ({
      direction,
      dryRun: options.dryRun ?? false,
      done,
      plan: p.items,
      pendingCount: files.filter((f) => !finished.has(BigInt(f.version).toString())).length,
      previousVersion,
      currentVersion: p.currentVersion,
      planMarkdown: renderPlan({
        direction,
        database: state.database,
        plan: p,
        findings,
        dryRun: options.dryRun ?? false,
      }),
      lintFindings: findings,
      warnings: p.warnings,
      serverVersionNum: state.versionNum,
      database: state.database,
      ...extra,
    });
    for (const w of plan.warnings) logger.warning(w);
    if (plan.items.length === 0) {
      logger.info(direction === 'up' ? 'Nothing to migrate: the database is up to date.' : 'Nothing to revert.');
      return result(plan, [], {});
    }

    // The lock connection opens while the scripts are analysed and linted.
    if (!options.dryRun) {
      lockConnecting = connect({
        url: options.databaseUrl,
        applicationName: `${applicationName} (lock)`,
        deadline: Date.now() + 60_000,
      });
      lockConnecting.catch(() => undefined);
    }
    const problems: string[] = [];
    await analyse(plan.items, problems, options.dryRun ?? false);
    const findings =
      (options.lint ?? 'warn') === 'off'
        ? []
        : await lint(plan.items.map(scriptOf), {
            serverVersionNum: state.versionNum,
            direction,
            lockTimeoutMs: settings.lockTimeoutMs,
            statementTimeoutMs: settings.statementTimeoutMs,
            root,
            logger,
          });
    for (const f of findings) logger.warning(`${f.rule}: ${f.message}`, { file: f.file, line: f.line });
    if (options.lint === 'error' && findings.length > 0) {
      problems.push(
        `squawk found ${findings.length} problem${findings.length > 1 ? 's' : ''} in pending migrations (lint: error); see the annotations`,
      );
    }
    if (problems.length > 0) {
      throw new UserError(
        problems.length === 1
          ? problems[0]
          : `${problems.length} problems, nothing was changed:\n- ${problems.join('\n- ')}`,
      );
    }
    if (options.dryRun) {
      logger.info(
        `Dry run: ${plan.items.length} migration${plan.items.length > 1 ? 's' : ''} would ${direction === 'up' ? 'be applied' : 'be reverted'}.`,
      );
      return result(plan, findings, {});
    }

    // Lock: the run lock on its own connection, then the work lock on the work connection, so
    // a killed runner's statement still executing on the server blocks the next run until it ends.
    const deadline = Date.now() + lockWaitMs;
    lockClient = await lockConnecting!;
    const what = `the migration lock on ${t.schema}.${t.table}`;
    await acquire(lockClient, runKey, {
      deadline,
      waitMs: lockWaitMs,
      what,
      onWait: () => logger.info(`Waiting up to ${formatDuration(lockWaitMs)} for another runner's migration lock...`),
    });
    await acquire(work, workKey, {
      deadline,
      waitMs: lockWaitMs,
      what: `the work lock of a previous run on ${t.schema}.${t.table}`,
    });

    // Another runner may have finished while we waited: decide again under the lock.
    state = await readState(work, t);
    const before = plan;
    plan = buildPlan(files, state.rows ?? [], planOptions);
    for (const item of plan.items)
      item.statements = before.items.find((b) => b.file === item.file && b.action === item.action)?.statements;
    await analyse(plan.items, problems, false);
    if (problems.length > 0) throw new UserError(problems.join('\n'));
    if (plan.items.length === 0) {
      logger.info('Nothing to migrate: another runner applied everything while this one waited.');
      return result(plan, findings, {});
    }

    let backupPath: string | undefined;
    if (options.backupPath) {
      backupPath = resolve(root, options.backupPath);
      await runBackup(options.databaseUrl, backupPath, state.versionNum, logger);
    }
    if (!state.rows) await ensureTable(work, t);

    const versions = new Map<string, AppliedRow | true>();
    for (const row of state.rows ?? []) versions.set(BigInt(row.version).toString(), row);
    for (const item of plan.items) {
      const script = scriptOf(item);
      const f = item.file;
      const started = Date.now();
      const values = {
        version: f.version,
        name: f.name,
        checksum: f.checksum,
        appliedBy,
        appVersion: options.appVersion,
      };
      if (item.action === 'revert') {
        if (script.noTransaction) {
          await runStatements(work, t, item, settings, done, logger, false);
          await work.query(deleteRow(t, f.version));
        } else {
          await runInTransaction(work, item, deleteRow(t, f.version), settings, done, logger);
        }
        versions.delete(BigInt(f.version).toString());
      } else if (script.noTransaction) {
        if (item.action === 'apply') await work.query(upsertStarted(t, values, item.statements?.length ?? 0));
        else logger.info(`Resuming ${label(f)} after statement ${item.resumeFrom} of ${item.statements?.length}`);
        await runStatements(work, t, item, settings, done, logger, true);
        // A script with no statements still has to be marked finished.
        if ((item.statements?.length ?? 0) === 0) await work.query(updateProgress(t, f.version, 0, true, 0));
        versions.set(BigInt(f.version).toString(), true);
      } else {
        await runInTransaction(work, item, insertFinished(t, values), settings, done, logger);
        versions.set(BigInt(f.version).toString(), true);
      }
      const durationMs = Date.now() - started;
      done.push({
        version: f.version,
        name: f.name,
        path: script.path,
        noTransaction: script.noTransaction,
        durationMs,
      });
      logger.info(`${item.action === 'revert' ? 'Reverted' : 'Applied'} ${label(f)} (${formatDuration(durationMs)})`);
    }
    const currentVersion = highestVersion(versions);
    const fileVersion = files.find((f) => currentVersion !== undefined && BigInt(f.version) === BigInt(currentVersion));
    return result(plan, findings, {
      currentVersion: fileVersion?.version ?? currentVersion,
      pendingCount: files.filter((f) => {
        const row = versions.get(BigInt(f.version).toString());
        return row === undefined || (row !== true && !row.finished);
      }).length,
      backupPath,
    });
  } finally {
    if (lockClient) await release(lockClient, runKey).catch(() => undefined);
    await close(lockClient ?? (await lockConnecting?.catch(() => undefined)));
    await close(work);
  }
}
