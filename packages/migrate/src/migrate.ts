import type { Client } from 'pg';
import type { Adoption } from './adopt';
import { close } from './db';
import { type MigrationFile, migrationLabel } from './files';
import { connectWhileReading, readPlan, upToDateDigest } from './read-plan';
import { adoptedOf, type Reading, type Run, resultOf, runOf } from './run';
import type { MigrateOptions, MigrateResult } from './types';

export {
  type DoneMigration,
  type Location,
  type MigrateLogger,
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
} from './types';

/** `0001_a` or `0001_a … 0042_z (42)`: a list of migrations in one line. */
function describeRange(files: MigrationFile[]): string {
  const first = migrationLabel(files[0]);
  return files.length === 1 ? first : `${first} … ${migrationLabel(files[files.length - 1])}`;
}

/** Reports what was read; the result when there is nothing to change (or a dry run of an adoption only). */
function settledByReading(run: Run, reading: Reading, adopting: Adoption | undefined): MigrateResult | undefined {
  const { logger, dryRun } = run;
  for (const w of [...(adopting?.warnings ?? []), ...reading.plan.warnings]) logger.warning(w);
  if (adopting) {
    const n = adopting.files.length;
    logger.info(
      `${dryRun ? 'Would record' : 'Recording'} ${n} migration${n > 1 ? 's' : ''} as applied without running ${n > 1 ? 'them' : 'it'} (${adopting.source}): ${describeRange(adopting.files)}`,
    );
  }
  if (reading.plan.items.length > 0 || (adopting && !dryRun)) return undefined;
  if (!adopting)
    logger.info(run.direction === 'up' ? 'Nothing to migrate: the database is up to date.' : 'Nothing to revert.');
  return resultOf(run, reading, []);
}

/**
 * Applies (up) or reverts (down) migrations. Checks everything before changing anything;
 * holds a session advisory lock on its one connection while it changes the database, verified
 * inside every migration's transaction.
 * A run with nothing to do opens one connection and sends one query.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const run = runOf(options);
  const { files, connecting, readingState } = await connectWhileReading(run);
  // Built while the state query may still be on its way.
  const digest = upToDateDigest(run, files);
  const work: Client = await connecting;
  let releaseLock: (() => Promise<void>) | undefined;
  try {
    const read = await readPlan(run, work, files, await readingState, digest);
    const settled = settledByReading(run, read.reading, read.adopting);
    if (settled) return settled;

    // Loaded only when there is something to do.
    const { applyPlan, checkPlan, classified, recheckUnderLock, takeLock } = await import('./steps');
    const findings = await checkPlan(run, read.reading);
    if (run.dryRun) {
      const n = read.reading.plan.items.length;
      run.logger.info(
        `Dry run: ${n} migration${n > 1 ? 's' : ''} would ${run.direction === 'up' ? 'be applied' : 'be reverted'}.`,
      );
      await classified(read.reading.plan.items);
      return resultOf(run, read.reading, findings);
    }

    releaseLock = await takeLock(run, work, read.reading.state.versionNum);
    const { reading, adopted } = await recheckUnderLock(run, work, read.reading, findings);
    if (reading.plan.items.length === 0) {
      if (!adopted) run.logger.info('Nothing to migrate: another runner applied everything while this one waited.');
      return resultOf(run, reading, findings, adopted ? { adopted: adoptedOf(adopted) } : {});
    }
    return await applyPlan(run, work, reading, findings, adopted);
  } finally {
    await releaseLock?.().catch(() => undefined);
    await close(work);
  }
}
