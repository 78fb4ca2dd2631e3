import { resolve } from 'node:path';
import { formatDuration, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { type Adoption, adoption } from './adopt';
import type { Settings, TransactionJob } from './apply';
import { classifyPlan, migrationRecords } from './classify/plan';
import { answerWithin, close, connect, loginPid, poolerReason } from './db';
import { type MigrationFile, migrationLabel, readMigrationsInSlices, versionKey } from './files';
import type { LintFinding } from './lint';
import { buildPlan, type Plan, type PlanItem, refuseProblems } from './plan';
import { renderPlan } from './render';
import {
  type AppliedRow,
  deleteRow,
  ensureTable,
  guardBody,
  inSyncDigest,
  insertAdopted,
  insertFinished,
  readRows,
  readState,
  tracking,
  updateProgress,
  upsertStarted,
} from './tracking';
import type { DoneMigration, MigrateLogger, MigrateOptions, MigrateResult } from './types';
import { registerDatabaseUrl, requireDatabaseName } from './url';

export {
  type DoneMigration,
  type Location,
  type MigrateLogger,
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
} from './types';

const silent: MigrateLogger = { info: () => undefined, warning: () => undefined };

/** `0001_a` or `0001_a … 0042_z (42)`: a list of migrations in one line. */
function describeRange(files: MigrationFile[]): string {
  const first = migrationLabel(files[0]);
  return files.length === 1 ? first : `${first} … ${migrationLabel(files[files.length - 1])}`;
}

const adoptedOf = (a: Adoption) => ({ source: a.source, versions: a.files.map((f) => f.version) });

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
 * holds a session advisory lock on its one connection while it changes the database, verified
 * inside every migration's transaction.
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

  registerDatabaseUrl(options.databaseUrl);
  requireDatabaseName(options.databaseUrl);
  if (options.baseline !== undefined && direction === 'down') {
    throw new UserError("Input 'baseline' adopts a database on the way up; it cannot be used with `direction: down`");
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
  // A pooler in session mode queues this query while its server connections are all taken (by
  // other runs waiting for the lock, say): that wait is bounded like the lock's.
  const firstAnswerMs = Math.max(lockWaitMs, 5_000);
  const readingState = connecting.then((client) =>
    answerWithin(
      client,
      readState(client, t),
      firstAnswerMs,
      () =>
        new UserError(
          `PostgreSQL did not answer the first query within ${formatDuration(firstAnswerMs)}: the connection waits in a queue, most likely a pooler's in session mode whose server connections are all taken (for example by other runs waiting for the migration lock).`,
          {
            hint: 'Use the direct database URL for migrations, give the pooler more server connections than there are concurrent runs (PgBouncer: default_pool_size), or raise `lock-wait`.',
          },
        ),
    ),
  );
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
  // A baseline is checked against the table on every run (refused once anything else is recorded).
  const folderDigest =
    direction === 'up' && options.target === undefined && options.baseline === undefined
      ? inSyncDigest(files)
      : undefined;
  const work = await connecting;
  let releaseLock: (() => Promise<void>) | undefined;
  const done: DoneMigration[] = [];
  try {
    let state = await readingState;
    // The common case, a database already up to date, is settled by one comparison of digests.
    const upToDate = folderDigest !== undefined && state.matches(folderDigest);
    let rows = upToDate || !state.exists ? [] : await readRows(work, t);
    // A database migrated before pg-migrate (baseline, another tool's history): recorded, not run.
    const adopting =
      upToDate || direction === 'down' ? undefined : await adoption(work, t, files, rows, options.baseline);
    if (adopting) rows = adopting.rows;
    let plan: Plan = upToDate
      ? { items: [], warnings: [], currentVersion: files.at(-1)?.version, notInRun: 0 }
      : buildPlan(files, rows, planOptions);
    const previousVersion = plan.currentVersion;
    const pendingBefore = () => {
      if (upToDate) return 0;
      const finished = new Set(rows.filter((r) => r.finished).map((r) => versionKey(r.version)));
      return files.filter((f) => !finished.has(f.order.toString())).length;
    };
    const rowValues = (f: MigrationFile) => ({
      version: f.version,
      name: f.name,
      checksum: f.checksum,
      appliedBy,
      appVersion: options.appVersion,
    });
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
    for (const w of [...(adopting?.warnings ?? []), ...plan.warnings]) logger.warning(w);
    if (adopting) {
      logger.info(
        `${options.dryRun ? 'Would record' : 'Recording'} ${adopting.files.length} migration${adopting.files.length > 1 ? 's' : ''} as applied without running ${adopting.files.length > 1 ? 'them' : 'it'} (${adopting.source}): ${describeRange(adopting.files)}`,
      );
    }
    if (plan.items.length === 0 && (!adopting || options.dryRun)) {
      if (!adopting)
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
      releaseThroughPooler,
      runBackup,
      runStatements,
      runTransactions,
      scriptOf,
    } = await import('./steps');
    const key = lockKey(t, 'work');
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

    // The lock is taken on the connection that migrates, the only one a run opens before it
    // holds the lock: runs queued by a small pool cannot each hold one connection while waiting
    // for a second. A statement still executing for a killed runner keeps its backend, and the
    // lock with it, until it ends.
    const held = await acquire(work, key, {
      deadline: Date.now() + lockWaitMs,
      waitMs: lockWaitMs,
      what: `the migration lock on ${t.schema}.${t.table}`,
      loginPid: loginPid(work),
      allowPooler: options.allowPooler ?? false,
      urlHint: poolerReason(options.databaseUrl),
      onWait: () => logger.info(`Waiting up to ${formatDuration(lockWaitMs)} for another runner's migration lock...`),
    });
    releaseLock = async () => {
      // A broken connection ends its backend, and the lock with it.
      let released = await release(work, held, 1_000).catch(() => true);
      if (!released && held.pid !== loginPid(work))
        released = await releaseThroughPooler(
          () => connect({ url: options.databaseUrl, applicationName, deadline: Date.now() + 10_000 }),
          held,
        );
      if (!released)
        logger.warning(
          `Could not release the migration lock held by server connection pid ${held.pid} (a pooler gave this run other connections): end it with SELECT pg_terminate_backend(${held.pid}).`,
        );
    };
    if (held.pid !== loginPid(work))
      logger.info(
        'database-url goes through a connection pooler (allow-pooler): the migration lock is checked inside every migration.',
      );
    settings.lock = held;
    settings.serverVersionNum = state.versionNum;

    // Another runner may have finished while we waited: decide again under the lock.
    state = await readState(work, t, true);
    rows = state.rows ?? [];
    const adopted = direction === 'down' ? undefined : await adoption(work, t, files, rows, options.baseline);
    if (adopted) {
      if (!state.exists) await ensureTable(work, t);
      await work.query(
        insertAdopted(
          t,
          adopted.files.map((f) => ({ ...rowValues(f), appliedBy: `${appliedBy} (${adopted.source})` })),
        ),
      );
      state.exists = true;
      rows = adopted.rows;
      logger.info(`Recorded ${adopted.files.length} migration(s) as applied (${adopted.source}).`);
    }
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
      if (!adopted) logger.info('Nothing to migrate: another runner applied everything while this one waited.');
      return result(plan, findings, adopted ? { adopted: adoptedOf(adopted) } : {});
    }

    let backupPath: string | undefined;
    if (options.backupPath) {
      backupPath = resolve(root, options.backupPath);
      await runBackup(options.databaseUrl, backupPath, state.versionNum, logger);
    }
    if (!state.exists) await ensureTable(work, t);

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
                previous && guardBody(t, previous.file.version, previous.action === 'revert' ? 'absent' : 'present'),
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
      adopted: adopted && adoptedOf(adopted),
    });
  } finally {
    await releaseLock?.().catch(() => undefined);
    await close(work);
  }
}
