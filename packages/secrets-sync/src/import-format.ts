import { UserError } from '@deploy-actions/toolkit';

/**
 * Writes NAME=VALUE lines that `flyctl secrets import` reads back byte-exact.
 *
 * flyctl's parser (internal/command/secrets/parser.go) reads stdin line by line with
 * bufio.Scanner (a `\r` before `\n` is dropped; a line of 64 KiB or more ends the read),
 * left-trims the value, cuts it at the first `#` when an even number of `"` precede it,
 * then takes `"""…"""` on one line, or `"""` opening a value that ends at the next
 * line ending in `"""`, or strips one pair of surrounding `"` or `'`.
 */

/** bufio.Scanner's default limit: a line this long (without its newline) stops the read. */
export const MAX_LINE_BYTES = 64 * 1024 - 1;

function quotesBeforeHash(text: string): number | undefined {
  const hash = text.indexOf('#');
  if (hash === -1) return undefined;
  return text.slice(0, hash).split('"').length - 1;
}

/** Why a value cannot be written for flyctl's parser, or undefined when it can. */
function unrepresentable(value: string): string | undefined {
  if (!value.includes('\n')) return undefined;
  const lines = value.split('\n');
  if (lines.slice(0, -1).some((l) => l.endsWith('\r'))) return 'it has a line ending in a carriage return';
  const first = lines[0];
  const q = quotesBeforeHash(first);
  if (q !== undefined && q % 2 === 1) return 'its first line has an odd number of `"` before a `#`';
  if (lines.slice(0, -1).some((l) => l.endsWith('"""'))) return 'a line other than the last ends in `"""`';
  return undefined;
}

/** One secret as flyctl import input (one or more lines, without the final newline). */
export function encodeImportEntry(name: string, value: string): string {
  const problem = unrepresentable(value);
  if (problem) {
    throw new UserError(`Secret ${name} cannot be passed to flyctl secrets import: ${problem}.`);
  }
  let text: string;
  if (value.includes('\n')) {
    // Multi-line: `"""` opens, the last line closes; inner lines are taken verbatim.
    text = `${name}="""${value}"""`;
  } else if ((quotesBeforeHash(value) ?? 0) % 2 === 1) {
    // An odd count of `"` before the `#` plus an opening `'` keeps the count odd: no comment cut.
    text = `${name}='${value}'`;
  } else {
    // An even count plus the opening `"` (or `"""`) is odd: no comment cut.
    // `"v"` must not open with `"""` (v starting with `""`, or v being `"`): that means multi-line.
    const quoted = `"${value}"`;
    text = quoted.startsWith('"""') ? `${name}="""${value}"""` : `${name}=${quoted}`;
  }
  for (const line of text.split('\n')) {
    if (Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
      throw new UserError(`Secret ${name} has a line longer than flyctl secrets import accepts (64 KiB).`);
    }
  }
  return text;
}

/** The whole stdin for one `flyctl secrets import` call. */
export function encodeImport(entries: Iterable<readonly [string, string]>): string {
  const out: string[] = [];
  for (const [name, value] of entries) out.push(encodeImportEntry(name, value));
  return `${out.join('\n')}\n`;
}
