import { codeSpan, escapeMd, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';

/**
 * The hidden marker that finds this comment again: one comment per app and environment
 * on a pull request, updated in place on every run.
 */
export function commentMarker(app: string | undefined, environment: string | undefined): string {
  const clean = (v: string | undefined) => (v ?? '').replace(/[^A-Za-z0-9._/-]/g, '_');
  return `<!-- deploy-actions:notify app=${clean(app)} environment=${clean(environment)} -->`;
}

/** The PR comment: a heading, the preview URL, a facts table, and when it was last updated. */
export function renderPrComment(m: DeployMessage): string {
  const style = STATUS_STYLE[m.status];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = facts(m).map((f) => {
    const value = f.code ? codeSpan(f.value) : escapeMd(oneLine(f.value));
    const url = safeUrl(f.url);
    return `| ${f.label} | ${cell(url ? `[${value}](${url})` : value)} |`;
  });
  const url = safeUrl(m.url);
  const runUrl = safeUrl(m.runUrl);
  const rollback = rollbackLine(m);
  return [
    commentMarker(m.app, m.environment),
    `### ${style.emoji} ${escapeMd(m.title)}`,
    '',
    url ? `**Preview:** ${url}` : '',
    rollback ? `**${escapeMd(rollback)}**` : '',
    m.commitTitle ? `Commit: ${escapeMd(m.commitTitle)}` : '',
    m.reason ? `Reason: ${escapeMd(oneLine(m.reason))}` : '',
    '',
    '| | |',
    '| --- | --- |',
    ...rows,
    '',
    m.extra ?? '',
    '',
    `<sub>Updated ${m.timestamp}${runUrl ? ` by [this run](${runUrl})` : ''}.</sub>`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}
