import { ENV_NAME } from '@deploy-actions/fly';
import { UserError } from '@deploy-actions/toolkit';

/** Secret names Fly accepts: environment variable names, the same rule flyctl's argv checks use. */
export const SECRET_NAME = ENV_NAME;

export interface DotenvEntry {
  name: string;
  value: string;
  /** 1-based line where the entry starts. */
  line: number;
}

export interface DotenvResult {
  entries: DotenvEntry[];
  /** Names declared more than once (the last one wins). */
  duplicates: string[];
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' };

/**
 * Parses dotenv text: comments, `export` prefixes, unquoted, single-quoted (literal)
 * and double-quoted (escapes) values; quoted values may span lines (PEM keys).
 * Errors name the source and line, never a value: a bad line may be part of one.
 */
export function parseDotenv(text: string, source: string): DotenvResult {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const entries: DotenvEntry[] = [];
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  const fail = (line: number, problem: string, hint?: string) =>
    new UserError(`${source}, line ${line}: ${problem}`, { hint });

  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    const line = lines[i].trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq === -1) {
      throw fail(
        start,
        'expected NAME=VALUE',
        'A value spanning several lines must be in quotes, e.g. KEY="-----BEGIN ...<newline>...-----END ...".',
      );
    }
    const name = body.slice(0, eq).trim();
    if (!SECRET_NAME.test(name)) {
      throw fail(start, 'the name before "=" must be letters, digits and _, not starting with a digit');
    }
    let rest = body.slice(eq + 1).replace(/^[ \t]+/, '');
    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // Scan for the closing quote, continuing onto the next lines if needed.
      let out = '';
      let pos = 1;
      for (;;) {
        if (pos >= rest.length) {
          if (i + 1 >= lines.length) throw fail(start, `the quoted value of ${name} is never closed`);
          i++;
          out += '\n';
          rest = `${rest.slice(0, pos)}\n${lines[i]}`;
          pos++;
          continue;
        }
        const c = rest[pos];
        if (c === quote) break;
        if (quote === '"' && c === '\\' && pos + 1 < rest.length) {
          const next = rest[pos + 1];
          out += ESCAPES[next] ?? `\\${next}`;
          pos += 2;
          continue;
        }
        out += c;
        pos++;
      }
      const tail = rest.slice(pos + 1);
      if (!/^\s*(#.*)?$/.test(tail)) throw fail(i + 1, `unexpected text after the closing quote of ${name}`);
      value = out;
    } else {
      // Unquoted: a `#` starts a comment only after whitespace, so `pa#ss` stays whole.
      value = /^[ \t]+#/.test(body.slice(eq + 1)) ? '' : rest.replace(/\s#.*$/, '').trimEnd();
      if (value.startsWith('-----BEGIN') && !value.includes('-----END')) {
        throw fail(start, `the value of ${name} looks like a PEM block but is not quoted`, 'Wrap it in double quotes.');
      }
    }
    if (seen.has(name)) duplicates.add(name);
    seen.add(name);
    entries.push({ name, value, line: start });
  }
  return { entries, duplicates: [...duplicates] };
}
