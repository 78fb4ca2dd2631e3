import { cutGraphemes } from '@deploy-actions/toolkit';
import { escapeHtml, oneLine, safeUrl } from '../escape';
import { type DeployMessage, facts, rollbackLine, STATUS_STYLE } from '../message';
import { markdownToHtml, markdownToText } from './markdown-lite';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** A multipart mail: a plain-text part and an HTML part with every value HTML-escaped. */
export function renderEmail(m: DeployMessage): RenderedEmail {
  const style = STATUS_STYLE[m.status];
  // A line break in a subject would start a new header: one line only.
  const subject = oneLine(`[${m.status}] ${m.title}${m.version ? ` (${m.version})` : ''}`);
  const shortSubject = cutGraphemes(subject, 200, '…');
  const rollback = rollbackLine(m);
  const list = facts(m);

  const text = [
    `${style.emoji} ${m.title}`,
    '',
    ...(rollback ? [rollback, ''] : []),
    ...list.map((f) => `${f.label}: ${oneLine(f.value)}`),
    ...(m.commitTitle ? [`Commit message: ${m.commitTitle}`] : []),
    ...(m.reason ? [`Reason: ${m.reason}`] : []),
    ...(m.url ? [`URL: ${m.url}`] : []),
    ...(m.runUrl ? [`Run: ${m.runUrl}`] : []),
    ...(m.extra ? ['', markdownToText(m.extra)] : []),
    '',
  ].join('\n');

  const cell = (f: (typeof list)[number]) => {
    const value = f.code ? `<code>${escapeHtml(f.value)}</code>` : escapeHtml(oneLine(f.value));
    const url = safeUrl(f.url);
    return url ? `<a href="${url}">${value}</a>` : value;
  };
  const rows = list.map(
    (f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${cell(f)}</td></tr>`,
  );
  const paragraphs = [
    rollback ? `<p><strong>${escapeHtml(rollback)}</strong></p>` : '',
    m.commitTitle ? `<p>Commit: ${escapeHtml(m.commitTitle)}</p>` : '',
    m.reason ? `<p>Reason: ${escapeHtml(m.reason).replace(/\r?\n/g, '<br>\n')}</p>` : '',
    m.extra ? `<div>${markdownToHtml(m.extra, escapeHtml)}</div>` : '',
  ].filter(Boolean);
  const links = [
    safeUrl(m.url) ? `<a href="${safeUrl(m.url)}">Open app</a>` : '',
    safeUrl(m.runUrl) ? `<a href="${safeUrl(m.runUrl)}">View run</a>` : '',
  ].filter(Boolean);
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h2 style="color:#${style.color}">${style.emoji} ${escapeHtml(m.title)}</h2>`,
    `<table>${rows.join('')}</table>`,
    ...paragraphs,
    links.length > 0 ? `<p>${links.join(' · ')}</p>` : '',
    '</body></html>',
  ].join('\n');
  return { subject: shortSubject, text, html };
}
