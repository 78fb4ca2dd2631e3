import { codeSpan, escapeMd, fit, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';

/** Discord embed limits (a 400 `{"embeds": ["0"]}` is what breaking one looks like). */
const LIMITS = { title: 256, description: 4096, fieldName: 256, fieldValue: 1024, fields: 25, total: 6000 } as const;

/**
 * One embed within Discord's limits. `allowed_mentions: {parse: []}` makes Discord ignore
 * any mention text outright, on top of escaping.
 */
export function renderDiscord(m: DeployMessage): Record<string, unknown> {
  const style = STATUS_STYLE[m.status];
  const title = fit(`${style.emoji} ${m.title}`, LIMITS.title);
  const fields = facts(m)
    .slice(0, LIMITS.fields)
    .map((f) => {
      const value = f.code
        ? codeSpan(fit(f.value, LIMITS.fieldValue - 40))
        : fit(oneLine(f.value), LIMITS.fieldValue - 40, escapeMd);
      const url = safeUrl(f.url);
      return { name: f.label, value: url ? `[${value}](${url})` : value, inline: true };
    });
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`**${escapeMd(rollback)}**`);
  if (m.commitTitle) lines.push(`Commit: ${escapeMd(m.commitTitle)}`);
  if (m.reason) lines.push(`Reason: ${escapeMd(oneLine(m.reason))}`);
  if (m.extra) lines.push(m.extra);
  const used = title.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0) + 200;
  const description = fit(lines.join('\n'), Math.min(LIMITS.description, LIMITS.total - used));
  const embed: Record<string, unknown> = {
    title,
    color: Number.parseInt(style.color, 16),
    fields,
    timestamp: m.timestamp,
  };
  if (description) embed.description = description;
  const url = safeUrl(m.runUrl);
  if (url) embed.url = url;
  if (m.repository) embed.footer = { text: fit(m.repository, 200) };
  return { allowed_mentions: { parse: [] }, embeds: [embed] };
}
