import { UserError } from '@deploy-actions/toolkit';
import { ENV_NAME } from './names';

/**
 * Writes NAME=VALUE lines that `flyctl secrets import` reads back byte-exact.
 *
 * flyctl's parser (internal/command/secrets/parser.go; ported in packages/fly-sim's
 * import-parser.ts) reads stdin line by line with bufio.Scanner (a `\r` before `\n` is
 * dropped; a line of 64 KiB or more silently ends the read), left-trims the value, cuts it at
 * its first `#` when an even number of `"` precede that `#`, and only then takes `"""…"""` on
 * one line, or `"""` opening a value that ends at the next line ending in `"""`, or strips one
 * pair of surrounding `"` or `'`. So every value is written quoted, with the quote chosen to
 * make the count of `"` before the first `#` odd (no cut).
 */

/** bufio.Scanner's 64 KiB buffer holds a line and its newline: longer lines end flyctl's read. */
export const MAX_IMPORT_LINE_BYTES = 64 * 1024 - 1;

/** The number of `"` before the first `#`, or undefined without a `#`. */
function quotesBeforeHash(text: string): number | undefined {
  const hash = text.indexOf('#');
  if (hash === -1) return undefined;
  return text.slice(0, hash).split('"').length - 1;
}

/** Why a value cannot be written for flyctl's parser, or undefined when it can. */
function unrepresentable(value: string): string | undefined {
  // Written as UTF-8, a lone surrogate would arrive as U+FFFD: not the value.
  if (/\p{Cs}/u.test(value)) return 'it is not valid Unicode text (an unpaired surrogate)';
  if (!value.includes('\n')) return undefined;
  const lines = value.split('\n');
  const inner = lines.slice(0, -1);
  // The scanner drops a `\r` before each `\n`.
  if (inner.some((l) => l.endsWith('\r'))) return 'it has a line ending in a carriage return';
  // The opening `"""` adds three `"`: only an even count before the first line's `#` keeps the total odd.
  const q = quotesBeforeHash(lines[0]);
  if (q !== undefined && q % 2 === 1) return 'its first line has an odd number of `"` before a `#`';
  // A line ending in `"""` closes the value (the first one would even read as a one-line value).
  if (inner.some((l) => l.endsWith('"""'))) return 'a line other than the last ends in `"""`';
  return undefined;
}

/** Refuses a name flyctl would not take as a secret (or could read as a flag). */
export function assertSecretName(name: string): void {
  if (!ENV_NAME.test(name)) {
    throw new UserError(
      `Invalid secret name ${JSON.stringify(name)}: expected letters, digits and _, not starting with a digit`,
    );
  }
}

/** One secret as `secrets import` input (one or more lines, without the final newline). */
export function encodeImportEntry(name: string, value: string): string {
  assertSecretName(name);
  const problem = unrepresentable(value);
  if (problem) {
    throw new UserError(`Secret ${name} cannot be passed to flyctl secrets import: ${problem}.`);
  }
  let text: string;
  if (value.includes('\n')) {
    // `"""` opens, the last line closes; inner lines are taken verbatim.
    text = `${name}="""${value}"""`;
  } else if ((quotesBeforeHash(value) ?? 0) % 2 === 1) {
    // An odd count of `"` before the `#`, and `'` adds none: still odd, no cut.
    text = `${name}='${value}'`;
  } else {
    // An even count plus the opening `"` (or `"""`) is odd: no cut. `"v"` must not start with
    // `"""` (v starting `""`, or v being `"`): that would open a multi-line value.
    const quoted = `"${value}"`;
    text = quoted.startsWith('"""') ? `${name}="""${value}"""` : `${name}=${quoted}`;
  }
  for (const line of text.split('\n')) {
    if (Buffer.byteLength(line, 'utf8') > MAX_IMPORT_LINE_BYTES) {
      throw new UserError(`Secret ${name} has a line longer than flyctl secrets import reads (64 KiB).`);
    }
  }
  return text;
}

/**
 * The whole stdin for one `flyctl secrets import`. Throws UserError naming the first secret
 * (never its value) that flyctl could not read back exactly, before anything is written.
 */
export function encodeImport(entries: Iterable<readonly [string, string]>): string {
  const out: string[] = [];
  for (const [name, value] of entries) out.push(encodeImportEntry(name, value));
  return `${out.join('\n')}\n`;
}
