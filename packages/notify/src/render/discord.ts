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
  const list = facts(m).slice(0, LIMITS.fields);
  // Every field within 1,024, and all of them within half the 6,000 an embed may hold in total.
  const perField = Math.min(LIMITS.fieldValue, Math.floor(LIMITS.total / 2 / Math.max(1, list.length)));
  const fields = list.map((f) => {
    const url = safeUrl(f.url);
    const linked = url !== undefined && url.length <= perField / 2;
    const room = perField - (linked ? url.length + 4 : 0) - 2;
    const value = f.code ? codeSpan(fit(f.value, room)) : fit(oneLine(f.value), room, escapeMd);
    return { name: f.label, value: linked ? `[${value}](${url})` : value, inline: true };
  });
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`**${fit(rollback, 500, escapeMd)}**`);
  if (m.commitTitle) lines.push(`Commit: ${fit(m.commitTitle, 500, escapeMd)}`);
  if (m.reason) lines.push(`Reason: ${fit(oneLine(m.reason), 1500, escapeMd)}`);
  if (m.extra) lines.push(m.extra);
  const footer = m.repository ? fit(m.repository, 200) : undefined;
  const used =
    title.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0) + (footer?.length ?? 0) + 10;
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
  if (footer) embed.footer = { text: footer };
  return { allowed_mentions: { parse: [] }, embeds: [embed] };
}
