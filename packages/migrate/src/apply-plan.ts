import { resolve } from 'node:path';
import { formatDuration } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import type { Adoption } from './adopt';
import { scriptOf } from './analyse';
import { flushCommits, runStatements, runTransactions, type TransactionJob } from './apply';
import { runBackup } from './backup';
import { classified } from './classify/plan';
import { migrationLabel, versionKey } from './files';
import type { LintFinding } from './lint';
import type { PlanItem } from './plan';
import { adoptedOf, type Reading, type Run, resultOf, rowValues } from './run';
import {
  type AppliedRow,
  deleteRow,
  ensureTable,
  guardBody,
  insertFinished,
  updateProgress,
  upsertStarted,
} from './tracking';
import type { MigrateResult } from './types';

/** Applied versions by versionKey: the row read, or `true` for one this run applied. */
type Versions = Map<string, AppliedRow | true>;

function highestVersion(rows: Versions): string | undefined {
  let best: bigint | undefined;
  let text: string | undefined;
  for (const [version, row] of rows) {
    if (row !== true && !row.finished) continue;
    const n = BigInt(version);
    if (best === undefined || n > best) {
      best = n;
      text = row === true ? version : row.version;
    }
  }
  return text;
}

/** Notes a migration as done: in `versions`, the run's list and the log. */
function recordDone(run: Run, versions: Versions, item: PlanItem, durationMs: number): void {
  const f = item.file;
  const script = scriptOf(item);
  if (item.action === 'revert') versions.delete(versionKey(f.version));
  else versions.set(versionKey(f.version), true);
  run.done.push({
    version: f.version,
    name: f.name,
    path: script.path,
    noTransaction: script.noTransaction,
    durationMs,
  });
  run.logger.info(
    `${item.action === 'revert' ? 'Reverted' : 'Applied'} ${migrationLabel(f)} (${formatDuration(durationMs)})`,
  );
}

/**
 * The transactional migrations from `items[from]` up to the next non-transactional one, for one
 * pipeline. Each but the first is guarded by the one before it; the run's last commit is durable.
 */
function transactionJobs(run: Run, items: PlanItem[], from: number): TransactionJob[] {
  const { t } = run;
  const last = items.length - 1;
  const jobs: TransactionJob[] = [];
  for (let index = from; index <= last && !scriptOf(items[index]).noTransaction; index++) {
    const item = items[index];
    const previous = jobs.at(-1)?.item;
    jobs.push({
      item,
      bookkeeping:
        item.action === 'revert' ? deleteRow(t, item.file.version) : insertFinished(t, rowValues(run, item.file)),
      durable: index === last,
      guard: previous && guardBody(t, previous.file.version, previous.action === 'revert' ? 'absent' : 'present'),
    });
  }
  return jobs;
}

/** A non-transactional migration, statement by statement, its progress recorded after each. */
async function applyWithoutTransaction(run: Run, work: Client, item: PlanItem): Promise<void> {
  const { t, settings, done, logger } = run;
  const f = item.file;
  if (item.action === 'revert') {
    await runStatements(work, t, item, settings, done, logger, false);
    await work.query(deleteRow(t, f.version));
    return;
  }
  if (item.action === 'apply') await work.query(upsertStarted(t, rowValues(run, f), item.statements?.length ?? 0));
  else logger.info(`Resuming ${migrationLabel(f)} after statement ${item.resumeFrom} of ${item.statements?.length}`);
  await runStatements(work, t, item, settings, done, logger, true);
  // A script with no statements still has to be marked finished.
  if ((item.statements?.length ?? 0) === 0) await work.query(updateProgress(t, f.version, 0, true, 0));
}

/**
 * Applies `items` in order: consecutive transactional ones through one pipeline, the others
 * one by one. Transactions commit without waiting for the WAL flush, except the last of the
 * run, which makes all of them durable (and a failure flushes before it is reported): one
 * fsync wait per run instead of one per migration. A crash in between loses whole migrations
 * with their tracking rows, which the next run applies again.
 */
async function applyItems(run: Run, work: Client, items: PlanItem[], versions: Versions): Promise<void> {
  let unflushed = false;
  try {
    for (let index = 0; index < items.length; ) {
      if (!scriptOf(items[index]).noTransaction) {
        const jobs = transactionJobs(run, items, index);
        await runTransactions(work, jobs, run.settings, run.done, run.logger, (job, ms) => {
          unflushed = !job.durable;
          recordDone(run, versions, job.item, ms);
        });
        index += jobs.length;
        continue;
      }
      const started = Date.now();
      await applyWithoutTransaction(run, work, items[index]);
      unflushed = false; // autocommit statements and progress rows commit synchronously
      recordDone(run, versions, items[index], Date.now() - started);
      index++;
    }
  } catch (error) {
    if (unflushed) await flushCommits(work).catch(() => undefined);
    throw error;
  }
}

/** Backs up when asked, applies the plan read under the lock, and reports where it left the database. */
export async function applyPlan(
  run: Run,
  work: Client,
  reading: Reading,
  findings: LintFinding[],
  adopted: Adoption | undefined,
): Promise<MigrateResult> {
  const { options } = run;
  const { files, state } = reading;
  let backupPath: string | undefined;
  if (options.backupPath) {
    backupPath = resolve(run.root, options.backupPath);
    await runBackup(options.databaseUrl, backupPath, state.versionNum, run.logger);
  }
  if (!state.exists) await ensureTable(work, run.t);
  const versions: Versions = new Map();
  for (const row of reading.rows) versions.set(versionKey(row.version), row);
  await applyItems(run, work, reading.plan.items, versions);
  await classified(reading.plan.items);
  const currentVersion = highestVersion(versions);
  const fileVersion = files.find((f) => currentVersion !== undefined && BigInt(f.version) === BigInt(currentVersion));
  return resultOf(run, reading, findings, {
    currentVersion: fileVersion?.version ?? currentVersion,
    pendingCount: files.filter((f) => {
      const row = versions.get(versionKey(f.version));
      return row === undefined || (row !== true && !row.finished);
    }).length,
    backupPath,
    adopted: adopted && adoptedOf(adopted),
  });
}
