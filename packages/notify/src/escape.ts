import { graphemeBoundaries } from '@deploy-actions/toolkit';

/**
 * Escaping of user-controlled text (commit messages, branch names, reasons, titles) for
 * each format a channel renders. The goal is that such text shows literally: no mention,
 * no link, no markup of its own.
 */

const ZWSP = '\u200b';

/** Slack mrkdwn: `<...>` is how mentions (`<!channel>`, `<@U1>`) and links are written; `&` must be an entity too. */
export function escapeSlack(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=\w)/g, `@${ZWSP}`);
}

/**
 * Slack mrkdwn formatting characters in user text (`*bold*`, `_italic_`, `~strike~`, `` `code` ``):
 * a zero-width space after each keeps the text as typed without it forming a span.
 */
export function neutraliseSlackFormatting(text: string): string {
  return text.replace(/[*_~`]/g, (c) => `${c}${ZWSP}`);
}

/** Inside a Slack or Markdown code span a backtick would end it early; a look-alike keeps the text readable. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/`/g, '\u02cb').replace(/\s+/g, ' ')}\``;
}

/**
 * Markdown (GitHub, Discord, Teams): every punctuation mark with a meaning is
 * backslash-escaped; `@` and `#` get a zero-width space so no mention or reference links.
 */
export function escapeMd(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, `@${ZWSP}`)
    .replace(/\\#(?=\d)/g, `#${ZWSP}`);
}

/**
 * Teams (Adaptive Card TextBlocks) renders a Markdown subset without reliable backslash
 * escapes, so markup is broken up with zero-width spaces instead: the text looks the same
 * but `**`, `[..](..)`, `_x_` and list markers no longer parse.
 */
export function escapeTeams(text: string): string {
  return text
    .replace(/[*_~`[\]<>]/g, (c) => `${c}${ZWSP}`)
    .replace(/^(\s*)([-+]|\d+\.)(\s)/gm, `$1$2${ZWSP}$3`)
    .replace(/([@#])(?=\w)/g, `$1${ZWSP}`);
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A URL safe inside `<url|text>` (Slack) or `(url)` (Markdown): only http(s), delimiters percent-encoded. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(
      /[|<>()\s"'`]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
  } catch {
    return undefined;
  }
}

/** One line: the first line of a commit message, or any field that must not break a layout. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Escapes `text` and fits the result in `max` characters (UTF-16 units, which is never less
 * than what services count), cutting the raw text at a grapheme boundary (never inside an
 * escape sequence or an emoji) and marking the cut with an ellipsis.
 */
export function fit(text: string, max: number, escapeText: (t: string) => string = (t) => t): string {
  const whole = escapeText(text);
  if (whole.length <= max) return whole;
  // The longest raw prefix, at a grapheme boundary, whose escaped form plus the ellipsis fits.
  const points = graphemeBoundaries(text);
  let low = 0;
  let high = points.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (escapeText(text.slice(0, points[mid])).length + 1 <= max) low = mid;
    else high = mid - 1;
  }
  return `${escapeText(text.slice(0, points[low]))}…`;
}
