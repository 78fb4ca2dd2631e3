/**
 * The `message` input is Markdown written by the workflow author. Channels that do not
 * speak Markdown get its common parts converted (links, bold, code); everything else is
 * escaped by the caller's `escape` first, so the conversion cannot be used to inject markup.
 */
import { safeUrl } from '../escape';

const LINK = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
const BOLD = /\*\*([^*\n]+)\*\*/g;
const CODE = /`([^`\n]+)`/g;

/** Markdown to Slack mrkdwn, after Slack-escaping. */
export function markdownToSlack(markdown: string, escapeText: (t: string) => string): string {
  return escapeText(markdown)
    .replace(LINK, (all, text: string, url: string) => {
      const safe = safeUrl(url.replace(/&amp;/g, '&'));
      return safe ? `<${safe}|${text.replace(/\|/g, '¦')}>` : all;
    })
    .replace(BOLD, '*$1*');
}

/** Markdown to HTML, after HTML-escaping. */
export function markdownToHtml(markdown: string, escapeText: (t: string) => string): string {
  return escapeText(markdown)
    .replace(LINK, (all, text: string, url: string) => {
      const safe = safeUrl(url.replace(/&amp;/g, '&'));
      return safe ? `<a href="${safe}">${text}</a>` : all;
    })
    .replace(BOLD, '<strong>$1</strong>')
    .replace(CODE, '<code>$1</code>')
    .replace(/\r?\n/g, '<br>\n');
}

/** Markdown to plain text: links become `text (url)`. */
export function markdownToText(markdown: string): string {
  return markdown.replace(LINK, '$1 ($2)').replace(BOLD, '$1');
}
