/**
 * Test oracle: a line-for-line TypeScript port of flyctl's `secrets import` parser
 * (internal/command/secrets/parser.go at v0.4.87), including bufio.Scanner's
 * line splitting (trailing `\r` dropped; a 64 KiB line stops the read, error ignored).
 */
export function flyctlParseSecrets(input: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  let multiline = false;
  let parsedKey = '';
  let parsedVal = '';
  for (const line of scanLines(input)) {
    if (!multiline) {
      if (line.startsWith('#') || line.trim() === '') continue;
      const eq = line.indexOf('=');
      if (eq === -1) throw new Error(`Secrets must be provided as NAME=VALUE pairs (${line} is invalid)`);
      const key = line.slice(0, eq).trim();
      let value = line.slice(eq + 1).replace(/^ +/, '');
      const hash = value.indexOf('#');
      if (hash !== -1) {
        const l = value.slice(0, hash);
        if ((l.split('"').length - 1) % 2 === 0) value = l.replace(/ +$/, '');
      }
      if (value.startsWith('"""') && value.endsWith('"""') && value.length >= 6) {
        secrets[key] = value.slice(3, -3);
      } else if (value.startsWith('"""')) {
        multiline = true;
        parsedKey = key;
        parsedVal = `${value.slice(3)}\n`;
      } else {
        // Go slices value[1:len-1]; a lone quote panics there.
        if (value.startsWith('"') && value.endsWith('"')) {
          if (value.length < 2) throw new Error('panic: slice bounds out of range');
          value = value.slice(1, -1);
        } else if (value.startsWith("'") && value.endsWith("'")) {
          if (value.length < 2) throw new Error('panic: slice bounds out of range');
          value = value.slice(1, -1);
        }
        secrets[key] = value;
      }
    } else if (line.endsWith('"""')) {
      secrets[parsedKey] = parsedVal + line.slice(0, -3);
      parsedVal = '';
      multiline = false;
      parsedKey = '';
    } else {
      parsedVal += `${line}\n`;
    }
  }
  return secrets;
}

/** bufio.ScanLines over UTF-8 bytes, with the default 64 KiB token limit. */
function* scanLines(input: string): Generator<string> {
  const bytes = Buffer.from(input, 'utf8');
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    const end = nl === -1 ? bytes.length : nl;
    // The scanner's buffer holds at most 64 KiB: a longer line (with its newline) is ErrTooLong.
    if ((nl === -1 ? end - start : end - start + 1) > 64 * 1024) return;
    let line = bytes.subarray(start, end);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    yield line.toString('utf8');
    if (nl === -1) nl = bytes.length;
    start = nl + 1;
  }
}
