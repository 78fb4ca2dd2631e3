import { appendFileSync } from 'node:fs';
import { redact } from './secrets';

/** Escapes text for a Markdown table cell: pipes and line breaks would break the row. */
export function escapeCell(value: unknown): string {
  return String(value ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** Escapes text so Markdown and HTML in it render literally. */
export function escapeMarkdown(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`).replace(/@/g, '@\u200b');
}

/**
 * A job summary built as Markdown and written once. Everything written is redacted,
 * so a secret that slipped into a value still never reaches the summary.
 */
export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level: 1 | 2 | 3 | 4 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text}`);
    return this;
  }

  /** Raw Markdown; the caller escapes what is user-controlled. */
  text(markdown: string): this {
    this.parts.push(markdown);
    return this;
  }

  table(headers: readonly string[], rows: readonly (readonly unknown[])[]): this {
    if (rows.length === 0) return this;
    const line = (cells: readonly unknown[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
    this.parts.push([line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n'));
    return this;
  }

  /** A two-column key/value table, skipping empty values. */
  facts(rows: readonly (readonly [string, unknown])[]): this {
    return this.table(
      ['', ''],
      rows.filter(([, v]) => v !== undefined && v !== null && v !== ''),
    );
  }

  list(items: readonly string[]): this {
    if (items.length > 0) this.parts.push(items.map((i) => `- ${i}`).join('\n'));
    return this;
  }

  details(title: string, markdown: string): this {
    this.parts.push(`<details><summary>${escapeMarkdown(title)}</summary>\n\n${markdown}\n\n</details>`);
    return this;
  }

  code(text: string, language = ''): this {
    const fence = text.includes('```') ? '````' : '```';
    this.parts.push(`${fence}${language}\n${text}\n${fence}`);
    return this;
  }

  toString(): string {
    return redact(`${this.parts.join('\n\n')}\n`);
  }

  /** Appends to `GITHUB_STEP_SUMMARY` when the runner provides it. */
  write(file = process.env.GITHUB_STEP_SUMMARY): void {
    if (!file) return;
    appendFileSync(file, this.toString());
  }
}
