import type { RollbackResult } from '@deploy-actions/rollback';
import { escapeMarkdown, Summary } from '@deploy-actions/toolkit';

/** The job summary: a timeline from the failed release to the verified rollback, and what to do next. */
export function rollbackSummary(
  result: RollbackResult,
  context: { app: string; runUrl: string; dryRun: boolean; migrationsRolledBack: boolean },
): Summary {
  const summary = new Summary();
  const verdict = context.dryRun
    ? 'Dry run: nothing was changed'
    : result.verified
      ? 'Rolled back and verified'
      : result.rolledBack
        ? result.verification
          ? 'Rolled back, NOT verified: the service is still down, page a human'
          : 'Rolled back, NOT verified (see why below): page a human'
        : result.refused
          ? 'Refused: migrations since the target are not compatible with its image'
          : 'Not rolled back';
  summary.heading(`Auto rollback of ${escapeMarkdown(context.app)}: ${verdict}`);
  summary.table(
    ['step', 'what happened'],
    result.timeline.map((t) => [t.step, t.detail]),
  );
  if (result.target.skipped.length > 0) {
    summary.details(
      `Releases passed over (${result.target.skipped.length})`,
      new Summary()
        .table(
          ['release', 'image', 'why'],
          result.target.skipped.map((s) => [`v${s.version}`, s.imageRef, s.why]),
        )
        .toString(),
    );
  }
  const links = [
    result.appUrl ? `[app](${result.appUrl})` : '',
    context.runUrl ? `[this run](${context.runUrl})` : '',
  ].filter(Boolean);
  if (links.length > 0) summary.text(links.join(' · '));
  const compat = result.compat;
  if (compat && compat.since.length > 0) {
    summary.details(
      `Migrations since the target (${compat.since.length})`,
      new Summary()
        .table(
          ['version', 'name', 'class', 'reasons', 'down'],
          compat.since.map((m) => [
            m.version,
            m.name,
            m.override ? `${m.class} (override: ${m.override})` : m.class,
            m.reasons.join(', '),
            m.down ? 'yes' : 'no',
          ]),
        )
        .toString(),
    );
  }
  if (!context.migrationsRolledBack && result.revertedMigrations.length === 0) {
    summary.text(
      '> The database was not rolled back: the restored release runs on the current schema. Keep migrations ' +
        'expand/contract (add first, remove a release later) so that the previous release always works with it.',
    );
  }
  return summary;
}
