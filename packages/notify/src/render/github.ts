import { cutGraphemes } from '@deploy-actions/toolkit';
import { codeSpan, escapeMd, fit, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';

/**
 * The hidden marker that finds this comment again: one comment per app and environment
 * on a pull request, updated in place on every run.
 */
const clean = (v: string | undefined) => (v ?? '').replace(/[^A-Za-z0-9._/-]/g, '_');

function commentMarker(app: string | undefined, environment: string | undefined): string {
  return `<!-- deploy-actions:notify app=${clean(app)} environment=${clean(environment)} -->`;
}

const MARKER = /<!-- deploy-actions:notify app=([A-Za-z0-9._/-]*) environment=([A-Za-z0-9._/-]*) -->/;

/**
 * Whether a comment is the one to update: same environment, and the same app unless
 * either side does not know it (a failed deploy may not have reported its app name).
 */
export function isOwnComment(body: string, app: string | undefined, environment: string | undefined): boolean {
  const m = MARKER.exec(body);
  if (!m) return false;
  const [, theirApp, theirEnvironment] = m;
  const ourApp = clean(app);
  return theirEnvironment === clean(environment) && (theirApp === ourApp || theirApp === '' || ourApp === '');
}

/** The app named in a comment's marker, if any. */
export function markerApp(body: string): string | undefined {
  return MARKER.exec(body)?.[1] || undefined;
}

/** GitHub refuses issue comments over 65,536 characters (422 "body is too long"); ours stay well inside. */
export const COMMENT_LIMIT = 65_536;

/**
 * The PR comment: a heading, the preview URL, a facts table, and when it was last updated.
 * Long texts are cut (at grapheme boundaries) so the whole comment fits COMMENT_LIMIT.
 * `app` names the marker (an update without an app name keeps the one the comment had).
 */
export function renderPrComment(m: DeployMessage, app = m.app): string {
  const style = STATUS_STYLE[m.status];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = facts(m).map((f) => {
    const value = f.code ? codeSpan(fit(f.value, 500)) : fit(oneLine(f.value), 500, escapeMd);
    const url = safeUrl(f.url);
    return `| ${f.label} | ${cell(url && url.length <= 2000 ? `[${value}](${url})` : value)} |`;
  });
  const url = safeUrl(m.url);
  const runUrl = safeUrl(m.runUrl);
  const rollback = rollbackLine(m);
  const body = [
    commentMarker(app, m.environment),
    `### ${style.emoji} ${fit(m.title, 1000, escapeMd)}`,
    '',
    url && url.length <= 4000 ? `**Preview:** ${url}` : '',
    rollback ? `**${fit(rollback, 2000, escapeMd)}**` : '',
    m.commitTitle ? `Commit: ${fit(m.commitTitle, 2000, escapeMd)}` : '',
    m.reason ? `Reason: ${fit(oneLine(m.reason), 8_000, escapeMd)}` : '',
    '',
    '| | |',
    '| --- | --- |',
    ...rows,
    '',
    m.extra ? fit(m.extra, 20_000) : '',
    '',
    `<sub>Updated ${m.timestamp}${runUrl ? ` by [this run](${runUrl})` : ''}.</sub>`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  // The budgets above keep to the limit; this is the last guard (GitHub counts characters, not UTF-16 units).
  return body.length <= COMMENT_LIMIT ? body : cutGraphemes(body, COMMENT_LIMIT - 100, '…');
}
