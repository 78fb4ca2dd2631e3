import { codeSpan, escapeSlack, fit, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';
import { markdownToSlack } from './markdown-lite';

/** Block Kit limits (api.slack.com/reference/block-kit/blocks). */
const LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, fallback: 3000 } as const;

function link(url: string | undefined, text: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${text}>` : text;
}

/** A Block Kit message with a plain `text` fallback (what notifications and old clients show). */
export function renderSlack(m: DeployMessage): Record<string, unknown> {
  const style = STATUS_STYLE[m.status];
  const fields = facts(m)
    .slice(0, LIMITS.fields)
    .map((f) => {
      const value = f.code ? codeSpan(f.value) : escapeSlack(oneLine(f.value));
      return { type: 'mrkdwn', text: fit(`*${f.label}*\n${link(f.url, value)}`, LIMITS.field) };
    });
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`*${escapeSlack(rollback)}*`);
  if (m.commitTitle) lines.push(`Commit: ${escapeSlack(m.commitTitle)}`);
  if (m.reason) lines.push(`Reason: ${escapeSlack(oneLine(m.reason))}`);
  if (m.extra) lines.push(markdownToSlack(m.extra, escapeSlack));

  const blocks: Record<string, unknown>[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fit(`${style.emoji} ${m.title}`, LIMITS.header), emoji: true },
    },
    { type: 'section', fields },
  ];
  if (lines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(lines.join('\n'), LIMITS.sectionText) } });
  }
  const context = [
    m.runUrl ? link(m.runUrl, 'View run') : undefined,
    m.url ? link(m.url, 'Open app') : undefined,
    m.repository ? escapeSlack(m.repository) : undefined,
  ].filter(Boolean);
  if (context.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  }
  const fallback = [`${style.emoji} ${escapeSlack(m.title)}`, m.reason ? escapeSlack(oneLine(m.reason)) : undefined]
    .filter(Boolean)
    .join(': ');
  return { text: fit(fallback, LIMITS.fallback), blocks };
}
