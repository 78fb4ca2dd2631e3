/**
 * A line-for-line port of flyctl's `secrets import` parser (internal/command/secrets/parser.go,
 * v0.4.87), with the bufio.Scanner it reads through. It is the one model of that format in
 * this repository: fly-sim's `secrets import` uses it, and the encoder's tests use it as their
 * oracle. Kept faithful on purpose, including what flyctl gets wrong:
 *
 * - lines are split on `\n` with one trailing `\r` dropped; a line of 64 KiB or more ends the
 *   read silently (the scanner's error is never checked), keeping what was parsed before it
 *   and dropping an unfinished `"""` value;
 * - blank lines and lines starting `#` are skipped; the key is Go-TrimSpace'd, the value
 *   left-trimmed of spaces;
 * - everything from the value's first `#` is cut (and spaces before it trimmed) when the
 *   number of `"` before that `#` is even; this happens before any quote is looked at;
 * - then `"""x"""` (six characters at least) is a one-line value, any other value starting
 *   `"""` opens one that ends at the next line ending in `"""` (lines kept verbatim), and
 *   otherwise one pair of surrounding `"` (else `'`) is removed; a lone `"` or `'` makes Go
 *   slice `value[1:0]`, which panics.
 */

/** flyctl's parse error (it prints `Error: Failed to parse secrets from stdin: <message>`). */
export class SecretsImportError extends Error {}

/** flyctl panicked while parsing (a runtime error in Go, recovered by flyctl's main). */
export class SecretsImportPanic extends Error {}

/** bufio.MaxScanTokenSize: the scanner's buffer; a line needing more stops the scan. */
const MAX_TOKEN_BYTES = 64 * 1024;

/** unicode.IsSpace, what Go's strings.TrimSpace trims (not JavaScript's trim: U+0085 yes, U+FEFF no). */
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');

function goTrimSpace(s: string): string {
  return s.replace(GO_TRIM, '');
}

/**
 * bufio.Scanner with ScanLines over the UTF-8 bytes of `input`. A line that does not fit the
 * 64 KiB buffer (its bytes, `\r` included, plus the `\n` or one more byte the scanner waits
 * for at the end of input) ends the scan: 65,535 bytes is the longest line read.
 */
function* scanLines(input: string): Generator<string> {
  const bytes = Buffer.from(input, 'utf8');
  let start = 0;
  while (start < bytes.length) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    if (end - start >= MAX_TOKEN_BYTES) return;
    let line = bytes.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    yield line.toString('utf8');
    start = end + 1;
  }
}

/** What flyctl makes of `secrets import` stdin; throws SecretsImportError or SecretsImportPanic as flyctl fails. */
export function parseSecretsImport(input: string): Record<string, string> {
  // A Map, so a key such as `__proto__` is an ordinary name, as in Go.
  const secrets = new Map<string, string>();
  let multiline = false;
  let parsedKey = '';
  let parsedVal = '';
  for (const line of scanLines(input)) {
    if (multiline) {
      if (line.endsWith('"""')) {
        secrets.set(parsedKey, parsedVal + line.slice(0, -3));
        parsedVal = '';
        multiline = false;
        parsedKey = '';
      } else {
        parsedVal += `${line}\n`;
      }
      continue;
    }
    if (line.startsWith('#') || goTrimSpace(line) === '') continue;
    const eq = line.indexOf('=');
    if (eq === -1) throw new SecretsImportError(`Secrets must be provided as NAME=VALUE pairs (${line} is invalid)`);
    const key = goTrimSpace(line.slice(0, eq));
    let value = line.slice(eq + 1).replace(/^ +/, '');
    const hash = value.indexOf('#');
    if (hash !== -1) {
      const l = value.slice(0, hash);
      if ((l.split('"').length - 1) % 2 === 0) value = l.replace(/ +$/, '');
    }
    // `"` is one byte in UTF-8, so these lengths are Go's byte lengths wherever they matter.
    if (value.startsWith('"""') && value.endsWith('"""') && value.length >= 6) {
      secrets.set(key, value.slice(3, -3));
    } else if (value.startsWith('"""')) {
      multiline = true;
      parsedKey = key;
      parsedVal = `${value.slice(3)}\n`;
    } else {
      const quoted = (value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"));
      if (quoted) {
        if (value.length < 2) throw new SecretsImportPanic('runtime error: slice bounds out of range [1:0]');
        value = value.slice(1, -1);
      }
      secrets.set(key, value);
    }
  }
  return Object.fromEntries(secrets);
}
