/**
 * Renders the Markdown that job summaries use (headings, pipe tables, lists, fenced code, paragraphs,
 * `<details>`, inline code, bold, links, `<br>`) to HTML for the rehearsal page. Anything else is
 * shown as text: every character that is not part of that small syntax is HTML-escaped.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline syntax: backslash escapes, `code`, **bold**, [text](http-url), <br>. */
export function inline(text: string): string {
  let out = '';
  let bold = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const rest = text.slice(i);
    if (c === '\\' && i + 1 < text.length) {
      out += escapeHtml(text[++i]);
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) out += '`';
      else {
        out += `<code>${escapeHtml(text.slice(i + 1, end))}</code>`;
        i = end;
      }
    } else if (rest.startsWith('**')) {
      out += bold ? '</strong>' : '<strong>';
      bold = !bold;
      i++;
    } else if (/^<br\s*\/?>/i.test(rest)) {
      out += '<br>';
      i += /^<br\s*\/?>/i.exec(rest)![0].length - 1;
    } else if (c === '[') {
      const link = /^\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/.exec(rest);
      if (link) {
        out += `<a href="${escapeHtml(link[2])}">${inline(link[1])}</a>`;
        i += link[0].length - 1;
      } else out += '[';
    } else out += escapeHtml(c);
  }
  return bold ? `${out}</strong>` : out;
}

function cells(row: string): string[] {
  const body = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return body.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

export function markdownToHtml(markdown: string): string {
  // Hidden markers (`<!-- ... -->`) are invisible on GitHub too.
  const lines = markdown
    .replace(/\r\n/g, '\n')
    .replace(/<!--[\s\S]*?-->/g, '')
    .split('\n');
  const html: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) html.push(`<p>${paragraph.map(inline).join('<br>\n')}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^(`{3,})(.*)$/.exec(line);
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    const details = /^<details>(?:<summary>(.*)<\/summary>)?$/.exec(line.trim());
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && lines[i] !== fence[1]; i++) code.push(lines[i]);
      html.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
    } else if (heading) {
      flush();
      html.push(`<h${heading[1].length}>${inline(heading[2])}</h${heading[1].length}>`);
    } else if (details) {
      flush();
      html.push(`<details><summary>${inline(details[1] ?? 'Details')}</summary>`);
    } else if (line.trim() === '</details>') {
      flush();
      html.push('</details>');
    } else if (line.startsWith('|') && /^\|?\s*:?-{3,}/.test(lines[i + 1] ?? '')) {
      flush();
      const head = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(cells(lines[i]));
      i--;
      const th = head.every((h) => h === '')
        ? ''
        : `<thead><tr>${head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr></thead>`;
      const tb = rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('');
      html.push(`<table>${th}<tbody>${tb}</tbody></table>`);
    } else if (/^[-*] /.test(line)) {
      flush();
      const items: string[] = [];
      for (; i < lines.length && /^[-*] /.test(lines[i]); i++) items.push(`<li>${inline(lines[i].slice(2))}</li>`);
      i--;
      html.push(`<ul>${items.join('')}</ul>`);
    } else if (line.trim() === '') {
      flush();
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return html.join('\n');
}
