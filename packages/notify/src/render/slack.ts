import { cutGraphemes } from '@deploy-actions/toolkit';
import { codeSpan, escapeSlack, fit, neutraliseSlackFormatting, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';
import { markdownToSlack } from './markdown-lite';

/**
 * Block Kit limits (docs.slack.dev/reference/block-kit/blocks: header text 150, section text 3000,
 * 10 fields of 2000, context elements' text objects 3000; the top-level `text` fallback is kept to 3000).
 * A link longer than `url` is shown as text only, so no field or context line can overflow through it.
 */
const LIMITS = {
  header: 150,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  context: 3000,
  fallback: 3000,
  url: 900,
} as const;

function link(url: string | undefined, text: string): string {
  const safe = safeUrl(url);
  return safe && safe.length <= LIMITS.url ? `<${safe}|${text}>` : text;
}

/** User text in mrkdwn: entities escaped, and `*_~` and backticks shown as typed, never as formatting. */
const slackText = (text: string) => neutraliseSlackFormatting(escapeSlack(text));

/** Whole lines while they fit (a cut line would leave half a link or an open `*`). */
function fitLines(lines: string[], max: number): string {
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > max) break;
    kept.push(line);
    used += line.length + 1;
  }
  return kept.length > 0 ? kept.join('\n') : fit(lines[0], max);
}

/** A Block Kit message with a plain `text` fallback (what notifications and old clients show). */
export function renderSlack(m: DeployMessage): Record<string, unknown> {
  const style = STATUS_STYLE[m.status];
  const fields = facts(m)
    .slice(0, LIMITS.fields)
    .map((f) => {
      // Every fact is escaped, code spans too: `&`, `<` and `>` are entities in all mrkdwn text.
      const room = LIMITS.field - f.label.length - LIMITS.url - 10;
      const value = f.code ? codeSpan(fit(f.value, room - 2, escapeSlack)) : fit(oneLine(f.value), room, slackText);
      return { type: 'mrkdwn', text: `*${f.label}*\n${link(f.url, value)}` };
    });
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`*${slackText(rollback)}*`);
  if (m.commitTitle) lines.push(`Commit: ${fit(m.commitTitle, 500, slackText)}`);
  if (m.reason) lines.push(`Reason: ${fit(oneLine(m.reason), 1000, slackText)}`);
  if (m.extra) lines.push(markdownToSlack(cutGraphemes(m.extra, 1400), escapeSlack));

  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fit(`${style.emoji} ${m.title}`, LIMITS.header), emoji: true },
    },
    { type: 'section', fields },
  ];
  if (lines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fitLines(lines, LIMITS.sectionText) } });
  }
  const context = [
    m.runUrl ? link(m.runUrl, 'View run') : undefined,
    m.url ? link(m.url, 'Open app') : undefined,
    m.repository ? fit(m.repository, 200, slackText) : undefined,
  ].filter(Boolean);
  if (context.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  }
  const fallback = [`${style.emoji} ${slackText(m.title)}`, m.reason ? slackText(oneLine(m.reason)) : undefined]
    .filter(Boolean)
    .join(': ');
  return { text: fit(fallback, LIMITS.fallback), blocks };
}
