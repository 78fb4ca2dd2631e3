import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../src/dotenv';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';

function values(text: string): Record<string, string> {
  return Object.fromEntries(parseDotenv(text, 'test').entries.map((e) => [e.name, e.value]));
}

describe('parseDotenv', () => {
  it('skips comments and blank lines and strips export prefixes', () => {
    expect(values('# a comment\n\n  # indented comment\nexport A=1\nexport\tB = two\nC=3')).toEqual({
      A: '1',
      B: 'two',
      C: '3',
    });
  });

  it('ends unquoted values at a comment after whitespace, but keeps # inside a word', () => {
    expect(values('A=abc # note\nB=pa#ss\nC=x  #y\nD=#not-a-comment')).toEqual({
      A: 'abc',
      B: 'pa#ss',
      C: 'x',
      D: '#not-a-comment',
    });
  });

  it('keeps single-quoted values literal and expands escapes in double quotes', () => {
    expect(values(`A='x\\ny # z'\nB="x\\ny\\t\\"q\\" \\\\ \\$HOME \\q"\nC="a # b" # c`)).toEqual({
      A: 'x\\ny # z',
      B: 'x\ny\t"q" \\ $HOME \\q',
      C: 'a # b',
    });
  });

  it('reads quoted values spanning lines, such as PEM keys, and CRLF files', () => {
    const text = `KEY="${PEM}"\r\nNEXT=ok\r\nSINGLE='line one\n  line two'\n`;
    expect(values(text)).toEqual({ KEY: PEM, NEXT: 'ok', SINGLE: 'line one\n  line two' });
  });

  it('expands \\n in a one-line double-quoted PEM', () => {
    expect(values(`KEY="${PEM.replace(/\n/g, '\\n')}"`)).toEqual({ KEY: PEM });
  });

  it('lets the last declaration win and reports the name', () => {
    const result = parseDotenv('A=1\nB=2\nA=3', 'test');
    expect(result.entries.map((e) => [e.name, e.value, e.line])).toEqual([
      ['A', '1', 1],
      ['B', '2', 2],
      ['A', '3', 3],
    ]);
    expect(result.duplicates).toEqual(['A']);
  });

  it('keeps an empty value empty (the caller decides what that means)', () => {
    expect(values('A=\nB=""\nC= # only a comment')).toEqual({ A: '', B: '', C: '' });
  });

  it.each([
    ['a line without =', 'A=1\nnot a pair', /test, line 2: expected NAME=VALUE/],
    ['a name with a dash', 'MY-NAME=1', /line 1: the name before "=" must be letters/],
    ['a name starting with a digit', '1A=1', /line 1: the name/],
    ['an unclosed quote', 'A=1\nB="never closed\nmore', /line 2: the quoted value of B is never closed/],
    ['text after a closing quote', 'A="x" y', /line 1: unexpected text after the closing quote of A/],
    ['an unquoted PEM', `KEY=${PEM}`, /line 1: the value of KEY looks like a PEM block but is not quoted/],
  ])('rejects %s, naming the line but never the value', (_, text, message) => {
    expect(() => parseDotenv(text, 'test')).toThrow(message);
    try {
      parseDotenv(text, 'test');
    } catch (error) {
      expect(String((error as Error).message)).not.toMatch(/never closed\n|MIIE|not a pair/);
    }
  });

  it('reads back any value written in double quotes with escapes, or in single quotes when it has no quote', () => {
    const chars = fc.constantFrom('a', ' ', '#', '"', "'", '\n', '\r', '=', '\\', '$', 'é', '🔑', '\t');
    const value = fc.array(chars, { maxLength: 30 }).map((c) => c.join(''));
    fc.assert(
      fc.property(value, value, (v, w) => {
        const dq = `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r')}"`;
        const lines = [`export FIRST = ${dq} # note`];
        const literal = !w.includes("'") && !w.includes('\r');
        if (literal) lines.push(`SECOND='${w}'`);
        const parsed = values(lines.join('\n'));
        expect(parsed.FIRST).toBe(v);
        if (literal) expect(parsed.SECOND).toBe(w);
      }),
      { numRuns: 2000 },
    );
  });
});
