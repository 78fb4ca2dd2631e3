import { escapeTeams, fit, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';

/**
 * Teams refuses messages over about 28 KB (learn.microsoft.com/en-us/microsoftteams/platform/
 * webhooks-and-connectors/how-to/connectors-using#rate-limiting-for-connectors: "message size limit
 * is 28 KB"), and a Workflows webhook answers 202 before its flow runs, so an oversized card fails
 * where no one sees it. The card is kept under this many UTF-8 bytes.
 */
export const TEAMS_LIMIT_BYTES = 26_000;

/**
 * An Adaptive Card in the `message` envelope that Teams Workflows ("Send webhook alerts
 * to a channel") accept; MessageCard and plain `{text}` payloads fail inside the flow.
 * Texts are cut shorter and shorter until the whole payload fits TEAMS_LIMIT_BYTES.
 */
export function renderTeams(m: DeployMessage): Record<string, unknown> {
  for (let scale = 1; ; scale /= 2) {
    const card = teamsCard(m, scale);
    if (Buffer.byteLength(JSON.stringify(card)) <= TEAMS_LIMIT_BYTES || scale < 0.01) return card;
  }
}

function teamsCard(m: DeployMessage, scale: number): Record<string, unknown> {
  const n = (chars: number) => Math.max(20, Math.floor(chars * scale));
  const style = STATUS_STYLE[m.status];
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: fit(`${style.emoji} ${m.title}`, n(300), escapeTeams),
      weight: 'Bolder',
      size: 'Medium',
      color: style.teamsColor,
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: facts(m).map((f) => ({ title: f.label, value: fit(oneLine(f.value), n(500), escapeTeams) })),
    },
  ];
  const lines: string[] = [];
  const rollback = rollbackLine(m);
  if (rollback) lines.push(`**${fit(rollback, n(600), escapeTeams)}**`);
  if (m.commitTitle) lines.push(`Commit: ${fit(m.commitTitle, n(300), escapeTeams)}`);
  if (m.reason) lines.push(`Reason: ${fit(oneLine(m.reason), n(1000), escapeTeams)}`);
  for (const line of lines) body.push({ type: 'TextBlock', text: line, wrap: true });
  // The author's own Markdown: Teams renders its subset; mentions need entities we never add.
  if (m.extra) body.push({ type: 'TextBlock', text: fit(m.extra, n(3000)), wrap: true });

  const button = (title: string, url: string | undefined) => {
    const safe = safeUrl(url);
    return safe && safe.length <= n(2000) ? { type: 'Action.OpenUrl', title, url: safe } : undefined;
  };
  const actions = [button('View run', m.runUrl), button('Open app', m.url)].filter(Boolean);
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
