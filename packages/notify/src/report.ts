import { escapeMarkdown, log, Summary, UserError } from '@deploy-actions/toolkit';
import { escapeMd, oneLine } from './escape';
import { STATUS_STYLE } from './message';
import type { NotifyResult } from './notify';

const OUTCOME = { sent: '✅ sent', failed: '❌ failed', skipped: '⏭️ skipped' } as const;

/** The job summary: what was announced, and what each channel did with it. */
export function notifySummary(result: NotifyResult): Summary {
  const m = result.message;
  const summary = new Summary().heading(`${STATUS_STYLE[m.status].emoji} Notify: ${escapeMarkdown(m.title)}`);
  if (result.results.length === 0) {
    return summary.text(
      'No channel is configured: nothing was sent. Set a webhook, `smtp-url`, `github-deployment` or `pr-comment`.',
    );
  }
  // Details quote what services answered, which may echo our payload (commit messages...): escaped, not rendered.
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const detail = (r: NotifyResult['results'][number]) =>
    escapeMd(oneLine(r.hint ? `${r.detail} — ${r.hint}` : r.detail));
  summary.text(
    [
      row(['Channel', 'Result', 'Attempts', 'Details']),
      row(['---', '---', '---', '---']),
      ...result.results.map((r) => row([r.channel, OUTCOME[r.outcome], String(r.attempts), detail(r)])),
    ].join('\n'),
  );
  summary.facts([
    ['Deployment id', result.deploymentId],
    ['PR comment', result.commentUrl],
  ]);
  if (result.failed.length > 0) {
    summary.text(
      `**Not delivered:** ${result.failed.join(', ')}. The other channels were not affected; see the details above.`,
    );
  }
  return summary;
}

/**
 * Logs each channel's result. Failures are warning annotations, or fail the step when
 * `failOnError` is set (after every channel has been tried).
 */
export function reportResults(result: NotifyResult, failOnError: boolean): void {
  for (const r of result.results) {
    const text = `${r.channel}: ${r.detail}${r.hint ? `\n${r.hint}` : ''}`;
    if (r.outcome === 'failed') {
      if (!failOnError) log.warning(text, { title: `notify: ${r.channel} failed` });
    } else log.info(text);
  }
  if (result.results.length === 0) log.info('No channel is configured: nothing was sent.');
  if (failOnError && result.failed.length > 0) {
    const lines = result.results.filter((r) => r.outcome === 'failed').map((r) => `- ${r.channel}: ${r.detail}`);
    throw new UserError(`${result.failed.length} channel(s) failed:\n${lines.join('\n')}`, {
      hint: result.results.find((r) => r.outcome === 'failed' && r.hint)?.hint,
    });
  }
}
