import { formatDuration, Summary } from '@deploy-actions/toolkit';
import { classCounts } from './classify/render';
import { migrationLabel } from './files';
import type { DoneMigration, MigrateResult, MigrationError } from './types';

function doneTable(summary: Summary, done: DoneMigration[], verb: string): void {
  summary.table(
    [verb, 'Transaction', 'Time', 'File'],
    done.map((d) => [migrationLabel(d), d.noTransaction ? 'none' : 'yes', formatDuration(d.durationMs), d.path]),
  );
}

/** The job summary of a finished run: what changed, timings, the plan, the new current version. */
export function resultSummary(result: MigrateResult): Summary {
  const summary = new Summary();
  const down = result.direction === 'down';
  const count = result.done.length;
  const title = result.dryRun
    ? `pg-migrate: dry run, ${result.plan.length} to ${down ? 'revert' : 'apply'}`
    : count === 0
      ? result.adopted
        ? `pg-migrate: ${result.adopted.versions.length} recorded as applied (${result.adopted.source})`
        : 'pg-migrate: nothing to do'
      : `pg-migrate: ${count} migration${count > 1 ? 's' : ''} ${down ? 'reverted' : 'applied'}`;
  summary.heading(title);
  summary.facts([
    ['Database', result.database],
    ['Version before', result.previousVersion ?? 'none'],
    ['Version now', result.currentVersion ?? 'none'],
    ['Pending', result.pendingCount],
    ['Classes', classCounts(result.classes)],
    ['Total time', count > 0 ? formatDuration(result.done.reduce((n, d) => n + d.durationMs, 0)) : ''],
    ['Backup', result.backupPath],
    [
      'Recorded without running',
      result.adopted &&
        `${result.adopted.versions.length} (${result.adopted.source}), up to ${result.adopted.versions.at(-1)}`,
    ],
  ]);
  doneTable(summary, result.done, down ? 'Reverted' : 'Applied');
  if (result.dryRun || result.lintFindings.length > 0 || result.warnings.length > 0) summary.text(result.planMarkdown);
  else if (result.plan.length > 0) summary.details('Plan', result.planMarkdown);
  return summary;
}

/** The job summary of a failed run: what stayed applied (or reverted, for down) and what failed where. */
export function failureSummary(error: MigrationError, direction: 'up' | 'down' = 'up'): Summary {
  const [done, verb] = direction === 'down' ? ['reverted', 'Reverted'] : ['applied', 'Applied'];
  const summary = new Summary().heading('pg-migrate: a migration failed');
  summary.facts([
    ['Failed at', error.location.line ? `${error.location.file}:${error.location.line}` : error.location.file],
    ['SQLSTATE', error.sqlstate],
  ]);
  summary.code(error.message);
  if (error.done.length > 0) {
    summary.text(`These migrations were ${done} before the failure and stay ${done}:`);
    doneTable(summary, error.done, verb);
  } else {
    summary.text(`Nothing was ${done} by this run.`);
  }
  return summary;
}
