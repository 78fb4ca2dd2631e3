import { resolve } from 'node:path';
import { formatDuration, registerSecret, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import type { Settings, TransactionJob } from './apply';
import { classifyPlan, migrationRecords } from './classify/plan';
import { close, connect, poolerReason } from './db';
import { type MigrationFile, migrationLabel, readMigrationsInSlices, versionKey } from './files';
import type { LintFinding } from './lint';
import { buildPlan, type Plan, type PlanItem, refuseProblems } from './plan';
import { renderPlan } from './render';
import {
  type AppliedRow,
  deleteRow,
  ensureTable,
  guardAfter,
  inSyncDigest,
  insertFinished,
  readRows,
  readState,
  tracking,
  updateProgress,
  upsertStarted,
} from './tracking';
import type { DoneMigration, MigrateLogger, MigrateOptions, MigrateResult } from './types';

export {
  type DoneMigration,
  type Location,
  type MigrateLogger,
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
} from './types';

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
  const pooler = poolerReason(options.databaseUrl);
  if (pooler && !options.allowPooler) {
    throw new UserError(
      `database-url points at a connection pooler: ${pooler}. Session advisory locks do not hold behind a pooler.`,
      {
        hint: 'Use the direct (unpooled) database URL for migrations, or set `allow-pooler: true` if the pooler runs in session mode.',
      },
    );
  }

  // The connection opens while the files are read: its handshake is mostly waiting for the
  // server. A problem in the files abandons it.
  const applicationName = `pg-migrate ${appliedBy}`;
  const abandon = new AbortController();
  const connecting = connect({
    url: options.databaseUrl,
    applicationName,
    deadline: Date.now() + 60_000,
    signal: abandon.signal,
    pipeline: true,
  });
  // The state is read as soon as the connection is up, while the last files may still be read.
  const readingState = connecting.then((client) => readState(client, t));
  // Both are awaited below; until then a rejection is not an unhandled one.
  connecting.catch(() => undefined);
  readingState.catch(() => undefined);
  let files: MigrationFile[];
  try {
    files = await readMigrationsInSlices(resolve(root, options.dir), root);
  } catch (error) {
    abandon.abort();
    await close(await connecting.catch(() => undefined));
    throw error;
  }
  // Built while the state query may still be on its way.
  const folderDigest = direction === 'up' && options.target === undefined ? inSyncDigest(files) : undefined;
  const work = await connecting;
  let lockClient: Client | undefined;
  let lockConnecting: Promise<Client> | undefined;
  let releaseRunLock: (() => Promise<unknown>) | undefined;
  const done: DoneMigration[] = [];
  try {
    let state = await readingState;
    // The common case, a database already up to date, is settled by one comparison of digests.
    const upToDate = folderDigest !== undefined && state.matches(folderDigest);
    let rows = upToDate || !state.exists ? [] : await readRows(work, t);
    let plan: Plan = upToDate
      ? { items: [], warnings: [], currentVersion: files.at(-1)?.version, notInRun: 0 }
      : buildPlan(files, rows, planOptions);
    const previousVersion = plan.currentVersion;
    const pendingBefore = () => {
      if (upToDate) return 0;
      const finished = new Set(rows.filter((r) => r.finished).map((r) => versionKey(r.version)));
      return files.filter((f) => !finished.has(f.order.toString())).length;
    };
    const result = (p: Plan, findings: LintFinding[], extra: Partial<MigrateResult>): MigrateResult => ({
      direction,
      dryRun: options.dryRun ?? false,
      done,
      plan: p.items,
      pendingCount: extra.pendingCount ?? pendingBefore(),
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
      classes: migrationRecords(
        options.dryRun ? p.items : p.items.filter((item) => done.some((d) => d.version === item.file.version)),
      ),
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

    const {
      acquire,
      analyse,
      flushCommits,
      lint,
      lockKey,
      release,
      runBackup,
      runStatements,
      runTransactions,
      scriptOf,
    } = await import('./steps');
    const runKey = lockKey(t, 'run');
    const workKey = lockKey(t, 'work');

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
    if (direction === 'up') await classifyPlan(plan.items, findings, problems);
    refuseProblems(problems);
    if (options.dryRun) {
      logger.info(
        `Dry run: ${plan.items.length} migration${plan.items.length > 1 ? 's' : ''} would ${direction === 'up' ? 'be applied' : 'be reverted'}.`,
      );
      return result(plan, findings, {});
    }

    // Lock: the run lock on its own connection, then the work lock on the work connection, so
    // a killed runner's statement still executing on the server blocks the next run until it ends.
    const deadline = Date.now() + lockWaitMs;
    const runLockClient = await lockConnecting!;
    lockClient = runLockClient;
    const what = `the migration lock on ${t.schema}.${t.table}`;
    await acquire(runLockClient, runKey, {
      deadline,
      waitMs: lockWaitMs,
      what,
      onWait: () => logger.info(`Waiting up to ${formatDuration(lockWaitMs)} for another runner's migration lock...`),
    });
    releaseRunLock = () => release(runLockClient, runKey);
    await acquire(work, workKey, {
      deadline,
      waitMs: lockWaitMs,
      what: `the work lock of a previous run on ${t.schema}.${t.table}`,
    });

    // Another runner may have finished while we waited: decide again under the lock.
    state = await readState(work, t, true);
    rows = state.rows ?? [];
    const before = plan;
    plan = buildPlan(files, rows, planOptions);
    for (const item of plan.items) {
      const earlier = before.items.find((b) => b.file === item.file && b.action === item.action);
      item.statements = earlier?.statements;
      item.classification = earlier?.classification;
    }
    await analyse(plan.items, problems, false);
    if (direction === 'up') await classifyPlan(plan.items, findings, problems);
    refuseProblems(problems);
    if (plan.items.length === 0) {
      logger.info('Nothing to migrate: another runner applied everything while this one waited.');
      return result(plan, findings, {});
    }

    let backupPath: string | undefined;
    if (options.backupPath) {
      backupPath = resolve(root, options.backupPath);
      await runBackup(options.databaseUrl, backupPath, state.versionNum, logger);
    }
    if (!state.exists) await ensureTable(work, t);

    const rowValues = (f: MigrationFile) => ({
      version: f.version,
      name: f.name,
      checksum: f.checksum,
      appliedBy,
      appVersion: options.appVersion,
    });
    const versions = new Map<string, AppliedRow | true>();
    for (const row of rows) versions.set(versionKey(row.version), row);
    // Transactions commit without waiting for the WAL flush, except the last of the run, which
    // makes all of them durable (and a failure flushes before it is reported): one fsync wait per
    // run instead of one per migration. A crash in between loses whole migrations with their
    // tracking rows, which the next run applies again.
    let unflushed = false;
    const finish = (item: PlanItem, durationMs: number) => {
      const f = item.file;
      const script = scriptOf(item);
      if (item.action === 'revert') versions.delete(versionKey(f.version));
      else versions.set(versionKey(f.version), true);
      done.push({
        version: f.version,
        name: f.name,
        path: script.path,
        noTransaction: script.noTransaction,
        durationMs,
      });
      logger.info(
        `${item.action === 'revert' ? 'Reverted' : 'Applied'} ${migrationLabel(f)} (${formatDuration(durationMs)})`,
      );
    };
    const last = plan.items.length - 1;
    try {
      for (let index = 0; index <= last; ) {
        const item = plan.items[index];
        const f = item.file;
        if (!scriptOf(item).noTransaction) {
          // Consecutive transactional migrations go through one pipeline.
          const jobs: TransactionJob[] = [];
          for (; index <= last && !scriptOf(plan.items[index]).noTransaction; index++) {
            const it = plan.items[index];
            const previous = jobs.at(-1)?.item;
            jobs.push({
              item: it,
              bookkeeping:
                it.action === 'revert' ? deleteRow(t, it.file.version) : insertFinished(t, rowValues(it.file)),
              durable: index === last,
              guard:
                previous && guardAfter(t, previous.file.version, previous.action === 'revert' ? 'absent' : 'present'),
            });
          }
          await runTransactions(work, jobs, settings, done, logger, (job, ms) => {
            unflushed = !job.durable;
            finish(job.item, ms);
          });
          continue;
        }
        const started = Date.now();
        if (item.action === 'revert') {
          await runStatements(work, t, item, settings, done, logger, false);
          await work.query(deleteRow(t, f.version));
        } else {
          if (item.action === 'apply') await work.query(upsertStarted(t, rowValues(f), item.statements?.length ?? 0));
          else
            logger.info(
              `Resuming ${migrationLabel(f)} after statement ${item.resumeFrom} of ${item.statements?.length}`,
            );
          await runStatements(work, t, item, settings, done, logger, true);
          // A script with no statements still has to be marked finished.
          if ((item.statements?.length ?? 0) === 0) await work.query(updateProgress(t, f.version, 0, true, 0));
        }
        unflushed = false; // autocommit statements and progress rows commit synchronously
        finish(item, Date.now() - started);
        index++;
      }
    } catch (error) {
      if (unflushed) await flushCommits(work).catch(() => undefined);
      throw error;
    }
    const currentVersion = highestVersion(versions);
    const fileVersion = files.find((f) => currentVersion !== undefined && BigInt(f.version) === BigInt(currentVersion));
    return result(plan, findings, {
      currentVersion: fileVersion?.version ?? currentVersion,
      pendingCount: files.filter((f) => {
        const row = versions.get(versionKey(f.version));
        return row === undefined || (row !== true && !row.finished);
      }).length,
      backupPath,
    });
  } finally {
    await releaseRunLock?.().catch(() => undefined);
    await close(lockClient ?? (await lockConnecting?.catch(() => undefined)));
    await close(work);
  }
}
