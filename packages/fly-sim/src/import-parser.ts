/**
 * What `flyctl secrets import` makes of its stdin (reference flyctl.md §3.1):
 * blank lines and lines starting `#` are skipped; the key is trimmed and the value
 * left-trimmed; a value starting `"""` runs to the line ending `"""` (same line or a
 * later one, newlines kept); otherwise everything from the first `#` preceded by an
 * even number of `"` is a comment, and one pair of surrounding `"` or `'` is removed.
 * Lines longer than 64 KiB fail as bufio.Scanner does.
 */
export function parseSecretsImport(text: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let multiKey: string | undefined;
  let multiValue = '';
  for (const raw of lines) {
    if (raw.length > 64 * 1024) throw new Error('bufio.Scanner: token too long');
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (multiKey !== undefined) {
      if (line.endsWith('"""')) {
        secrets[multiKey] = multiValue + line.slice(0, -3);
        multiKey = undefined;
        multiValue = '';
      } else {
        multiValue += `${line}\n`;
      }
      continue;
    }
    if (line.startsWith('#') || line.trim() === '') continue;
    const eq = line.indexOf('=');
    if (eq === -1) throw new Error(`Secrets must be provided as NAME=VALUE pairs (${line} is invalid)`);
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).replace(/^ +/, '');
    if (value.startsWith('"""')) {
      const rest = value.slice(3);
      if (rest.length >= 3 && rest.endsWith('"""')) {
        secrets[key] = rest.slice(0, -3);
      } else {
        multiKey = key;
        multiValue = `${rest}\n`;
      }
      continue;
    }
    value = stripComment(value);
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) {
      value = value.slice(1, -1);
    }
    secrets[key] = value;
  }
  // An unterminated triple-quoted value is dropped: flyctl's scan loop ends without storing it.
  return secrets;
}

/** Cuts at the first `#` outside double quotes (an even number of `"` before it), trimming what precedes it. */
function stripComment(value: string): string {
  let quotes = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '"') quotes++;
    else if (value[i] === '#' && quotes % 2 === 0) return value.slice(0, i).trimEnd();
  }
  return value;
}
