import { escapeTeams, fit, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';

/**
 * An Adaptive Card in the `message` envelope that Teams Workflows ("Send webhook alerts
 * to a channel") accept; MessageCard and plain `{text}` payloads fail inside the flow.
 */
export function renderTeams(m: DeployMessage): Record<string, unknown> {
  const style = STATUS_STYLE[m.status];
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: fit(`${style.emoji} ${m.title}`, 300, escapeTeams),
      weight: 'Bolder',
      size: 'Medium',
      color: style.teamsColor,
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: facts(m).map((f) => ({ title: f.label, value: fit(oneLine(f.value), 500, escapeTeams) })),
    },
  ];
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`**${escapeTeams(rollback)}**`);
  if (m.commitTitle) lines.push(`Commit: ${fit(m.commitTitle, 300, escapeTeams)}`);
  if (m.reason) lines.push(`Reason: ${fit(oneLine(m.reason), 1000, escapeTeams)}`);
  for (const line of lines) body.push({ type: 'TextBlock', text: line, wrap: true });
  // The author's own Markdown: Teams renders its subset; mentions need entities we never add.
  if (m.extra) body.push({ type: 'TextBlock', text: fit(m.extra, 3000), wrap: true });

  const actions = [
    safeUrl(m.runUrl) ? { type: 'Action.OpenUrl', title: 'View run', url: safeUrl(m.runUrl) } : undefined,
    safeUrl(m.url) ? { type: 'Action.OpenUrl', title: 'Open app', url: safeUrl(m.url) } : undefined,
  ].filter(Boolean);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          ...(actions.length > 0 ? { actions } : {}),
        },
      },
    ],
  };
}
