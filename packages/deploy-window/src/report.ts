import { escapeMarkdown, Summary } from '@deploy-actions/toolkit';
import { formatInstant, formatLocal, type GateResult } from './gate';
import { describeWindow } from './policy';

/** The job summary: verdict, local time, the deciding rule, the next window, and any override. */
export function gateSummary(result: GateResult): Summary {
  const { window } = result;
  const verdict = result.overridden
    ? 'Overridden: deploy allowed outside the window'
    : result.allowed
      ? 'Open: deploy allowed'
      : result.mode === 'warn'
        ? 'Closed (warn mode: the step does not fail)'
        : 'Closed: deploy blocked';
  const holidays = window.holidays ? `${window.holidays.region} (${window.holidays.types.join(', ')})` : 'none';
  const freezes = window.policy.freezes.map((f) => f.text).join(', ');
  const next =
    result.nextWindow === undefined
      ? 'none found within 400 days'
      : result.nextWindow === result.now
        ? 'now'
        : `${formatLocal(window, result.nextWindow)} (${formatInstant(window, result.nextWindow)})`;
  const word = result.overridden ? 'overridden' : result.allowed ? 'open' : 'closed';
  const summary = new Summary().heading(`Business hours gate: ${word}`).facts([
    ['Verdict', verdict],
    ['Local time', `${formatLocal(window, result.now)} (${window.policy.zone.name})`],
    ['Decided by', result.verdict.rule],
    ['Next window', next],
    ['Window', describeWindow(window.policy)],
    ['Holidays', holidays],
    ['Freezes', freezes],
  ]);
  if (result.audit) summary.text(`**Override audit:** ${escapeMarkdown(result.audit)}`);
  if (result.refusal) summary.text(`**${escapeMarkdown(result.refusal)}**`);
  if (!result.allowed) {
    summary.text(
      'To deploy anyway, run again with `override: true` and an `override-reason`; the override is recorded here.',
    );
  }
  return summary;
}
