import { errorMessage, Summary } from '@deploy-actions/toolkit';
import { type Action, changeCount, type PlanItem } from './plan';
import type { SyncResult } from './sync';

const ORDER: Action[] = ['add', 'change', 'remove', 'unchanged', 'keep'];

function label(item: PlanItem, dryRun: boolean): string {
  switch (item.action) {
    case 'add':
      return dryRun ? 'would be added' : 'added';
    case 'change':
      return dryRun ? 'would be changed' : 'changed';
    case 'remove':
      return dryRun ? 'would be removed' : 'removed';
    case 'unchanged':
      return 'unchanged';
    case 'keep':
      return item.reason === 'protected' ? 'kept (protected)' : 'kept (not declared)';
  }
}

/** One line saying what happened and what, if anything, is still needed. */
export function outcome(app: string, result: SyncResult, dryRun: boolean): string {
  const { plan } = result;
  const counts = `${plan.add.length} added, ${plan.change.length} changed, ${plan.remove.length} removed, ${plan.unchanged.length} unchanged`;
  if (dryRun) return `Dry run, nothing was written. The plan: ${counts}.`;
  if (changeCount(plan) === 0) return `Nothing to do: the secrets of ${app} already match (${counts}).`;
  if (result.firstDeployment) return `${counts}. The app has no machines yet: its first deployment will use them.`;
  if (result.staged) {
    return `${counts}. Staged: they take effect at the next \`fly deploy\` or \`flyctl secrets deploy --app ${app}\`.`;
  }
  return `${counts}. The machines were restarted once with the new secrets.`;
}

/** The job summary: what changed per name (never a value) and whether a deploy is still needed. */
export function renderSummary(app: string, result: SyncResult, dryRun: boolean): Summary {
  // App and secret names are plain letters, digits, `-` and `_`: safe in Markdown.
  const summary = new Summary().heading(`Fly secrets: ${app}${dryRun ? ' (dry run)' : ''}`);
  summary.text(outcome(app, result, dryRun));
  if (result.pending.length > 0) {
    summary.text(
      `flyctl reports ${result.pending.length} other secret(s) as not deployed on every machine (${result.pending.join(', ')}): a deploy is still needed for them.`,
    );
  }
  const rows = [...result.plan.items]
    .sort((a, b) => ORDER.indexOf(a.action) - ORDER.indexOf(b.action) || a.name.localeCompare(b.name))
    .map((item) => [item.name, label(item, dryRun), item.remoteStatus ?? '']);
  const withStatus = rows.some((r) => r[2] !== '');
  summary.table(
    withStatus ? ['Secret', 'Result', 'Status on Fly before'] : ['Secret', 'Result'],
    withStatus ? rows : rows.map((r) => r.slice(0, 2)),
  );
  summary.facts([
    ['flyctl writes', result.writes.length > 0 ? result.writes.map((w) => `\`${w}\``).join(', ') : 'none'],
  ]);
  return summary;
}

/** The summary of a run that stopped on an error: why, and what had been written by then. */
export function stoppedSummary(app: string, error: unknown, writes: readonly string[]): Summary {
  return new Summary()
    .heading(`Fly secrets: ${app || '(no app)'}`)
    .text(`The sync stopped: ${errorMessage(error)}`)
    .text(
      writes.length === 0
        ? 'Nothing was written to the app.'
        : `Written before it stopped: ${writes.map((w) => `\`${w}\``).join(', ')}. Run the step again: it writes only what still differs.`,
    );
}
